"""Schemas of /v1/auth."""
import marshmallow as ma
from marshmallow import validate

from api.schemas.common import (FullMatch, StrictSchema, national_id_field, password_field,
                                text_field)

TOTP_CODE = FullMatch(r"^[0-9]{6}$", error="Must be 6 digits.")


class RegisterIn(StrictSchema):
    """A new password is 8-128 characters and must not be common or built on the national ID."""
    national_id = national_id_field(required=True)
    activation_code = text_field(64, required=True)
    password = password_field(new=True, required=True)
    name = text_field(200)
    phone = ma.fields.String(validate=FullMatch(r"^\+?[0-9]{8,15}$",
                                                error="Must be 8-15 digits, + allowed."))
    email = ma.fields.Email(validate=validate.Length(max=254))


class RegisterOut(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "opaque patient id"})


class LoginIn(StrictSchema):
    """Exactly one of national_id (patients) or username (support staff), and the password.
    A device that completed both factors before sends its trusted_device_token: its sign-ins
    then have their own lockout budget, which failures from other clients never use up."""
    national_id = national_id_field("patients sign in with this")
    username = text_field(64, metadata={"description": "support staff sign in with this"})
    password = password_field(required=True)
    trusted_device_token = text_field(
        128, load_only=True,
        metadata={"description": "from an earlier full sign-in on this device (not a push token)"})

    @ma.validates_schema
    def exactly_one_identifier(self, data, **kwargs):
        if ("national_id" in data) == ("username" in data):
            raise ma.ValidationError("Give either national_id or username.", "_schema")


class LoginOut(ma.Schema):
    mfa_token = ma.fields.String(metadata={"description": "when TOTP is active: send to /mfa"})
    enrollment_token = ma.fields.String(
        metadata={"description": "when TOTP must still be set up: bearer for /totp/setup"})


class TotpSetupOut(ma.Schema):
    secret = ma.fields.String(required=True,
                              metadata={"description": "base32, 160 bits; shown once"})
    otpauth_uri = ma.fields.String(required=True)


class FactorIn(StrictSchema):
    """At most one of code (TOTP) or recovery_code."""
    code = ma.fields.String(validate=TOTP_CODE, load_only=True)
    recovery_code = text_field(64, load_only=True)

    @ma.validates_schema
    def at_most_one_factor(self, data, **kwargs):
        if "code" in data and "recovery_code" in data:
            raise ma.ValidationError("Give either code or recovery_code, not both.", "_schema")


class ReauthIn(FactorIn):
    """The password and a current code or recovery code (re-authentication)."""
    password = password_field()


class TotpSetupIn(ReauthIn):
    """Empty with an enrollment token. With an access token (replacing the active factor):
    password and exactly one of code or recovery_code of the current factor."""


class RecoveryCodesIn(ReauthIn):
    """password and exactly one of code or recovery_code."""


class RecoveryCodesOut(ma.Schema):
    recovery_codes = ma.fields.List(ma.fields.String(), metadata={"description": "shown once"})


class PasswordResetIn(FactorIn):
    """A registered patient who forgot the password: the activation code from the front desk,
    the new password, and code or recovery_code when the second factor is active."""
    national_id = national_id_field(required=True)
    activation_code = text_field(64, required=True, load_only=True)
    new_password = password_field(new=True, required=True)


class TotpActivateIn(StrictSchema):
    code = ma.fields.String(required=True, validate=TOTP_CODE)


class TokensOut(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True,
                                   metadata={"description": "access token lifetime, seconds"})
    session_id = ma.fields.String(required=True)


class SignedInOut(TokensOut):
    trusted_device_token = ma.fields.String(required=True, metadata={
        "description": "keep on this device; send with the next /login (not a push token)"})


class TotpActivateOut(SignedInOut):
    recovery_codes = ma.fields.List(ma.fields.String(), required=True,
                                    metadata={"description": "shown once"})


class MfaIn(StrictSchema):
    """The mfa_token from /login and exactly one of code (TOTP) or recovery_code."""
    mfa_token = text_field(4096, required=True)
    code = ma.fields.String(validate=TOTP_CODE)
    recovery_code = text_field(64)

    @ma.validates_schema
    def exactly_one_factor(self, data, **kwargs):
        if ("code" in data) == ("recovery_code" in data):
            raise ma.ValidationError("Give either code or recovery_code.", "_schema")


class ClientTokenIn(StrictSchema):
    client_id = text_field(128, required=True)
    client_secret = text_field(256, required=True, load_only=True)


class ClientTokenOut(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True)
    scope = ma.fields.String(required=True)
