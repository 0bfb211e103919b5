"""/v1/hospital: machine-to-machine endpoints for hospital systems."""
import hashlib
import re

from flask import Response, current_app, request, stream_with_context

from api.errors import PROBLEM_JSON
from api.extensions import limiter
from api.guard import claims, require, token_subject
from api.json_body import Blueprint, large_body
from api.schemas.activation import ActivationCodeIn, ActivationCodeOut
from api.schemas.consents import HospitalSearchIn, SharedRecordsOut
from api.schemas.records import FhirBundleOut
from api.extensions import ctx
from api.fhir_media import both_media, fhir_json
from services.records import hospital_export, ingest
from services.sharing import shared_access
from services.signin import registration
from services.errors import InvalidInput
from services.signin.tokens import HOSPITAL

BUNDLE_DOC = {
    "requestBody": {"required": True, "description": "A FHIR R4 Bundle of type batch or "
                    "transaction; each resource names its patient by national ID.",
                    "content": {media: {"schema": {"$ref": "#/components/schemas/FhirBundleIn"}}
                                for media in ("application/fhir+json", "application/json")}},
    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    "description": "the same key and body answer the same again; another "
                                   "body with a used key is refused"}]}
EXPORT_DOC = {"responses": {"200": {
    "description": "NDJSON: one line per version pushed (resource_type, source_id, version, "
                   "received_at, bundle_id, patient: the national ID identifier, resource), then "
                   "a {\"manifest\"} line with counts and the SHA-256 of every line before it",
    "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}}}
ACTIVATION_DOC = {"responses": {"403": {
    "description": "The token lacks the scope, or this hospital has pushed no record for this "
                   "national ID (push the visit first); one answer whether or not the person "
                   "exists or has registered",
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}
# One named schema for both media types: generators make one model of it, not two clashing ones.
FHIR_BUNDLE_IN = {"type": "object", "description": "A FHIR R4 Bundle (checked by the server "
                  "with the FHIR R4 models, entry by entry)"}
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")

blp = Blueprint("hospital", __name__, url_prefix="/v1/hospital",
                description="Hospital integrations (client-credentials tokens)")


@blp.post("/activation-codes")
@require(HOSPITAL, scope="activation-codes:write")
@blp.doc(**ACTIVATION_DOC)
@blp.arguments(ActivationCodeIn)
@blp.response(201, ActivationCodeOut)
def issue_activation_code(body):
    """Issue a single-use activation code for a patient at the front desk.

    Only for a national ID this hospital has pushed a record for (an Encounter of today's
    visit is enough): a code registers its holder as that person, who then sees every
    hospital's records. Otherwise 403, the same whether or not the person exists or has
    registered."""
    issuer = {"type": "hospital", "id": claims()["sub"]}
    return registration.issue_activation_code(ctx(), body["national_id"], issuer, body.get("name"),
                                              body.get("birth_date"))


@blp.post("/bundles")
@fhir_json
@require(HOSPITAL, scope="records:write")
@large_body
@blp.doc(**BUNDLE_DOC)
@blp.doc(**both_media("FhirBundleOut", "A FHIR R4 batch-response or transaction-response "
                      "Bundle, application/fhir+json when Accept prefers it"))
@blp.response(200, FhirBundleOut)
def push_bundle():
    """Push results (FHIR batch or transaction); one outcome per entry, batch-response style."""
    return ingest.ingest(ctx(), claims()["sub"], request.get_json(silent=True),
                         hashlib.sha256(request.get_data()).hexdigest(), _idempotency_key())


@blp.get("/export")
@require(HOSPITAL, scope="export:read")
@blp.doc(**EXPORT_DOC)
def export():
    """Everything this hospital ever pushed, every version, streamed as NDJSON with a manifest."""
    lines = hospital_export.lines(ctx(), claims()["sub"])
    return Response(stream_with_context(lines), mimetype="application/x-ndjson")


def _idempotency_key() -> str | None:
    """Raises InvalidInput for a key that is not 1-255 visible ASCII characters."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput("The Idempotency-Key header is not valid.",
                           errors={"Idempotency-Key": ["1-255 visible ASCII characters."]})
    return key


@blp.post("/records/search")
@require(HOSPITAL, scope="records:read")
# Below @require: keyed by the verified hospital, like the staff search (api/staff.py).
@limiter.limit(lambda: current_app.config["HOSPITAL_SEARCH_RATE_LIMIT"], key_func=token_subject)
@blp.arguments(HospitalSearchIn)
@blp.response(200, SharedRecordsOut)
def search_records(body):
    """Records from other hospitals, under the patient's consent to this hospital for this
    purpose; 403 otherwise, the same whether or not the patient exists."""
    national_id, purpose = body.pop("national_id"), body.pop("purpose")
    return shared_access.hospital_search(ctx(), claims()["sub"], national_id, purpose, **body)
