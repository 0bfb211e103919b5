"""The server the benchmark and load commands drive: the real app, served by waitress as
`python wsgi.py` serves it, in its own process (the client's GIL never slows the server, and the
server's peak memory is its own), on the embedded database unless MONGO_URI is set.

Production-like: development secrets, but production argon2 cost, rate limiting on (sign-in
limits raised so that scripted sign-ins are not refused), no TESTING flag. It adds routes of its
own, on this app only, never in production code:

- GET /_bench/floor: the bare floor of a records read: one session look-up, the same page query
  as GET /v1/me/records, JSON. No token, no consent, no decryption, no audit.
- POST /_bench/raw-insert: the floors of an ingest: the bundle's resources, insert_many'd as they
  are into a collection of their own, or (?into=records) into `records` under its indexes.
- POST /_bench/validate: the part of an ingest that cannot be skipped: the bundle parsed and
  every resource validated as the ingestion does it (services.fhir.parse_bundle with the app's
  limits), nothing stored. Its time against the raw insert is the best ratio any ingest
  validating with fhir.resources could reach.
- GET /_bench/stats: collection sizes.

    python -m tests.benchmarks.server PORT   (prints one JSON line: a hospital's credentials)
"""
import json
import sys
import uuid

from flask import request

from api import create_app
from api.serving import serve, serve_options
from services import fhir
from services.operations import hospitals
from tests.factories import current_ctx

FLOOR_PAGE = 50
# Per-address sign-in limits are on as in production, but high: the benchmark signs in dozens
# of accounts from one address.
GENEROUS = "100000 per minute"


def bench_config(port: int) -> dict:
    return {"APP_ENV": "development", "HOST": "127.0.0.1", "PORT": port, "PHR_DEMO_SEED": None,
            "RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": GENEROUS,
            "STAFF_SEARCH_RATE_LIMIT": GENEROUS, "HOSPITAL_SEARCH_RATE_LIMIT": GENEROUS,
            "ARGON2_TIME_COST": 3, "ARGON2_MEMORY_KIB": 65536, "ARGON2_PARALLELISM": 4}


def floor():
    """One session look-up, the page query of GET /v1/me/records, JSON: nothing else."""
    session = current_ctx().db.sessions.find_one({"_id": request.headers.get("X-Bench-Session", ""),
                                          "revoked_at": None})
    if session is None:
        return {"error": "no such session"}, 401
    docs = current_ctx().repos.records.for_patient(session["account_id"], categories=None, since=None,
                                    after=None, limit=FLOOR_PAGE + 1)
    return {"items": docs[:FLOOR_PAGE], "more": len(docs) > FLOOR_PAGE}


RAW_HOSPITAL = "bench-raw"


def raw_insert():
    """The bundle's resources stored as they are, with one insert_many: into a collection of
    their own (?into=scratch, no index), or into `records` beside the pushed ones (?into=records,
    each as a record-shaped document under its unique index: the same stack), removed again by
    DELETE /_bench/raw-insert."""
    body = json.loads(request.get_data())
    resources = [dict(entry["resource"]) for entry in body["entry"]]
    if request.args.get("into") == "records":
        documents = [{"_id": f"{RAW_HOSPITAL}:{uuid.uuid4().hex}", "hospital_id": RAW_HOSPITAL,
                      "resource_type": r["resourceType"], "source_key": uuid.uuid4().hex,
                      "resource": r} for r in resources]
        current_ctx().db.records.insert_many(documents)
    else:
        current_ctx().db.bench_raw.insert_many(resources)
    return {"inserted": len(resources)}


def validate_only():
    """Parse and validate the bundle as POST /v1/hospital/bundles does; store nothing."""
    parsed = fhir.parse_bundle(json.loads(request.get_data()),
                               max_entries=current_ctx().setting("BUNDLE_MAX_ENTRIES"),
                               max_attachment_bytes=current_ctx().setting("ATTACHMENT_MAX_BYTES"))
    return {"valid": sum(c.status == fhir.OK for c in parsed.candidates)}


def raw_remove():
    return {"deleted": current_ctx().db.records.delete_many({"hospital_id": RAW_HOSPITAL}).deleted_count}


def stats():
    db = current_ctx().db
    return {name: db[name].estimated_document_count()
            for name in ("records", "record_versions", "patients", "audit_log", "notifications",
                         "bench_raw")}


def build(port: int):
    app = create_app(bench_config(port))
    app.add_url_rule("/_bench/floor", view_func=floor)
    app.add_url_rule("/_bench/raw-insert", view_func=raw_insert, methods=["POST"])
    app.add_url_rule("/_bench/raw-insert", view_func=raw_remove, methods=["DELETE"],
                     endpoint="raw_remove")
    app.add_url_rule("/_bench/validate", view_func=validate_only, methods=["POST"])
    app.add_url_rule("/_bench/stats", view_func=stats)
    return app


def main(port: int) -> None:
    app = build(port)
    with app.app_context():
        hospital = hospitals.create_hospital(current_ctx(), "Bench Hospital")
        other = hospitals.create_hospital(current_ctx(), "Bench Clinic")
    fhir.warm_up()
    print(json.dumps({"hospital": hospital, "other_hospital": other}), flush=True)
    serve(app, serve_options(app.config))


if __name__ == "__main__":
    main(int(sys.argv[1]))
