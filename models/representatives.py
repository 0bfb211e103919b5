"""Legal representatives of children, recorded by staff from a signed form and in force only
once a second staff account approved them. Never deleted: a decision or a withdrawal is
recorded on the link. The representative is named by the keyed hash of their national ID
(`representative_key`, as consents name a person), the plaintext only sealed."""
from models.db import require_str


class Representatives:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, doc: dict) -> None:
        self.db.representatives.insert_one(doc)

    def get_by_id(self, representative_id: str) -> dict | None:
        require_str(representative_id)
        return self.db.representatives.find_one({"_id": representative_id})

    def of_child(self, child_id: str) -> list[dict]:
        """Every link of the child, newest first (decided and withdrawn ones too)."""
        require_str(child_id)
        return list(self.db.representatives.find({"child_id": child_id})
                    .sort("recorded_at", -1))

    def between(self, child_id: str, representative_key: str) -> list[dict]:
        """The links naming this person as the child's representative (the engine decides which
        are in force)."""
        require_str(child_id, representative_key)
        return list(self.db.representatives.find({"child_id": child_id,
                                                  "representative_key": representative_key}))

    def of_representative(self, representative_key: str) -> list[dict]:
        """Approved links naming this person (for "shared with me"; expiry is judged by the
        caller at read time)."""
        require_str(representative_key)
        return list(self.db.representatives.find({"representative_key": representative_key,
                                                  "status": "active"}))

    def pending(self, after: tuple | None, limit: int) -> list[dict]:
        """Links awaiting approval, oldest first; `after` as in models.consents.pending."""
        query: dict = {"status": "proposed"}
        if after:
            query["$or"] = [{"recorded_at": {"$gt": after[0]}},
                            {"recorded_at": after[0], "_id": {"$gt": after[1]}}]
        return list(self.db.representatives.find(query).sort([("recorded_at", 1), ("_id", 1)])
                    .limit(limit))

    def decide(self, representative_id: str, approver_ref: str, fields: dict) -> bool:
        """Approve or reject a proposed link; False when it is not proposed any more. One
        conditional write that also refuses the account that recorded it."""
        result = self.db.representatives.update_one(
            {"_id": representative_id, "status": "proposed", "recorded_by": {"$ne": approver_ref}},
            {"$set": fields})
        return result.modified_count == 1

    def mark_revoked(self, child_id: str, link_id: str, fields: dict) -> bool:
        """Record the withdrawal of a link still pending or in force; False when it was withdrawn
        or decided otherwise meanwhile. One conditional write."""
        result = self.db.representatives.update_one(
            {"_id": link_id, "child_id": child_id, "status": {"$in": ["proposed", "active"]},
             "revoked_at": None}, {"$set": fields})
        return result.modified_count == 1


# Transitional: the module-level functions of before, on the app's database.
