"""/v1/auth: registration, sign-in (password, then TOTP), token refresh, logout, hospital tokens."""
from flask import current_app, request
from flask_smorest import Blueprint

from api.extensions import limiter
from api.guard import claims, require
from models.schemas.auth import (ClientTokenIn, ClientTokenOut, LoginIn, LoginOut, MfaIn,
                                 RegisterIn, RegisterOut, TokensOut, TotpActivateIn,
                                 TotpActivateOut, TotpSetupOut)
from services import auth, hospitals, registration, sessions
from services.tokens import ENROLLMENT, PATIENT, STAFF

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Sign-in and tokens")


def auth_rate_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


def _account_kind() -> str:
    """The account kind an enrollment or access token speaks for."""
    token = claims()
    return token["kind"] if token["aud"] == ENROLLMENT else token["aud"]


@blp.post("/register")
@limiter.limit(auth_rate_limit)
@blp.arguments(RegisterIn)
@blp.response(201, RegisterOut)
def register(body):
    """Register a patient with national ID, single-use activation code and password."""
    contact = {k: body.get(k) for k in ("name", "phone", "email")}
    return registration.register(body["national_id"], body["activation_code"], body["password"],
                                 contact)


@blp.post("/login")
@limiter.limit(auth_rate_limit)
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
def login(body):
    """Check the password; answers an mfa_token, or an enrollment_token while TOTP is not set up."""
    kind = "patient" if "national_id" in body else "staff"
    return auth.login(kind, body.get("national_id") or body["username"], body["password"])


@blp.post("/totp/setup")
@limiter.limit(auth_rate_limit)
@require(ENROLLMENT, PATIENT, STAFF, fresh_for=(PATIENT, STAFF))
@blp.response(200, TotpSetupOut)
def totp_setup():
    """Start TOTP set-up (enrollment token, or a fresh access token to replace the secret)."""
    token = claims()
    return auth.begin_totp_setup(_account_kind(), token["sub"], token["aud"] == ENROLLMENT)


@blp.post("/totp/activate")
@limiter.limit(auth_rate_limit)
@require(ENROLLMENT, PATIENT, STAFF, fresh_for=(PATIENT, STAFF))
@blp.arguments(TotpActivateIn)
@blp.response(200, TotpActivateOut)
def totp_activate(body):
    """Confirm set-up with a code; answers ten recovery codes (shown once) and session tokens."""
    token = claims()
    return auth.activate_totp(_account_kind(), token["sub"], body["code"], _user_agent(),
                              token.get("sid"))


@blp.post("/mfa")
@limiter.limit(auth_rate_limit)
@blp.arguments(MfaIn)
@blp.response(200, TokensOut)
def mfa(body):
    """Second factor: a TOTP code or a recovery code, each accepted once."""
    return auth.complete_mfa(body["mfa_token"], body.get("code"), body.get("recovery_code"),
                             _user_agent())


@blp.post("/refresh")
@limiter.limit(auth_rate_limit)
@require(PATIENT, STAFF, refresh=True)
@blp.response(200, TokensOut)
def refresh():
    """Rotate the refresh token. Presenting an already-rotated one signs the session out."""
    return sessions.refresh(claims())


@blp.post("/logout")
@require(PATIENT, STAFF)
@blp.response(204)
def logout():
    """Sign this session out; its access and refresh tokens stop working."""
    token = claims()
    sessions.end(token["sub"], token["sid"])


@blp.post("/token")
@limiter.limit(auth_rate_limit)
@blp.arguments(ClientTokenIn)
@blp.response(200, ClientTokenOut)
def client_token(body):
    """Hospital access token from client credentials (client_id, client_secret)."""
    return hospitals.issue_token(body["client_id"], body["client_secret"])
