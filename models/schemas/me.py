"""Schemas of /v1/me (profile, sessions, password)."""
import marshmallow as ma

from models.schemas.common import StrictSchema, password_field


class ProfileOut(ma.Schema):
    """Contact fields are optional at registration: null when never given."""
    id = ma.fields.String()
    name = ma.fields.String(allow_none=True)
    national_id = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    registered_at = ma.fields.DateTime()
    recovery_codes_left = ma.fields.Integer()


class SessionOut(ma.Schema):
    id = ma.fields.String()
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    user_agent = ma.fields.String()
    current = ma.fields.Boolean()


class PasswordChangeIn(StrictSchema):
    current_password = password_field(required=True)
    new_password = password_field(new=True, required=True)
