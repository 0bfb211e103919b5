"""Failed sign-in counters, one document per sign-in identifier (keyed by its hash).

Reads and writes touch one document by _id, so the lockout stays cheap and holds across
processes. A counter older than the window starts again from zero.
"""
from datetime import timedelta

from models.db import ReturnDocument, get_db, utcnow

WINDOW = timedelta(hours=1)


def locked_until(key: str):
    """When the lock on `key` ends, or None when it is not locked."""
    doc = get_db().throttles.find_one({"_id": key, "locked_until": {"$gt": utcnow()}})
    return doc["locked_until"] if doc else None


def record_failure(key: str, threshold: int, lock_seconds: int):
    """Count one failure; returns the lock's end when this failure reached the threshold."""
    db, now = get_db(), utcnow()
    db.throttles.update_one({"_id": key, "expires_at": {"$lte": now}},
                            {"$set": {"failures": 0}})
    doc = db.throttles.find_one_and_update(
        {"_id": key}, {"$inc": {"failures": 1}, "$set": {"expires_at": now + WINDOW}},
        upsert=True, return_document=ReturnDocument.AFTER)
    if doc["failures"] < threshold:
        return None
    until = now + timedelta(seconds=lock_seconds)
    db.throttles.update_one({"_id": key}, {"$set": {"locked_until": until, "failures": 0,
                                                   "expires_at": until + WINDOW}})
    return until


def clear(key: str) -> None:
    get_db().throttles.delete_one({"_id": key, "locked_until": {"$not": {"$gt": utcnow()}}})
