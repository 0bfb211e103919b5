"""Support staff accounts (the sign-in fields are handled by models.accounts)."""
from models.db import get_db, utcnow
from security.codes import opaque_id


def insert(username: str, password_hash: str) -> str:
    """Create a staff account; TOTP is set up at first sign-in (enrollment flow)."""
    staff_id = opaque_id("stf")
    doc = {"_id": staff_id, "username": username, "password_hash": password_hash,
           "totp_active": False, "created_at": utcnow()}
    get_db().staff.insert_one(doc)
    return staff_id
