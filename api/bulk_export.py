"""/v1/hospital/$export and what follows it: a FHIR Bulk Data export (Bulk Data Access IG v2)
of everything a hospital pushed. Kick-off, status (DELETE cancels), one file per resource type,
and the handover manifest beside the files (services/records/bulk_export.py)."""
from flask import Response, request, stream_with_context, url_for
from werkzeug.http import http_date

from api.errors import PROBLEM_JSON
from api.extensions import ctx
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.bulk_export import BulkExportQuery, BulkManifestOut, HandoverOut
from services import fhir
from services.errors import UnsupportedRequest
from services.records import bulk_export
from services.signin.tokens import HOSPITAL

NDJSON = "application/fhir+ndjson"
SCOPE = "export:read"  # as GET /v1/hospital/export
POLL_SECONDS = 5
_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STRING = {"schema": {"type": "string"}}
KICK_OFF_DOC = {"parameters": [{
    "name": "Prefer", "in": "header", "required": True,
    "schema": {"type": "string", "pattern": r"^(.*,)?\s*respond-async\s*([;=][^,]*)?(,.*)?$"},
    "description": "`respond-async` (required by the Bulk Data IG; without it: 400)"}],
    "responses": {
        "202": {"description": "Accepted: poll the Content-Location URL",
                "headers": {"Content-Location": {**_STRING, "description": "the status URL"}}},
        "400": {"description": "No `Prefer: respond-async`", "content": _PROBLEM},
        "429": {"description": "Three unexpired exports are kept already: delete one, or "
                               "retry after Retry-After seconds", "content": _PROBLEM}}}
WAIT_DOC = {"description": "In progress: poll again after Retry-After seconds",
            "headers": {"X-Progress": _STRING, "Retry-After": _STRING}}
STATUS_ERRORS = {"404": {"description": "No such export: unknown, another client's, expired "
                                        "or deleted", "content": _PROBLEM},
                 "500": {"description": "The export stopped before it finished: delete it and "
                                        "start a new one", "content": _PROBLEM}}
FILE_DOC = {"responses": {"200": {
    "description": "NDJSON: one FHIR resource a line, all of the file's type",
    "content": {NDJSON: _STRING}}, "404": STATUS_ERRORS["404"]}}

blp = Blueprint("bulk-export", __name__, url_prefix="/v1/hospital",
                description="FHIR Bulk Data export of everything a hospital pushed "
                            "(Bulk Data Access IG v2)")


@blp.get("/$export")
@require(HOSPITAL, scope=SCOPE)
@blp.arguments(BulkExportQuery, location="query")
@blp.doc(**KICK_OFF_DOC)
def kick_off(query):
    """Start a Bulk Data export of everything this hospital pushed (Prefer: respond-async)."""
    if "respond-async" not in _preferences():
        raise UnsupportedRequest("Send the header Prefer: respond-async (Bulk Data kick-off).")
    job_id = bulk_export.start(ctx(), claims()["sub"], request.url, **query)
    return _empty(202, {"Content-Location": _url(".status", job_id=job_id)})


@blp.get("/$export-status/<job_id>")
@require(HOSPITAL, scope=SCOPE)
@blp.doc(responses=STATUS_ERRORS)
@blp.response(200, BulkManifestOut, headers={"Expires": {
    **_STRING, "description": "when the files stop being served (HTTP date)"}})
@blp.alt_response(202, description=WAIT_DOC["description"], headers=WAIT_DOC["headers"])
def status(job_id):
    """The export's status: 202 while in progress, then the Bulk Data manifest."""
    job = bulk_export.status(ctx(), claims()["sub"], job_id)
    if not job["complete"]:
        return _empty(202, {"X-Progress": "in progress", "Retry-After": str(POLL_SECONDS)})
    return _manifest(job_id, job), 200, {"Expires": http_date(job["expires_at"])}


@blp.delete("/$export-status/<job_id>")
@require(HOSPITAL, scope=SCOPE)
@blp.doc(responses={"404": STATUS_ERRORS["404"]})
@blp.response(202, description="Deleted: the export and its files are gone")
def delete(job_id):
    """Cancel the export, or say you are done with it: its files are deleted."""
    bulk_export.delete(ctx(), claims()["sub"], job_id)
    return _empty(202)


@blp.get("/$export-files/<job_id>/<resource_type>")
@require(HOSPITAL, scope=SCOPE)
@blp.doc(**FILE_DOC)
def file(job_id, resource_type):
    """One file of the export: every exported resource of one type, one a line."""
    text = bulk_export.file_text(ctx(), claims()["sub"], job_id, resource_type)
    return Response(stream_with_context(text), mimetype=NDJSON)


@blp.get("/$export-handover/<job_id>")
@require(HOSPITAL, scope=SCOPE)
@blp.doc(responses={"404": STATUS_ERRORS["404"]})
@blp.response(200, HandoverOut)
def handover(job_id):
    """The handover manifest: counts and the SHA-256 of every file, to check them against."""
    manifest = bulk_export.handover(ctx(), claims()["sub"], job_id)
    return {**manifest, "transaction_time": fhir.fhir_instant(manifest["transaction_time"]),
            "files": [{**f, "url": _file_url(job_id, f["type"])} for f in manifest["files"]]}


def _empty(status: int, headers: dict | None = None) -> Response:
    """A bodiless answer, without the text/html type Flask would give it."""
    response = Response(status=status, headers=headers)
    del response.headers["Content-Type"]
    return response


def _manifest(job_id: str, job: dict) -> dict:
    return {"transactionTime": fhir.fhir_instant(job["transaction_time"]),
            "request": job["request"], "requiresAccessToken": True,
            "output": [{**f, "url": _file_url(job_id, f["type"])} for f in job["output"]],
            "error": [], "extension": {"handover": _url(".handover", job_id=job_id)}}


def _file_url(job_id: str, resource_type: str) -> str:
    return _url(".file", job_id=job_id, resource_type=resource_type)


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def _preferences() -> set[str]:
    """The Prefer header's preference names (RFC 7240: comma-separated, `name[=value]`)."""
    return {part.split("=")[0].split(";")[0].strip().lower()
            for part in request.headers.get("Prefer", "").split(",")}
