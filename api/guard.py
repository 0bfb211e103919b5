"""Who may call a view: audience (patient, staff, hospital, ...), scope and freshness."""
import time
from functools import wraps

from flask_jwt_extended import get_jwt, verify_jwt_in_request

from services.operations import admin
from services.errors import Forbidden, FreshSignInRequired
from services.signin.tokens import STAFF
from api.extensions import ctx

BEARER_DOC = {"manual_doc": {"security": [{"bearerAuth": []}],
                             "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN"}}}


def require(*audiences: str, scope: str | None = None, fresh_for: tuple = (),
            refresh: bool = False, role: str | None = None):
    """Allow tokens whose `aud` is one of `audiences`; `fresh_for` lists audiences that must
    present a fresh token (just signed in); hospitals also need `scope`, staff `role`."""
    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            verify_jwt_in_request(refresh=refresh)
            claims = get_jwt()
            if claims.get("aud") not in audiences:
                raise Forbidden()
            if scope and scope not in claims.get("scope", "").split():
                raise Forbidden(f"This token lacks the scope {scope}.")
            if claims["aud"] in fresh_for and not _is_fresh(claims):
                raise FreshSignInRequired()
            if role and claims["aud"] == STAFF:
                admin.require_role(ctx(), claims["sub"], role)
            return view(*args, **kwargs)
        guarded._apidoc = _with_bearer_doc(getattr(view, "_apidoc", {}))
        return guarded
    return decorator


def _is_fresh(claims: dict) -> bool:
    # flask-jwt-extended's own fresh=True check would apply to every audience of the view;
    # enrollment tokens are never fresh yet must pass, so the check is made here per audience.
    fresh = claims.get("fresh")
    return fresh is True or (isinstance(fresh, (int, float)) and not isinstance(fresh, bool)
                             and fresh >= time.time())


def claims() -> dict:
    return get_jwt()


def token_subject() -> str:
    """Rate-limit key: the verified token's subject, so each account has its own budget. Only for
    a limit decorated below @require; above it no token is verified yet and this raises
    RuntimeError (a 500, never a limit keyed on nothing)."""
    return f"sub:{get_jwt()['sub']}"


def _with_bearer_doc(apidoc: dict) -> dict:
    """The view's documentation plus the bearer scheme and its 401/403, keeping what the view
    documents itself (its request body, other responses)."""
    manual = dict(apidoc.get("manual_doc", {}))
    ours = BEARER_DOC["manual_doc"]
    manual["security"] = ours["security"]
    manual["responses"] = {**ours["responses"], **manual.get("responses", {})}
    return {**apidoc, "manual_doc": manual}
