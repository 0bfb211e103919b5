"""Trusted devices: a device that completed both factors holds an opaque token (stored here only
as a keyed hash) that gives its sign-ins their own lockout budget. One per session."""
from models.db import require_str, utcnow


class TrustedDevices:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, device_id: str, token_hash: str, kind: str, account_id: str, session_id: str,
               expires_at) -> None:
        self.db.trusted_devices.insert_one({
            "_id": device_id, "token_hash": token_hash, "kind": kind, "account_id": account_id,
            "session_id": session_id, "created_at": utcnow(), "expires_at": expires_at,
            "revoked_at": None})

    def find_valid(self, token_hash: str) -> dict | None:
        """The unrevoked, unexpired device holding this token hash."""
        require_str(token_hash)
        return self.db.trusted_devices.find_one(
            {"token_hash": token_hash, "revoked_at": None, "expires_at": {"$gt": utcnow()}})

    def revoke(self, device_id: str, reason: str) -> None:
        self._revoke({"_id": device_id}, reason)

    def revoke_for_session(self, session_id: str, reason: str) -> None:
        self._revoke({"session_id": session_id}, reason)

    def revoke_all(self, account_id: str, reason: str) -> int:
        return self._revoke({"account_id": account_id}, reason)

    def _revoke(self, query: dict, reason: str) -> int:
        result = self.db.trusted_devices.update_many(
            {**query, "revoked_at": None},
            {"$set": {"revoked_at": utcnow(), "revoked_reason": reason}})
        return result.modified_count

    def trusted_session_ids(self, account_id: str) -> set[str]:
        """Sessions of the account whose device token still works."""
        cursor = self.db.trusted_devices.find(
            {"account_id": account_id, "revoked_at": None, "expires_at": {"$gt": utcnow()}},
            {"session_id": 1})
        return {doc["session_id"] for doc in cursor}


# Transitional: the module-level functions of before, on the app's database.
