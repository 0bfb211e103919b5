"""Hospital API clients: id, display name, client id, keyed hash of the secret, scopes."""
from models.db import get_db, require_str, utcnow


def insert(hospital_id: str, name: str, client_id: str, secret_hash: str,
           scopes: list[str]) -> None:
    get_db().hospitals.insert_one({
        "_id": hospital_id, "name": name, "client_id": client_id, "secret_hash": secret_hash,
        "scopes": scopes, "active": True, "created_at": utcnow()})


def find_by_client_id(client_id: str) -> dict | None:
    require_str(client_id)
    return get_db().hospitals.find_one({"client_id": client_id})


def is_active(hospital_id: str) -> bool:
    return get_db().hospitals.count_documents({"_id": hospital_id, "active": True}, limit=1) == 1
