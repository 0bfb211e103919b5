"""Push devices (FCM registration tokens), one per token: a token registered again by another
account moves to it, so a shared phone stops receiving the previous user's pushes. The token is
stored sealed, and found by its keyed hash.

A device whose session ends is unlinked (`unlinked_at`), not deleted at once: it gets nothing
new, but the security notices recorded up to that moment still reach it (a password changed
by someone else signs the owner's phone out, and that phone is exactly where the owner must be
told). Unlinked devices are deleted a day later (purge_unlinked, each delivery round)."""
from datetime import datetime

from models.db import DuplicateKeyError, ReturnDocument, require_str, utcnow


class Devices:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def register(self, device_id: str, token_hash: str, sealed_token: str, patient_id: str,
                 session_id: str, fields: dict) -> dict:
        """Create the device, or move the token's device to this patient and session."""
        require_str(token_hash)
        now = utcnow()
        update = {"$set": {"patient_id": patient_id, "session_id": session_id,
                           "token": sealed_token, "last_seen_at": now, "unlinked_at": None,
                           **fields},
                  "$setOnInsert": {"_id": device_id, "created_at": now}}
        try:
            return self.db.devices.find_one_and_update({"token_hash": token_hash}, update,
                                                       upsert=True,
                                                       return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # a parallel registration of the same token inserted it
            return self.db.devices.find_one_and_update({"token_hash": token_hash}, update,
                                                       return_document=ReturnDocument.AFTER)

    def of_patient(self, patient_id: str, unlinked_since: datetime | None = None) -> list[dict]:
        """The patient's linked devices; with `unlinked_since`, also those unlinked at or after it
        (the targets of a security notice recorded then)."""
        require_str(patient_id)
        query: dict = {"patient_id": patient_id, "unlinked_at": None}
        if unlinked_since is not None:
            query = {"patient_id": patient_id, "$or": [{"unlinked_at": None},
                                                       {"unlinked_at": {"$gte": unlinked_since}}]}
        return list(self.db.devices.find(query))

    def remove(self, patient_id: str, device_id: str) -> bool:
        """Only the patient's own device."""
        require_str(patient_id, device_id)
        result = self.db.devices.delete_one({"_id": device_id, "patient_id": patient_id})
        return result.deleted_count == 1

    def remove_by_id(self, device_id: str) -> None:
        self.db.devices.delete_one({"_id": device_id})

    def unlink_session(self, session_id: str) -> None:
        """Signing a session out unlinks its device: nothing new is pushed to it."""
        self.db.devices.update_many({"session_id": session_id, "unlinked_at": None},
                                    {"$set": {"unlinked_at": utcnow()}})

    def unlink_all(self, account_id: str, keep_session_id: str | None = None) -> None:
        query: dict = {"patient_id": account_id, "unlinked_at": None}
        if keep_session_id:
            query["session_id"] = {"$ne": keep_session_id}
        self.db.devices.update_many(query, {"$set": {"unlinked_at": utcnow()}})

    def purge_unlinked(self, before: datetime) -> None:
        """Forget devices unlinked before `before` (their sealed tokens with them)."""
        self.db.devices.delete_many({"unlinked_at": {"$lt": before}})


# Transitional: the module-level functions of before, on the app's database.
