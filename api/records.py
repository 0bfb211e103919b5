"""/v1/me/records and /v1/me/export: the signed-in patient's own clinical records."""
from flask import Response, request

from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.records import (FhirBundleOut, MeasurementIn, MeasurementOut, RecordDetailOut,
                                    RecordPageOut, RecordQuery)
from services import measurements, records
from services.tokens import PATIENT

blp = Blueprint("records", __name__, url_prefix="/v1/me",
                description="The signed-in patient's records")


@blp.get("/records")
@require(PATIENT)
@blp.arguments(RecordQuery, location="query")
@blp.response(200, RecordPageOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def list_records(query):
    """Records from every hospital, newest first; `since` for delta sync; cursor pages."""
    page = records.list_for(claims()["sub"], **query)
    etag = page.pop("etag")
    if request.if_none_match.contains_weak(etag.split('"')[1]):
        return Response(status=304, headers={"ETag": etag})
    return page, 200, {"ETag": etag}


@blp.post("/records")
@require(PATIENT)
@blp.arguments(MeasurementIn)
@blp.response(201, MeasurementOut)
def add_measurement(body):
    """Add a measurement taken at home (blood pressure, glucose, weight), marked patient-entered."""
    return {"id": measurements.add(claims()["sub"], body)}


@blp.get("/records/<record_id>")
@require(PATIENT)
@blp.response(200, RecordDetailOut)
def get_record(record_id):
    """One record with its version history; another patient's id answers 404 like a missing one."""
    return records.get(claims()["sub"], record_id)


@blp.get("/export")
@require(PATIENT)
@blp.response(200, FhirBundleOut)
def export():
    """Everything about the patient as a FHIR R4 collection Bundle (latest versions)."""
    return records.export(claims()["sub"])
