"""Single-use activation codes, stored as keyed hashes."""
from models.db import get_db, utcnow


def insert(national_id: str, code_hash: str, expires_at, issued_by: dict) -> None:
    get_db().activation_codes.insert_one({
        "national_id": national_id, "code_hash": code_hash, "expires_at": expires_at,
        "issued_by": issued_by, "issued_at": utcnow(), "used_at": None})


def claim(national_id: str, code_hash: str) -> bool:
    """Mark a matching, unexpired, unused code as used; True only for the one caller that did."""
    now = utcnow()
    doc = get_db().activation_codes.find_one_and_update(
        {"national_id": national_id, "code_hash": code_hash, "used_at": None,
         "expires_at": {"$gt": now}},
        {"$set": {"used_at": now}})
    return doc is not None
