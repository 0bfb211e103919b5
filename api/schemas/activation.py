"""Schemas for issuing activation codes (hospital front desk and support staff)."""
import marshmallow as ma

from api.schemas.common import StrictSchema, national_id_field, text_field


class ActivationCodeIn(StrictSchema):
    national_id = national_id_field(required=True)
    name = text_field(200, metadata={
        "description": "the patient's name as the front desk knows it"})
    birth_date = ma.fields.Date(metadata={"description": "YYYY-MM-DD; the password check refuses "
                                                         "passwords built on it"})


class ActivationCodeOut(ma.Schema):
    id = ma.fields.String(required=True, metadata={
        "description": "the code's id (its item in the approvals queue while pending)"})
    activation_code = ma.fields.String(
        required=True, metadata={"description": "single use; give it to the patient"})
    expires_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={
        "description": "active; or pending-approval: a staff code for a person who has not "
                       "registered yet works only once a second staff account approves it"})


class StaffPatientSearchIn(StrictSchema):
    national_id = national_id_field(required=True)


class StaffPatientOut(ma.Schema):
    id = ma.fields.String(required=True)
    national_id = ma.fields.String(required=True)
    registered = ma.fields.Boolean(required=True)
    totp_active = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
