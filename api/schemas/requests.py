"""Schemas of the data-subject requests (/v1/me/requests)."""
import marshmallow as ma
from marshmallow import validate

from api.schemas.common import StrictSchema, text_field
from services.rights.deadlines import KINDS
from services.rights.requests import ACKNOWLEDGED, COMPLETED, RECEIVED, REFUSED

_ID = validate.Length(min=1, max=64)


class DataRequestIn(StrictSchema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    details = text_field(4000, required=True, metadata={
        "description": "what the patient asks, in their words"})
    record_id = ma.fields.String(validate=_ID, metadata={
        "description": "the record to correct: required for, and only for, a correction"})
    consent_ids = ma.fields.List(ma.fields.String(validate=_ID),
                                 validate=validate.Length(min=1, max=50), metadata={
        "description": "for a withdrawal, the consents to withdraw (without them staff act on "
                       "the details)"})

    @ma.validates_schema
    def _names_what_its_kind_needs(self, data, **kwargs):
        if (data["kind"] == "correction") != ("record_id" in data):
            raise ma.ValidationError("A correction names its record_id; no other kind does.",
                                     "record_id")
        if "consent_ids" in data and data["kind"] != "withdrawal":
            raise ma.ValidationError("Only a withdrawal names consents.", "consent_ids")


class DataRequestQuery(StrictSchema):
    cursor = text_field(512)
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class DataRequestOut(ma.Schema):
    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    status = ma.fields.String(required=True, validate=validate.OneOf(
        [RECEIVED, ACKNOWLEDGED, COMPLETED, REFUSED]))
    details = ma.fields.String(required=True)
    record_id = ma.fields.String(required=True, allow_none=True)
    consent_ids = ma.fields.List(ma.fields.String(), required=True)
    received_at = ma.fields.DateTime(required=True)
    acknowledge_by = ma.fields.String(required=True, metadata={
        "description": "the last day (YYYY-MM-DD, Vietnam) to acknowledge: 2 working days"})
    complete_by = ma.fields.String(required=True, metadata={
        "description": "the last day (YYYY-MM-DD, Vietnam) to complete: 10, 15 or 20 days by "
                       "kind, once extended by as many again"})
    overdue = ma.fields.Boolean(required=True)
    extension_reason = ma.fields.String(required=True, allow_none=True)
    answer = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "the outcome, or the reason for a refusal, once closed"})


class DataRequestPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DataRequestOut), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


class StaffRequestQuery(DataRequestQuery):
    status = ma.fields.String(validate=validate.OneOf([RECEIVED, ACKNOWLEDGED, COMPLETED, REFUSED]))


class StaffRequestOut(DataRequestOut):
    patient_id = ma.fields.String(required=True)


class StaffRequestPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StaffRequestOut), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


class RequestReasonIn(StrictSchema):
    reason = text_field(2000, required=True, metadata={"description": "shown to the patient"})


class RequestOutcomeIn(StrictSchema):
    outcome = text_field(2000, required=True, metadata={"description": "shown to the patient"})
