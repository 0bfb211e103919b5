"""/v1/me/records and /v1/me/export: the signed-in patient's own clinical records."""
from api.etags import conditional
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.records import (FhirBundleOut, MeasurementIn, MeasurementOut, RecordDetailOut,
                                 RecordPageOut, RecordQuery)
from api.extensions import ctx
from api.fhir_media import both_media, fhir_json
from services.records import measurements, reading
from services.signin.tokens import PATIENT

blp = Blueprint("records", __name__, url_prefix="/v1/me",
                description="The signed-in patient's records")


@blp.get("/records")
@require(PATIENT)
@blp.arguments(RecordQuery, location="query")
@blp.response(200, RecordPageOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def list_records(query):
    """Records from every hospital, newest first; `since` for delta sync; cursor pages."""
    page = reading.list_for(ctx(), claims()["sub"], **query)
    # The records and versions shown, and whether a next page follows; not the next cursor
    # itself, which is sealed afresh (a new nonce) on every request.
    return conditional(page, [[[r["id"], r["version"]] for r in page["items"]],
                              page["next_cursor"] is not None])


@blp.post("/records")
@require(PATIENT)
@blp.arguments(MeasurementIn)
@blp.response(201, MeasurementOut)
def add_measurement(body):
    """Add a measurement taken at home (blood pressure, glucose, weight), marked patient-entered."""
    return {"id": measurements.add(ctx(), claims()["sub"], body)}


@blp.get("/records/<record_id>")
@require(PATIENT)
@blp.response(200, RecordDetailOut)
def get_record(record_id):
    """One record with its version history; another patient's id answers 404 like a missing one."""
    return reading.get(ctx(), claims()["sub"], record_id)


@blp.get("/export")
@fhir_json
@require(PATIENT)
@blp.doc(**both_media("FhirBundleOut", "A FHIR R4 collection Bundle, application/fhir+json "
                      "when Accept prefers it"))
@blp.response(200, FhirBundleOut)
def export():
    """Everything about the patient as a FHIR R4 collection Bundle (latest versions)."""
    return reading.export(ctx(), claims()["sub"])
