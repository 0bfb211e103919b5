"""Sessions: start after full sign-in, rotate refresh tokens with reuse detection (RFC 9700),
revoke on logout or from another device.

Each session comes with a trusted device token: the device that completed both factors keeps
it and presents it at its next sign-in, which then has a lockout budget of its own. It is
opaque, stored only as a keyed hash, dies with its session and with any credential change."""
import logging
import secrets
from datetime import timedelta

from security.codes import opaque_id
from services.signin import tokens
from services.errors import NotFound, Unauthorized

log = logging.getLogger(__name__)
# A visible prefix, so nobody mistakes it for a push token (those go to /v1/me/devices).
DEVICE_TOKEN_PREFIX = "tdt_"


def start(ctx, kind: str, account_id: str, user_agent: str = "",
          replaces_device: str | None = None) -> dict:
    """Session tokens and a new trusted device token (replacing the device's older one)."""
    session_id, jti = opaque_id("ses"), tokens.new_jti()
    now = ctx.now()
    ctx.repos.sessions.create(session_id, kind, account_id, jti,
                              now + timedelta(days=ctx.setting("REFRESH_TOKEN_DAYS")),
                              user_agent[:200])
    if replaces_device:
        ctx.repos.trusted_devices.revoke(replaces_device, "replaced")
    device_token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    ctx.repos.trusted_devices.insert(opaque_id("dev"), _device_hash(ctx, device_token), kind,
                                     account_id, session_id,
                                     now + timedelta(days=ctx.setting("TRUSTED_DEVICE_DAYS")))
    return {**tokens.session_pair(ctx, kind, account_id, session_id, jti, fresh=True),
            "trusted_device_token": device_token}


def trusted_device(ctx, kind: str, account: dict | None, device_token: str | None) -> str | None:
    """The id of the account's valid trusted device holding `device_token`, else None (also
    for another account's token: it then counts as no token at all)."""
    if not device_token:
        return None
    # Looked up whether or not the account exists: the same work either way.
    device = ctx.repos.trusted_devices.find_valid(_device_hash(ctx, device_token))
    if device and account and device["account_id"] == account["_id"] and device["kind"] == kind:
        return device["_id"]
    return None


def refresh(ctx, claims: dict) -> dict:
    """New token pair for the current refresh token. Raises Unauthorized, revoking the whole
    session, when a refresh token that was already rotated is presented again."""
    session_id, new_jti = claims["sid"], tokens.new_jti()
    if ctx.repos.sessions.rotate(session_id, claims["jti"], new_jti):
        kind, account_id = tokens.account_of(claims)
        return tokens.session_pair(ctx, kind, account_id, session_id, new_jti, fresh=False)
    _revoke(ctx, session_id, "refresh_token_reuse")
    log.warning("refresh token reuse detected; session %s revoked", session_id)
    raise Unauthorized("This refresh token was already used. The session has been signed out; "
                       "sign in again.")


def is_active(ctx, session_id: str, account_id: str) -> bool:
    session = ctx.repos.sessions.get_active(session_id)
    return bool(session) and session["account_id"] == account_id


def end(ctx, account_id: str, session_id: str) -> None:
    """Revoke one of the account's own sessions; raises NotFound for anyone else's."""
    if not ctx.repos.sessions.revoke(session_id, "signed_out", account_id=account_id):
        raise NotFound("No such session.")
    ctx.repos.trusted_devices.revoke_for_session(session_id, "signed_out")
    ctx.repos.devices.unlink_session(session_id)


def list_for(ctx, account_id: str, current_session_id: str) -> list[dict]:
    trusted = ctx.repos.trusted_devices.trusted_session_ids(account_id)
    return [{**s, "current": s["id"] == current_session_id, "trusted_device": s["id"] in trusted}
            for s in ctx.repos.sessions.list_active(account_id)]


def end_all(ctx, account_id: str, reason: str, keep_session_id: str | None = None) -> None:
    """Sign every session out (but `keep_session_id`) and void every trusted device token,
    the kept session's too: a credential change makes every device prove itself again."""
    ctx.repos.sessions.revoke_all(account_id, reason, keep_session_id)
    ctx.repos.trusted_devices.revoke_all(account_id, reason)
    ctx.repos.devices.unlink_all(account_id, keep_session_id)


def discard(ctx, session_id: str, reason: str) -> None:
    """Revoke a session just started whose sign-in turned out stale."""
    _revoke(ctx, session_id, reason)


def _revoke(ctx, session_id: str, reason: str) -> None:
    ctx.repos.sessions.revoke(session_id, reason)
    ctx.repos.trusted_devices.revoke_for_session(session_id, reason)
    ctx.repos.devices.unlink_session(session_id)


def _device_hash(ctx, device_token: str) -> str:
    return ctx.peppered_hash("trusted-device", device_token)
