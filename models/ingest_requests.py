"""Idempotency keys of bundle pushes: one document per (hospital, key), holding the hash of the
body and, once done, the sealed answer to give again.

A push claims its key by inserting the document (the _id makes two claims of one key impossible).
A claim holds a lease: if its process dies, a retry after the lease takes the key over, and
re-running is safe because storing a resource is idempotent itself (same content, same record).
Each claim has its own holder id, which finishing and releasing must name: a push that outlived
its lease can no longer free or answer a key a retry has taken over.
"""
import secrets
from datetime import timedelta

from models.db import DuplicateKeyError, utcnow

LEASE = timedelta(minutes=5)


class IngestRequests:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def claim(self, key_id: str, body_hash: str) -> tuple[str | None, dict | None]:
        """(holder id, None) when this request now holds the key; otherwise (None, the key's
        document as it is)."""
        now, holder = utcnow(), secrets.token_hex(16)
        for _ in range(3):  # a key released between our insert and our read is claimed again
            try:
                self.db.ingest_requests.insert_one({"_id": key_id, "body_hash": body_hash,
                                                    "state": "pending", "lease_until": now + LEASE,
                                                    "holder": holder, "created_at": now})
                return holder, None
            except DuplicateKeyError:
                doc = self.db.ingest_requests.find_one({"_id": key_id})
            if doc is not None:
                break
        else:
            return None, {"state": "pending", "body_hash": body_hash}  # churning: answered 409
        if doc and doc["state"] == "pending" and doc["body_hash"] == body_hash \
                and doc["lease_until"] <= now:
            taken = self.db.ingest_requests.update_one(
                {"_id": key_id, "state": "pending", "lease_until": doc["lease_until"]},
                {"$set": {"lease_until": now + LEASE, "holder": holder}})
            if taken.modified_count == 1:
                return holder, None
        return None, doc

    def finish(self, key_id: str, holder: str, sealed_answer: str, status: int) -> None:
        self.db.ingest_requests.update_one(
            {"_id": key_id, "holder": holder, "state": "pending"},
            {"$set": {"state": "done", "answer": sealed_answer, "status": status,
                      "finished_at": utcnow()}})

    def release(self, key_id: str, holder: str) -> None:
        """The push failed before storing its answer: the key is free for a retry at once."""
        self.db.ingest_requests.delete_one({"_id": key_id, "holder": holder, "state": "pending"})


# Transitional: the module-level functions of before, on the app's database.
