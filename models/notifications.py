"""The in-app inbox, which is also the push outbox: one document per notification, written in
the same single write that records it, so no crash can lose a push that the inbox shows. The
delivery state (claimed by one worker under a lease, devices done) lives on the same document.
"""
from models.db import DuplicateKeyError, ReturnDocument, require_str, utcnow


# What the inbox shows, and of the delivery only what tells its status (never the worker, lease
# or error).
INBOX_FIELDS = {"kind": 1, "created_at": 1, "read_at": 1, "data": 1, "delivery.state": 1,
                "delivery.muted": 1, "delivery.sent_to": 1, "delivery.failed_for": 1}


class Notifications:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, doc: dict) -> bool:
        """False when a notification with this _id exists already (a notice given once)."""
        try:
            self.db.notifications.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def insert_many(self, docs: list[dict]) -> None:
        """Several new notifications (random ids) in one write."""
        if docs:
            self.db.notifications.insert_many(docs)

    def inbox(self, patient_id: str, *, before: tuple | None, limit: int) -> list[dict]:
        """Newest first; `before` is the (created_at, _id) of the last item of the previous page."""
        require_str(patient_id)
        query: dict = {"patient_id": patient_id}
        if before:
            query["$or"] = [{"created_at": {"$lt": before[0]}},
                            {"created_at": before[0], "_id": {"$lt": before[1]}}]
        cursor = self.db.notifications.find(query, INBOX_FIELDS)
        return list(cursor.sort([("created_at", -1), ("_id", -1)]).limit(limit))

    def mark_read(self, patient_id: str, notification_id: str) -> bool:
        """True when the notification is this patient's (read now, or before: the first time
        stays)."""
        require_str(patient_id, notification_id)
        self.db.notifications.update_one(
            {"_id": notification_id, "patient_id": patient_id, "read_at": None},
            {"$set": {"read_at": utcnow()}})
        return self.db.notifications.count_documents(
            {"_id": notification_id, "patient_id": patient_id}, limit=1) == 1

    def outbox_depth(self, states) -> dict:
        """How many notifications are in each delivery state (a count per state, each served
        by the delivery index's prefix)."""
        return {state: self.db.notifications.count_documents({"delivery.state": state})
                for state in states}

    def claim_one(self, worker_id: str, now, lease_until) -> dict | None:
        """Take one notification due for delivery: pending and due, or claimed under a lease that
        ran out (its worker died). One conditional write: exactly one worker gets it."""
        return self.db.notifications.find_one_and_update(
            {"delivery.state": {"$in": ["pending", "claimed"]},
             "$or": [{"delivery.state": "pending", "delivery.next_at": {"$lte": now}},
                     {"delivery.state": "claimed", "delivery.lease_until": {"$lte": now}}]},
            {"$set": {"delivery.state": "claimed", "delivery.worker": worker_id,
                      "delivery.lease_until": lease_until}},
            sort=[("delivery.next_at", 1)], return_document=ReturnDocument.AFTER)

    def device_done(self, notification_id: str, device_id: str, outcome: str) -> dict | None:
        """Record a device's outcome ("sent" or "failed"); the document after."""
        field = "delivery.sent_to" if outcome == "sent" else "delivery.failed_for"
        return self.db.notifications.find_one_and_update(
            {"_id": notification_id}, {"$addToSet": {field: device_id}},
            return_document=ReturnDocument.AFTER)

    def finish(self, notification_id: str, now) -> None:
        self.db.notifications.update_one(
            {"_id": notification_id, "delivery.state": {"$ne": "done"}},
            {"$set": {"delivery.state": "done", "delivery.done_at": now or utcnow()}})

    def retry_later(self, notification_id: str, worker_id: str, next_at, error: str) -> None:
        """Back to pending, due at `next_at` (only by the worker that holds it)."""
        self.db.notifications.update_one(
            {"_id": notification_id, "delivery.state": "claimed", "delivery.worker": worker_id},
            {"$set": {"delivery.state": "pending", "delivery.next_at": next_at,
                      "delivery.last_error": error}, "$inc": {"delivery.attempts": 1}})


# Transitional: the module-level functions of before, on the app's database.
