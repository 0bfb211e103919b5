"""Single-use activation codes, stored as keyed hashes, for a patient named by the keyed hash
of the national ID."""
from models.db import get_db, require_str, utcnow


def insert(national_id_hash: str, code_hash: str, expires_at, issued_by: dict) -> None:
    """A new code; it cancels the patient's older unused ones (only the newest works)."""
    now = utcnow()
    get_db().activation_codes.update_many({"national_id_hash": national_id_hash, "used_at": None},
                                          {"$set": {"used_at": now, "superseded": True}})
    get_db().activation_codes.insert_one({
        "national_id_hash": national_id_hash, "code_hash": code_hash, "expires_at": expires_at,
        "issued_by": issued_by, "issued_at": utcnow(), "used_at": None})


def _usable(national_id_hash: str, code_hash: str, now) -> dict:
    require_str(national_id_hash, code_hash)
    return {"national_id_hash": national_id_hash, "code_hash": code_hash, "used_at": None,
            "expires_at": {"$gt": now}}


def usable(national_id_hash: str, code_hash: str) -> dict | None:
    """The matching, unexpired, unused code (nothing is claimed), or None."""
    return get_db().activation_codes.find_one(_usable(national_id_hash, code_hash, utcnow()))


def claim(national_id_hash: str, code_hash: str, purpose: str) -> bool:
    """Mark a matching, unexpired, unused code as used; True only for the one caller that did."""
    now = utcnow()
    doc = get_db().activation_codes.find_one_and_update(
        _usable(national_id_hash, code_hash, now), {"$set": {"used_at": now, "used_for": purpose}})
    return doc is not None
