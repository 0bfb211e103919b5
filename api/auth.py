"""/v1/auth: registration, sign-in (password, then TOTP), token refresh, logout, hospital tokens."""
from flask import current_app, request

from api.extensions import limiter
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.auth import (ClientTokenIn, ClientTokenOut, LoginIn, LoginOut, MfaIn,
                              PasswordResetIn, RecoveryCodesIn, RecoveryCodesOut, RegisterIn,
                              RegisterOut, SignedInOut, TokensOut, TotpActivateIn,
                              TotpActivateOut, TotpSetupIn, TotpSetupOut)
from api.extensions import ctx
from services.operations import hospitals
from services.signin import auth, credentials, factors, identity, registration, sessions
from services.signin.tokens import ENROLLMENT, PATIENT, STAFF

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Sign-in and tokens")


def auth_rate_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


@blp.post("/register")
@limiter.limit(auth_rate_limit)
@blp.arguments(RegisterIn)
@blp.response(201, RegisterOut)
def register(body):
    """Register a patient with national ID, single-use activation code and password."""
    contact = {k: body.get(k) for k in ("name", "phone", "email")}
    return registration.register(ctx(), body["national_id"], body["activation_code"],
                                 body["password"], contact)


@blp.post("/login")
@limiter.limit(auth_rate_limit)
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
def login(body):
    """Check the password; answers an mfa_token, or an enrollment_token while TOTP is not set up."""
    kind = identity.PATIENT if "national_id" in body else identity.STAFF
    return auth.login(ctx(), kind, body.get("national_id") or body["username"], body["password"],
                      body.get("trusted_device_token"))


@blp.post("/totp/setup")
@limiter.limit(auth_rate_limit)
@require(ENROLLMENT, PATIENT, STAFF)
@blp.arguments(TotpSetupIn, required=False)  # none with an enrollment token
@blp.response(200, TotpSetupOut)
def totp_setup(body):
    """Start TOTP set-up: with the enrollment token, or with an access token plus password and a
    current code or recovery code to replace the active factor."""
    return factors.begin_setup(ctx(), claims(), body)


@blp.post("/totp/activate")
@limiter.limit(auth_rate_limit)
@require(ENROLLMENT, PATIENT, STAFF)
@blp.arguments(TotpActivateIn)
@blp.response(200, TotpActivateOut)
def totp_activate(body):
    """Confirm set-up with a code: ten recovery codes (shown once) and session tokens. A
    replaced factor signs every device out."""
    return factors.activate(ctx(), claims(), body["code"], _user_agent())


@blp.post("/recovery-codes")
@limiter.limit(auth_rate_limit)
@require(PATIENT, STAFF)
@blp.arguments(RecoveryCodesIn)
@blp.response(200, RecoveryCodesOut)
def recovery_codes(body):
    """Ten new recovery codes (the old ones stop working); needs password and a current code."""
    return factors.regenerate_recovery_codes(ctx(), claims(), body)


@blp.post("/password-reset")
@limiter.limit(auth_rate_limit)
@blp.arguments(PasswordResetIn)
@blp.response(204)
def password_reset(body):
    """Forgotten password: front-desk activation code, new password and the second factor.
    Every session ends."""
    credentials.reset_password(ctx(), body["national_id"], body["activation_code"],
                               body["new_password"], body.get("code"), body.get("recovery_code"))


@blp.post("/mfa")
@limiter.limit(auth_rate_limit)
@blp.arguments(MfaIn)
@blp.response(200, SignedInOut)
def mfa(body):
    """Second factor: a TOTP code or a recovery code, each accepted once."""
    return auth.complete_mfa(ctx(), body["mfa_token"], body.get("code"), body.get("recovery_code"),
                             _user_agent())


@blp.post("/refresh")
@limiter.limit(auth_rate_limit)
@require(PATIENT, STAFF, refresh=True)
@blp.response(200, TokensOut)
def refresh():
    """Rotate the refresh token. Presenting an already-rotated one signs the session out."""
    return sessions.refresh(ctx(), claims())


@blp.post("/logout")
@require(PATIENT, STAFF)
@blp.response(204)
def logout():
    """Sign this session out; its access and refresh tokens stop working."""
    token = claims()
    sessions.end(ctx(), token["sub"], token["sid"])


@blp.post("/token")
@limiter.limit(auth_rate_limit)
@blp.arguments(ClientTokenIn)
@blp.response(200, ClientTokenOut)
def client_token(body):
    """Hospital access token from client credentials (client_id, client_secret)."""
    return hospitals.issue_token(ctx(), body["client_id"], body["client_secret"])
