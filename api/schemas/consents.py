"""Schemas of consents, shared-with-me, hospital record searches and staff consent tools."""
import marshmallow as ma
from marshmallow import validate

from consent import CATEGORIES, PURPOSES, SENSITIVE_LABELS
from api.schemas.common import FullMatch, StrictSchema, national_id_field, text_field
from api.schemas.records import CURSOR_DESCRIPTION, RecordPageOut

_CATEGORY_WORDS = sorted(CATEGORIES) + ["all"]


class GranteeIn(StrictSchema):
    """{"type": "hospital", "id": hospital_id} or {"type": "person", "national_id": ...}."""
    type = ma.fields.String(required=True, validate=validate.OneOf(["hospital", "person"]))
    id = text_field(128)
    national_id = national_id_field()

    @ma.validates_schema
    def names_the_grantee(self, data, **kwargs):
        needed = "id" if data.get("type") == "hospital" else "national_id"
        if set(data) != {"type", needed}:
            raise ma.ValidationError(f"A {data.get('type')} grantee takes exactly type and "
                                     f"{needed}.", "_schema")


class ConsentIn(StrictSchema):
    grantee = ma.fields.Nested(GranteeIn, required=True)
    categories = ma.fields.List(ma.fields.String(validate=validate.OneOf(_CATEGORY_WORDS)),
                                required=True, validate=validate.Length(min=1, max=20),
                                metadata={"description": 'record categories, or ["all"]'})
    purpose = ma.fields.String(required=True, validate=validate.OneOf(sorted(PURPOSES)))
    expires_at = ma.fields.AwareDateTime(metadata={"description": "optional end (ISO 8601), "
                                                                  "before the year 2200"})
    sensitive = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(sorted(SENSITIVE_LABELS))),
        validate=validate.Length(max=10), metadata={
            "description": "sensitive kinds of record this consent explicitly covers (mental "
                           "health, HIV, ...); records of other sensitive kinds stay hidden"})


    @ma.validates("expires_at")
    def ends_in_this_world(self, value, **kwargs):
        if value.year >= 2200:
            raise ma.ValidationError("Must be before the year 2200.")


def _evidence_field():
    return ma.fields.String(required=True, validate=[
        validate.Length(min=3, max=200), FullMatch(r"^.*[A-Za-z0-9].*$",
                                                   error="Name the signed form.")],
        metadata={"description": "reference of the signed paper form (its scan id, archive "
                                 "number)"})


class EvidenceScanIn(StrictSchema):
    """A scan of the signed paper form, for the approving colleague to compare (sealed at rest,
    shown to staff only)."""
    content_type = ma.fields.String(required=True, validate=validate.OneOf(
        ["application/pdf", "image/jpeg", "image/png"]))
    data = ma.fields.String(required=True, validate=validate.Length(min=4, max=11_200_000),
                            metadata={"description": "base64 of the file (at most "
                                                     "EVIDENCE_SCAN_MAX_BYTES once decoded)"})


def evidence_field():
    return _evidence_field()


class StaffConsentIn(ConsentIn):
    evidence = _evidence_field()
    evidence_scan = ma.fields.Nested(EvidenceScanIn)


class RevokeIn(StrictSchema):
    """Patients revoke with an empty body."""


class StaffRevokeIn(StrictSchema):
    evidence = _evidence_field()


class ReceiptOut(ma.Schema):
    payload = ma.fields.String(required=True, metadata={"description": "base64url of the signed "
                                                                       "canonical JSON"})
    signature = ma.fields.String(required=True, metadata={"description": "ed25519:<base64url>"})


class ConsentOut(ma.Schema):
    id = ma.fields.String(required=True)
    grantee = ma.fields.Dict(required=True)
    categories = ma.fields.List(ma.fields.String(), required=True)
    sensitive = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": 'the sensitive kinds the consent names; to staff only ["named"] or []'})
    purpose = ma.fields.String(required=True)
    starts_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={
        "description": "active, pending-approval (recorded by staff, permits nothing until a "
                       "second staff account approves it), rejected or inactive (withdrawn)"})
    source = ma.fields.String(required=True)
    evidence = ma.fields.String(required=True, allow_none=True)
    evidence_scan = ma.fields.Boolean(required=True, metadata={
        "description": "whether a scan of the signed form was uploaded (staff may view it)"})
    recorded_by = ma.fields.String(required=True)
    recorded_at = ma.fields.DateTime(required=True)
    approved_by = ma.fields.String(required=True, allow_none=True,
                                   metadata={"description": "the second staff account"})
    approved_at = ma.fields.DateTime(required=True, allow_none=True)
    rejected_by = ma.fields.String(required=True, allow_none=True)
    rejected_at = ma.fields.DateTime(required=True, allow_none=True)
    revoked_at = ma.fields.DateTime(required=True, allow_none=True)
    revoked_by = ma.fields.String(required=True, allow_none=True)
    receipt = ma.fields.Nested(ReceiptOut, required=True)
    revocation_receipt = ma.fields.Nested(ReceiptOut, required=True, allow_none=True)


class StaffConsentOut(ConsentOut):
    """A consent as staff see it: without the signed receipts, whose payload names the
    sensitive kinds (a diagnosis, all but stated) that `sensitive` masks; the patient keeps
    them."""
    class Meta:
        exclude = ("receipt", "revocation_receipt")


class ReceiptCheckIn(StrictSchema):
    payload = text_field(8192, required=True)
    signature = text_field(200, required=True)


class ReceiptCheckOut(ma.Schema):
    valid = ma.fields.Boolean(required=True)
    public_key = ma.fields.String(required=True, metadata={"description": "Ed25519, base64"})


class SharedPatientOut(ma.Schema):
    patient_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True, allow_none=True)
    categories = ma.fields.List(ma.fields.String(), required=True)
    purposes = ma.fields.List(ma.fields.String(), required=True)
    consent_ids = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "the consents, and legal-representation links, in force"})
    legal_representative = ma.fields.Boolean(required=True, metadata={
        "description": "I am this patient's legal representative (a child): I see all the "
                       "records until the child comes of age"})


class SharedRecordsQuery(StrictSchema):
    category = ma.fields.String(validate=validate.OneOf(sorted(CATEGORIES)))
    cursor = text_field(512, metadata={"description": CURSOR_DESCRIPTION})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class HospitalSearchIn(SharedRecordsQuery):
    national_id = national_id_field(required=True)
    purpose = ma.fields.String(required=True, validate=validate.OneOf(sorted(PURPOSES)))


class ResetMfaIn(StrictSchema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=10, max=500),
                              metadata={"description": "why (written down; the patient is told)"})


SharedRecordsOut = RecordPageOut
