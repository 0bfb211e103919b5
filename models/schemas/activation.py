"""Schemas for issuing activation codes (hospital front desk and support staff)."""
import marshmallow as ma

from models.schemas.common import StrictSchema, national_id_field, text_field


class ActivationCodeIn(StrictSchema):
    national_id = national_id_field(required=True)
    name = text_field(200, metadata={"description": "the patient's name as the front desk knows it"})
    birth_date = ma.fields.Date(metadata={"description": "YYYY-MM-DD; the password check refuses "
                                                         "passwords built on it"})


class ActivationCodeOut(ma.Schema):
    activation_code = ma.fields.String(metadata={"description": "single use; give it to the patient"})
    expires_at = ma.fields.DateTime()


class StaffPatientSearchIn(StrictSchema):
    national_id = national_id_field(required=True)


class StaffPatientOut(ma.Schema):
    id = ma.fields.String()
    national_id = ma.fields.String()
    registered = ma.fields.Boolean()
    totp_active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
