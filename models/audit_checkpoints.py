"""The database's own copy of the audit chain's signed checkpoints (security.audit_anchor): what
GET /v1/audit/checkpoint serves to a witness, and one of the places flask verify-audit reads.

Whoever can write to the database can delete or change these, which is why each is also written
outside it (services/audit/checkpoints.py); a changed one no longer verifies. Several
checkpoints may name one seq (the hourly command with no entry in between): no unique key."""
from pymongo.errors import PyMongoError


_HIDDEN = {"_id": 0}


class CheckpointStore:
    def __init__(self, db, chain: str):
        self.db, self.chain = db, chain  # made on every audit entry: the collection only if used

    @property
    def points(self):
        return self.db.audit_checkpoints

    def add(self, signed: dict) -> bool:
        """False when the database did not take it (the caller logs it: the entries it anchors
        are stored, and the file and log copies went out)."""
        try:
            self.points.insert_one(dict(signed))
        except PyMongoError:
            return False
        return True

    def latest(self) -> dict | None:
        """The checkpoint with the highest seq, or None."""
        found = list(self.points.find({"chain": self.chain}, _HIDDEN).sort("seq", -1).limit(1))
        return found[0] if found else None

    def all(self) -> list[dict]:
        """Every checkpoint of the chain, in seq order (one per thousand entries or per hour)."""
        return list(self.points.find({"chain": self.chain}, _HIDDEN).sort("seq", 1))
