"""Support staff accounts (the sign-in fields are handled by models.accounts)."""
from models.db import DuplicateKeyError, require_str, utcnow
from security.codes import opaque_id


class Staff:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, username: str, password_hash: str, roles: list[str]) -> str | None:
        """Create a staff account (TOTP is set up at first sign-in); None when the username is
        taken."""
        staff_id = opaque_id("stf")
        doc = {"_id": staff_id, "username": username, "password_hash": password_hash,
               "roles": sorted(set(roles)), "totp_active": False, "created_at": utcnow()}
        try:
            self.db.staff.insert_one(doc)
        except DuplicateKeyError:
            return None
        return staff_id

    def roles_of(self, staff_id: str) -> list[str] | None:
        """The roles of an enabled staff account (None when there is none). Accounts made before
        roles existed hold none and were support staff."""
        require_str(staff_id)
        doc = self.db.staff.find_one({"_id": staff_id, "disabled": {"$ne": True}}, {"roles": 1})
        return None if doc is None else doc.get("roles", ["support"])


# Transitional: the module-level functions of before, on the app's database.
