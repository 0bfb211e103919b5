"""Schemas of the four-eyes queue and of legal representatives (staff tools)."""
import marshmallow as ma
from marshmallow import validate

from api.schemas.common import StrictSchema, national_id_field, text_field
from api.schemas.consents import EvidenceScanIn, StaffConsentOut, evidence_field

RELATIONSHIPS = ["parent", "guardian", "other"]


class RepresentativeIn(StrictSchema):
    representative_national_id = national_id_field(required=True)
    relationship = ma.fields.String(required=True, validate=validate.OneOf(RELATIONSHIPS))
    child_birth_date = ma.fields.Date(required=True, metadata={
        "description": "refused when it makes the patient an adult "
                       "(REPRESENTATION_ENDS_AT_AGE, 18 by default)"})
    evidence = evidence_field()
    evidence_scan = ma.fields.Nested(EvidenceScanIn)


class RepresentativeOut(ma.Schema):
    id = ma.fields.String(required=True)
    patient_id = ma.fields.String(required=True, metadata={"description": "the child"})
    representative_national_id = ma.fields.String(required=True,
                                                  metadata={"description": "masked"})
    relationship = ma.fields.String(required=True)
    child_birth_date = ma.fields.Date(required=True)
    ends_at = ma.fields.DateTime(required=True, metadata={
        "description": "representation ends on this birthday (midnight, Vietnam time)"})
    evidence = ma.fields.String(required=True)
    evidence_scan = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, metadata={
        "description": "pending-approval, active, rejected, inactive (withdrawn); an active link "
                       "past ends_at no longer permits"})
    recorded_by = ma.fields.String(required=True)
    recorded_at = ma.fields.DateTime(required=True)
    approved_by = ma.fields.String(required=True, allow_none=True)
    approved_at = ma.fields.DateTime(required=True, allow_none=True)
    rejected_by = ma.fields.String(required=True, allow_none=True)
    rejected_at = ma.fields.DateTime(required=True, allow_none=True)
    revoked_by = ma.fields.String(required=True, allow_none=True)
    revoked_at = ma.fields.DateTime(required=True, allow_none=True)


class PendingCodeOut(ma.Schema):
    """A staff activation code for a person who has not registered yet (never the code)."""
    id = ma.fields.String(required=True)
    patient_id = ma.fields.String(required=True)
    issued_by = ma.fields.String(required=True)
    issued_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={
        "description": "pending-approval, approved, rejected"})
    decided_by = ma.fields.String(required=True, allow_none=True)
    decided_at = ma.fields.DateTime(required=True, allow_none=True)


class ApprovalOut(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "the item's own id"})
    kind = ma.fields.String(required=True, validate=validate.OneOf(
        ["consent", "representative", "activation_code"]))
    own = ma.fields.Boolean(metadata={"description": "recorded by this staff account, which "
                                                     "cannot decide it (403)"})
    consent = ma.fields.Nested(StaffConsentOut)
    representative = ma.fields.Nested(RepresentativeOut)
    activation_code = ma.fields.Nested(PendingCodeOut)


class ApprovalPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ApprovalOut), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


class ApprovalQuery(StrictSchema):
    cursor = text_field(512, metadata={"description": "`next_cursor` of the previous page"})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class DecisionIn(StrictSchema):
    """An empty body (or none)."""
