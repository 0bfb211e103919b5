"""Single-use activation codes, stored as keyed hashes, for a patient named by the keyed hash
of the national ID."""
from models.db import require_str, utcnow


PENDING = "pending"  # `approval` of a code that waits for a second staff account


def _usable(national_id_hash: str, code_hash: str, now) -> dict:
    require_str(national_id_hash, code_hash)
    return {"national_id_hash": national_id_hash, "code_hash": code_hash, "used_at": None,
            "expires_at": {"$gt": now}, "approval": {"$ne": PENDING}}


class ActivationCodes:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, code_id: str, national_id_hash: str, code_hash: str, expires_at,
               issued_by: dict, patient_id: str, pending: bool = False) -> None:
        """A new code; it cancels the patient's older unused ones (only the newest works). A
        `pending` code works only once a second staff account approved it (decide)."""
        now = utcnow()
        self.db.activation_codes.update_many(
            {"national_id_hash": national_id_hash, "used_at": None},
            {"$set": {"used_at": now, "superseded": True}})
        self.db.activation_codes.insert_one({
            "_id": code_id, "national_id_hash": national_id_hash, "code_hash": code_hash,
            "patient_id": patient_id, "expires_at": expires_at, "issued_by": issued_by,
            "issued_at": now, "used_at": None, "approval": PENDING if pending else None})

    def usable(self, national_id_hash: str, code_hash: str) -> dict | None:
        """The matching, unexpired, unused code (nothing is claimed), or None."""
        return self.db.activation_codes.find_one(_usable(national_id_hash, code_hash, utcnow()))

    def claim(self, national_id_hash: str, code_hash: str, purpose: str) -> bool:
        """Mark a matching, unexpired, unused code as used; True only for the one caller that
        did."""
        now = utcnow()
        doc = self.db.activation_codes.find_one_and_update(
            _usable(national_id_hash, code_hash, now),
            {"$set": {"used_at": now, "used_for": purpose}})
        return doc is not None

    def get_by_id(self, code_id: str) -> dict | None:
        require_str(code_id)
        return self.db.activation_codes.find_one({"_id": code_id})

    def pending(self, after: tuple | None, limit: int) -> list[dict]:
        """Unused, unexpired codes awaiting approval, oldest first; `after` is the (issued_at,
        _id) of the last one of the previous page."""
        query: dict = {"approval": PENDING, "used_at": None, "expires_at": {"$gt": utcnow()}}
        if after:
            query["$or"] = [{"issued_at": {"$gt": after[0]}},
                            {"issued_at": after[0], "_id": {"$gt": after[1]}}]
        return list(self.db.activation_codes.find(query, {"code_hash": 0})
                    .sort([("issued_at", 1), ("_id", 1)]).limit(limit))

    def decide(self, code_id: str, approver_id: str, fields: dict) -> bool:
        """Approve or reject a pending code; False when it awaits no decision any more (used,
        superseded or decided) or `approver_id` issued it. One conditional write."""
        result = self.db.activation_codes.update_one(
            {"_id": code_id, "approval": PENDING, "used_at": None,
             "issued_by.id": {"$ne": approver_id}}, {"$set": fields})
        return result.modified_count == 1


# Transitional: the module-level functions of before, on the app's database.
