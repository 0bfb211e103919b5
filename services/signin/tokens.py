"""JWTs: short access tokens, rotating refresh tokens, and one-step tokens (mfa, enrollment).
What each token says is decided here; encoding and signing are the API layer's (ctx.jwt, a
flask-jwt-extended codec: api/jwt_setup.py).

Claims: sub (opaque account id), aud (patient | staff | hospital | witness | mfa | enrollment),
sid (session), scope (hospitals and witnesses); step tokens add kind (patient | staff), ep
(the account's credential epoch: a password change or factor reset voids older step tokens)
and dev (the trusted device the sign-in came from, when it did). No name, national ID or other
personal data.
"""
import uuid
from datetime import timedelta

from models import accounts
from services.errors import InvalidCredentials

PATIENT, STAFF, HOSPITAL, MFA, ENROLLMENT = "patient", "staff", "hospital", "mfa", "enrollment"
# An outside witness of the audit trail (services/hospitals.create_witness): a client like a
# hospital, with an audience of its own so that no view open to hospitals ever lets it in.
WITNESS = "witness"
AUDIENCES = [PATIENT, STAFF, HOSPITAL, WITNESS, MFA, ENROLLMENT]
# Session tokens of each account kind (models.accounts) have their own audience.
_AUDIENCE_OF_KIND = {accounts.PATIENT: PATIENT, accounts.STAFF: STAFF}
_KIND_OF_AUDIENCE = {audience: kind for kind, audience in _AUDIENCE_OF_KIND.items()}
STEP_TOKEN_MINUTES = {MFA: 5, ENROLLMENT: 15}
_STEP_EXPIRED = "The sign-in step has expired or is not valid. Sign in again."


def new_jti() -> str:
    return uuid.uuid4().hex


def account_of(claims: dict) -> tuple[str, str]:
    """(account kind, account id) a patient, staff or step token speaks for."""
    if claims["aud"] in (MFA, ENROLLMENT):
        return claims["kind"], claims["sub"]
    return _KIND_OF_AUDIENCE[claims["aud"]], claims["sub"]


def access_ttl(ctx) -> timedelta:
    return timedelta(minutes=ctx.setting("ACCESS_TOKEN_MINUTES"))


def session_pair(ctx, kind: str, account_id: str, session_id: str, refresh_jti: str,
                 fresh: bool) -> dict:
    """Access + refresh token for a session; `fresh` only straight after a full sign-in."""
    access = ctx.jwt.access(
        account_id, access_ttl(ctx), {"aud": _AUDIENCE_OF_KIND[kind], "sid": session_id},
        fresh=timedelta(minutes=ctx.setting("FRESH_MINUTES")) if fresh else False)
    refresh = ctx.jwt.refresh(
        account_id, timedelta(days=ctx.setting("REFRESH_TOKEN_DAYS")),
        {"aud": _AUDIENCE_OF_KIND[kind], "sid": session_id, "jti": refresh_jti})
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": int(access_ttl(ctx).total_seconds()), "session_id": session_id}


def hospital_token(ctx, hospital_id: str, scopes: list[str], secret_generation: int,
                   audience: str = HOSPITAL) -> dict:
    """`sg`: the generation of the client secret it was issued for (see rotate_secret).
    `audience` HOSPITAL, or WITNESS for an audit witness client."""
    token = ctx.jwt.access(hospital_id, access_ttl(ctx),
                           {"aud": audience, "scope": " ".join(scopes), "sg": secret_generation})
    return {"access_token": token, "token_type": "Bearer",
            "expires_in": int(access_ttl(ctx).total_seconds()), "scope": " ".join(scopes)}


def step_token(ctx, audience: str, kind: str, account_id: str, epoch: int,
               device_id: str | None = None) -> str:
    """A short token that only opens the next sign-in step (mfa or TOTP enrollment)."""
    claims = {"aud": audience, "kind": kind, "ep": epoch}
    if device_id:
        claims["dev"] = device_id
    return ctx.jwt.access(account_id, timedelta(minutes=STEP_TOKEN_MINUTES[audience]), claims)


def step_expired() -> InvalidCredentials:
    return InvalidCredentials(_STEP_EXPIRED)


def decode_step_token(ctx, token: str, audience: str) -> dict:
    """Claims of a valid step token for `audience`; raises InvalidCredentials otherwise."""
    try:
        claims = ctx.jwt.decode(token)
    except ValueError:
        raise InvalidCredentials(_STEP_EXPIRED) from None
    if claims.get("aud") != audience or claims.get("type") != "access":
        raise InvalidCredentials(_STEP_EXPIRED)
    return claims
