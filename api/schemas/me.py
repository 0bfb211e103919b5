"""Schemas of /v1/me (profile, sessions, password)."""
import marshmallow as ma

from api.schemas.common import StrictSchema, password_field


class ProfileOut(ma.Schema):
    """Every field is always present; contact fields are null when never given."""
    id = ma.fields.String(required=True)
    name = ma.fields.String(required=True, allow_none=True)
    national_id = ma.fields.String(required=True)
    phone = ma.fields.String(required=True, allow_none=True)
    email = ma.fields.String(required=True, allow_none=True)
    birth_date = ma.fields.String(required=True, allow_none=True,
                                  metadata={"description": "YYYY-MM-DD, as a hospital recorded it"})
    registered_at = ma.fields.DateTime(required=True)
    recovery_codes_left = ma.fields.Integer(required=True)


class SessionOut(ma.Schema):
    id = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    last_used_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(required=True)
    user_agent = ma.fields.String(required=True)
    current = ma.fields.Boolean(required=True)
    trusted_device = ma.fields.Boolean(required=True, metadata={
        "description": "the device holds a trusted device token that still works"})


class PasswordChangeIn(StrictSchema):
    current_password = password_field(required=True)
    new_password = password_field(new=True, required=True)
