"""Support staff accounts (the sign-in fields are handled by models.accounts)."""
from models.db import DuplicateKeyError, get_db, utcnow
from security.codes import opaque_id


def insert(username: str, password_hash: str) -> str | None:
    """Create a staff account (TOTP is set up at first sign-in); None when the username is
    taken."""
    staff_id = opaque_id("stf")
    doc = {"_id": staff_id, "username": username, "password_hash": password_hash,
           "totp_active": False, "created_at": utcnow()}
    try:
        get_db().staff.insert_one(doc)
    except DuplicateKeyError:
        return None
    return staff_id
