"""Sessions: start after full sign-in, rotate refresh tokens with reuse detection (RFC 9700),
revoke on logout or from another device."""
import logging
from datetime import timedelta

from models import sessions
from models.db import utcnow
from security.codes import opaque_id
from services import tokens
from services.context import setting
from services.errors import NotFound, Unauthorized

log = logging.getLogger(__name__)


def start(kind: str, account_id: str, user_agent: str = "") -> dict:
    session_id, jti = opaque_id("ses"), tokens.new_jti()
    expires_at = utcnow() + timedelta(days=setting("REFRESH_TOKEN_DAYS"))
    sessions.create(session_id, kind, account_id, jti, expires_at, user_agent[:200])
    return tokens.session_pair(kind, account_id, session_id, jti, fresh=True)


def refresh(claims: dict) -> dict:
    """New token pair for the current refresh token. Raises Unauthorized, revoking the whole
    session, when a refresh token that was already rotated is presented again."""
    session_id, new_jti = claims["sid"], tokens.new_jti()
    if sessions.rotate(session_id, claims["jti"], new_jti):
        return tokens.session_pair(claims["aud"], claims["sub"], session_id, new_jti, fresh=False)
    sessions.revoke(session_id, "refresh_token_reuse")
    log.warning("refresh token reuse detected; session %s revoked", session_id)
    raise Unauthorized("This refresh token was already used. The session has been signed out; "
                       "sign in again.")


def is_active(session_id: str, account_id: str) -> bool:
    session = sessions.get_active(session_id)
    return bool(session) and session["account_id"] == account_id


def end(account_id: str, session_id: str) -> None:
    """Revoke one of the account's own sessions; raises NotFound for anyone else's."""
    if not sessions.revoke(session_id, "signed_out", account_id=account_id):
        raise NotFound("No such session.")


def list_for(account_id: str, current_session_id: str) -> list[dict]:
    return [{**s, "current": s["id"] == current_session_id}
            for s in sessions.list_active(account_id)]


def end_all_others(account_id: str, keep_session_id: str | None, reason: str) -> int:
    return sessions.revoke_all(account_id, reason, keep_session_id)
