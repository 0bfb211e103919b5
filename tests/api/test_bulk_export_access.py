"""Who may read a Bulk Data export, for how long, and what it leaves behind: the status, file and
handover URLs are the exporting hospital's alone, need its token, expire; DELETE removes the job;
every exported patient sees the export in their access log; the files are sealed at rest; the
kick-off's database round trips do not grow with the number of patients."""
from collections import Counter
from datetime import timedelta

import mongomock
import pytest

from models import audit as audit_store
from security.crypto import DecryptionError
from services import sealing
from services.records import bulk_export
from tests import factories
from tests.api.test_bulk_export import exported, kick_off
from tests.factories import bearer, bundle, lab_result, push


def urls(manifest: dict) -> list[str]:
    """The file URLs and the handover manifest's URL of an export."""
    return [o["url"] for o in manifest["output"]] + [
        manifest["extension"]["urn:phr:handover-manifest"]]


def problem_of(response) -> tuple[int, str, str]:
    return response.status_code, response.mimetype, response.json["detail"]


def test_another_hospital_gets_404_on_every_url_as_for_an_unknown_export(app, client, hospital,
                                                                         patient):
    token = factories.hospital_token(client, hospital)
    status_url, manifest = exported(client, token)
    with app.app_context():
        other = factories.create_hospital("Other Hospital")
    theirs = bearer(factories.hospital_token(client, other))
    unknown = status_url.rsplit("/", 1)[0] + "/bulk_AAAAAAAAAAAAAAAAAAAAAA"
    assert problem_of(client.get(status_url, headers=theirs)) == problem_of(
        client.get(unknown, headers=theirs))
    for url in urls(manifest):
        assert client.get(url, headers=theirs).status_code == 404, url
    assert client.delete(status_url, headers=theirs).status_code == 404
    assert client.get(status_url, headers=bearer(token)).status_code == 200  # still there


def test_without_a_token_every_url_answers_401(client, hospital, patient):
    status_url, manifest = exported(client, factories.hospital_token(client, hospital))
    for url in [status_url, *urls(manifest)]:
        assert client.get(url).status_code == 401, url
    assert client.get("/v1/hospital/$export", headers={"Prefer": "respond-async"}) \
        .status_code == 401


def test_a_token_without_the_export_scope_is_refused(app, client, patient):
    with app.app_context():
        pusher = factories.create_hospital("Push Only", scopes=["records:write"])
    response = kick_off(client, factories.hospital_token(client, pusher))
    assert response.status_code == 403


def without_ttl(app) -> None:
    """As on a real MongoDB, whose TTL monitor runs once a minute: expired documents are still
    there (the embedded database would drop them on the next read, hiding a query that forgot
    to check expiry)."""
    db = app.extensions["mongo_db"]
    for name in ("bulk_exports", "bulk_export_files"):
        db[name].drop_index("expires_at_1")


def test_expired_files_are_refused(app, client, hospital, patient, clock):
    token = factories.hospital_token(client, hospital)
    status_url, manifest = exported(client, token)
    without_ttl(app)
    clock.tick(timedelta(hours=24) - timedelta(seconds=1))
    token = factories.hospital_token(client, hospital)  # access tokens last minutes
    assert client.get(manifest["output"][0]["url"], headers=bearer(token)).status_code == 200
    clock.tick(timedelta(seconds=1))  # BULK_EXPORT_HOURS (24) after the kick-off
    for url in [status_url, *urls(manifest)]:
        assert client.get(url, headers=bearer(token)).status_code == 404, url


def test_delete_cancels_the_export_and_its_files(app, client, hospital, patient):
    token = factories.hospital_token(client, hospital)
    status_url, manifest = exported(client, token)
    response = client.delete(status_url, headers=bearer(token))
    assert response.status_code == 202
    for url in [status_url, *urls(manifest)]:
        assert client.get(url, headers=bearer(token)).status_code == 404, url
    assert client.delete(status_url, headers=bearer(token)).status_code == 404
    assert app.extensions["mongo_db"].bulk_export_files.count_documents({}) == 0


def test_every_exported_patient_sees_the_export_in_their_access_log(app, client, hospital,
                                                                    patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    with app.app_context():
        elsewhere = factories.create_hospital("Elsewhere Hospital")
    bystander = factories.signed_in_patient(client, elsewhere, clock)
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-a"),
                                  lab_result(other.national_id, "lab-b")), token=token)
    exported(client, token, _type="Observation")
    for account in (patient, other):
        log = client.get("/v1/me/access-log", headers=account.auth).json["items"]
        [entry] = [e for e in log if e["action"] == "records.export"]
        assert entry["actor"] == {"type": "hospital", "id": hospital["hospital_id"],
                                  "name": "Test Hospital"}
    log = client.get("/v1/me/access-log", headers=bystander.auth).json["items"]
    assert "records.export" not in [e["action"] for e in log]


def test_an_export_that_cannot_be_recorded_answers_503_and_keeps_nothing(app, client, hospital,
                                                                         patient, monkeypatch):
    token = factories.hospital_token(client, hospital)
    monkeypatch.setattr(audit_store, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(audit_store, "_lost_race", lambda attempt: None)
    monkeypatch.setattr(audit_store.AuditLog, "_current_head",
                        lambda self, key: {"seq": -5, "hash": "stale"})  # every append loses
    response = kick_off(client, token)
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    db = app.extensions["mongo_db"]
    assert db.bulk_exports.count_documents({}) == db.bulk_export_files.count_documents({}) == 0


def in_progress_job(app, hospital: dict) -> str:
    """A job as the kick-off writes it before its files are made (another request is making
    them, or its server went away meanwhile)."""
    with app.app_context():
        ctx = factories.current_ctx()
        now = ctx.now()
        ctx.repos.bulk_exports.create({
            "_id": "bulk_inprogress", "hospital_id": hospital["hospital_id"], "request": "x",
            "versions": "current", "transaction_time": now, "expires_at": now + timedelta(days=1)})
    return "/v1/hospital/$export-status/bulk_inprogress"


def test_an_export_in_progress_answers_202_then_500_once_it_stalled(app, client, hospital, clock):
    token = factories.hospital_token(client, hospital)
    status_url = in_progress_job(app, hospital)
    waiting = client.get(status_url, headers=bearer(token))
    assert waiting.status_code == 202
    assert waiting.headers["X-Progress"] == "in progress" and waiting.headers["Retry-After"] == "5"
    files = "/v1/hospital/$export-files/bulk_inprogress/Encounter"
    assert client.get(files, headers=bearer(token)).status_code == 404  # nothing served yet
    clock.tick(bulk_export.STALLED_AFTER + timedelta(seconds=1))
    token = factories.hospital_token(client, hospital)
    failed = client.get(status_url, headers=bearer(token))
    assert failed.status_code == 500 and "start a new one" in failed.json["detail"]
    assert client.delete(status_url, headers=bearer(token)).status_code == 202


def test_a_hospital_keeps_at_most_three_exports(client, hospital, patient, clock):
    token = factories.hospital_token(client, hospital)
    first, _ = exported(client, token)
    for _ in range(bulk_export.MAX_LIVE_JOBS - 1):
        exported(client, token)
    refused = kick_off(client, token)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 24 * 3600
    assert client.delete(first, headers=bearer(token)).status_code == 202
    assert kick_off(client, token).status_code == 202


def test_the_files_are_sealed_at_rest_and_bound_to_their_job(app, client, hospital, patient):
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id, code="canary-4242")),
         token=token)
    exported(client, token)
    exported(client, token)
    db = app.extensions["mongo_db"]
    chunks = list(db.bulk_export_files.find({"resource_type": "Observation"}))
    assert len(chunks) == 2
    stored = str(list(db.bulk_export_files.find()) + list(db.bulk_exports.find()))
    assert "canary-4242" not in stored and patient.national_id not in stored
    with app.app_context():
        cipher = factories.current_ctx().cipher
        assert "canary-4242" in cipher.decrypt(chunks[0]["data"],
                                               sealing.bulk_export_file(chunks[0]))
        with pytest.raises(DecryptionError):  # moved under the other job, it does not open
            cipher.decrypt(chunks[0]["data"], sealing.bulk_export_file(chunks[1]))


def queries_during(monkeypatch, action) -> int:
    """Database calls the app makes while `action` runs (on the embedded database)."""
    calls = Counter()
    methods = ("find", "find_one", "insert_one", "insert_many", "update_one", "update_many",
               "delete_one", "delete_many", "aggregate", "count_documents",
               "find_one_and_update")
    with monkeypatch.context() as patch:
        for name in methods:
            original = getattr(mongomock.collection.Collection, name)

            def counted(self, *args, _original=original, _name=name, **kwargs):
                calls[_name] += 1
                return _original(self, *args, **kwargs)
            patch.setattr(mongomock.collection.Collection, name, counted)
        action()
    return sum(calls.values())


def test_the_kick_off_makes_as_many_queries_for_twelve_patients_as_for_two(client, hospital,
                                                                          monkeypatch, clock):
    """Versions are read in batches and national IDs with one query per batch: a query per
    patient or per record would show here."""
    token = factories.hospital_token(client, hospital)

    def export_of(count: int) -> int:
        since = factories.now().isoformat()
        clock.tick(1)
        ids = [factories.next_national_id() for _ in range(count)]
        push(client, hospital, bundle(*(lab_result(n, f"lab-{n}") for n in ids)), token=token)
        answers = []
        queries = queries_during(monkeypatch, lambda: answers.append(
            kick_off(client, token, _type="Observation", _since=since)))
        manifest = client.get(answers[0].headers["Content-Location"], headers=bearer(token)).json
        assert manifest["output"][0]["count"] == count
        return queries
    assert export_of(12) == export_of(2)
