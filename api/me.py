"""/v1/me: the signed-in patient's own profile, sessions, password and access log."""
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.audit import AccessLogPageOut, AccessLogQuery
from api.schemas.me import PasswordChangeIn, ProfileOut, SessionOut
from api.extensions import ctx
from services import patients
from services.signin import credentials, sessions, tokens
from services.signin.tokens import PATIENT

blp = Blueprint("me", __name__, url_prefix="/v1/me", description="The signed-in patient")


@blp.get("")
@require(PATIENT)
@blp.response(200, ProfileOut)
def profile():
    """The patient's profile (id is the opaque patient id)."""
    return patients.profile(ctx(), claims()["sub"])


@blp.get("/sessions")
@require(PATIENT)
@blp.response(200, SessionOut(many=True))
def list_sessions():
    """Signed-in devices; `current` marks this one."""
    token = claims()
    return sessions.list_for(ctx(), token["sub"], token["sid"])


@blp.delete("/sessions/<session_id>")
@require(PATIENT)
@blp.response(204)
def end_session(session_id):
    """Sign one device out."""
    patients.end_session(ctx(), claims()["sub"], session_id)


@blp.post("/password")
@require(PATIENT, fresh_for=(PATIENT,))
@blp.arguments(PasswordChangeIn)
@blp.response(204)
def change_password(body):
    """Change the password (needs a fresh sign-in); other devices are signed out."""
    token = claims()
    kind, account_id = tokens.account_of(token)
    credentials.change_password(ctx(), kind, account_id, token["sid"], body["current_password"],
                                body["new_password"])


@blp.get("/access-log")
@require(PATIENT)
@blp.arguments(AccessLogQuery, location="query")
@blp.response(200, AccessLogPageOut)
def access_log(query):
    """Who read or changed this patient's data, when and why: newest first, by pages."""
    return patients.access_log(ctx(), claims()["sub"], query["limit"], query.get("cursor"))
