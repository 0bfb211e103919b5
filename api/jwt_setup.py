"""flask-jwt-extended wiring: HS256 only, audiences, revocation checked in the database, and
401 problem+json where the library would answer 422."""
from datetime import timedelta

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from jwt import PyJWTError

from api.errors import domain_problem
from api.extensions import jwt
from api.extensions import ctx
from services.operations import hospitals
from services.signin import sessions, tokens
from services.errors import FreshSignInRequired, Unauthorized


def configure(app) -> None:
    cfg = app.config
    cfg["JWT_ALGORITHM"] = "HS256"
    cfg["JWT_DECODE_ALGORITHMS"] = ["HS256"]  # "none" and key-confusion algorithms refused
    cfg["JWT_TOKEN_LOCATION"] = ["headers"]
    cfg["JWT_COOKIE_CSRF_PROTECT"] = False  # header tokens only; no csrf claim needed
    cfg["JWT_DECODE_AUDIENCE"] = tokens.AUDIENCES
    cfg["JWT_ENCODE_ISSUER"] = cfg["JWT_DECODE_ISSUER"] = "phr"
    cfg["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=cfg["ACCESS_TOKEN_MINUTES"])
    jwt.init_app(app)


class JwtCodec:
    """The token codec the services are handed as ctx.jwt: flask-jwt-extended's HS256 encoding
    and decoding under the app's settings (used inside the app's context). What a token says
    is services/signin/tokens.py's business."""

    def access(self, identity: str, expires: timedelta, claims: dict,
               fresh: timedelta | bool = False) -> str:
        return create_access_token(identity=identity, expires_delta=expires, fresh=fresh,
                                   additional_claims=claims)

    def refresh(self, identity: str, expires: timedelta, claims: dict) -> str:
        return create_refresh_token(identity=identity, expires_delta=expires,
                                    additional_claims=claims)

    def decode(self, token: str) -> dict:
        """The claims of a valid token. Raises ValueError for anything else."""
        try:
            return decode_token(token)
        except PyJWTError:
            raise ValueError("not a valid token") from None


def _unauthorized(detail: str):
    # The same problem, and the same Bearer challenge, as an Unauthorized raised by a service.
    return domain_problem(Unauthorized(detail))


@jwt.unauthorized_loader
def _missing_token(_reason):
    return _unauthorized("A bearer token is required.")


@jwt.invalid_token_loader
def _invalid_token(_reason):
    return _unauthorized("The token is not valid.")


@jwt.expired_token_loader
def _expired_token(_header, _payload):
    return _unauthorized("The token has expired.")


@jwt.revoked_token_loader
def _revoked_token(_header, _payload):
    return _unauthorized("The token has been revoked; sign in again.")


@jwt.needs_fresh_token_loader
def _needs_fresh(_header, _payload):
    return domain_problem(FreshSignInRequired())


@jwt.user_lookup_error_loader
def _lookup_error(_header, _payload):
    return _unauthorized("The token is not valid.")


@jwt.token_in_blocklist_loader
def _is_revoked(_header, payload) -> bool:
    """Session tokens die with their session; hospital and witness tokens with their client."""
    audience = payload.get("aud")
    if audience in (tokens.PATIENT, tokens.STAFF):
        return not sessions.is_active(ctx(), payload.get("sid", ""), payload["sub"])
    if audience in (tokens.HOSPITAL, tokens.WITNESS):
        return not hospitals.accepts_token(ctx(), payload)
    return False  # mfa/enrollment step tokens: minutes long, checked by their own flows
