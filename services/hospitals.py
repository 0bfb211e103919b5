"""Hospital API clients: creation (CLI, demo seed) and the client-credentials token."""
import hmac

from models import hospitals
from security.codes import client_secret, opaque_id
from services import tokens
from services.context import peppered_hash
from services.errors import InvalidCredentials

DEFAULT_SCOPES = ["records:write", "records:read", "activation-codes:write", "export:read"]


def create_hospital(name: str, hospital_id: str | None = None,
                    scopes: list[str] | None = None) -> dict:
    """Returns the credentials; the secret is shown here once and stored only as a hash."""
    hospital_id = hospital_id or opaque_id("hosp")
    client_id, secret = opaque_id("cli"), client_secret()
    hospitals.insert(hospital_id, name, client_id, _secret_hash(secret), scopes or DEFAULT_SCOPES)
    return {"hospital_id": hospital_id, "client_id": client_id, "client_secret": secret}


def issue_token(client_id: str, secret: str) -> dict:
    """Raises InvalidCredentials for an unknown client, a wrong secret or a disabled hospital."""
    hospital = hospitals.find_by_client_id(client_id)
    presented = _secret_hash(secret)
    # An unknown client still costs one HMAC and one comparison, like a wrong secret.
    expected = hospital["secret_hash"] if hospital else "0" * len(presented)
    if not hmac.compare_digest(presented, expected) or not hospital or not hospital["active"]:
        raise InvalidCredentials()
    return tokens.hospital_token(hospital["_id"], hospital["scopes"])


def _secret_hash(secret: str) -> str:
    # Client secrets are 256 random bits, so a keyed hash is as strong as a slow one.
    return peppered_hash("client-secret", secret)
