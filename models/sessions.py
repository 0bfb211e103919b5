"""Sign-in sessions: one per device sign-in, holding the current refresh token id (rotation)."""
from models.db import utcnow

_PUBLIC = {"_id": 1, "created_at": 1, "last_used_at": 1, "user_agent": 1, "expires_at": 1}


class Sessions:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def create(self, session_id: str, kind: str, account_id: str, refresh_jti: str, expires_at,
               user_agent: str) -> None:
        now = utcnow()
        self.db.sessions.insert_one({
            "_id": session_id, "kind": kind, "account_id": account_id, "refresh_jti": refresh_jti,
            "created_at": now, "last_used_at": now, "expires_at": expires_at,
            "user_agent": user_agent, "revoked_at": None})

    def get_active(self, session_id: str) -> dict | None:
        return self.db.sessions.find_one(
            {"_id": session_id, "revoked_at": None, "expires_at": {"$gt": utcnow()}})

    def rotate(self, session_id: str, presented_jti: str, new_jti: str) -> bool:
        """Swap the refresh token id; False when `presented_jti` is not the current one."""
        now = utcnow()
        result = self.db.sessions.update_one(
            {"_id": session_id, "refresh_jti": presented_jti, "revoked_at": None,
             "expires_at": {"$gt": now}},
            {"$set": {"refresh_jti": new_jti, "last_used_at": now}})
        return result.modified_count == 1

    def revoke(self, session_id: str, reason: str, account_id: str | None = None) -> bool:
        """Revoke one session (only the account's own when account_id is given)."""
        query = {"_id": session_id, "revoked_at": None}
        if account_id is not None:
            query["account_id"] = account_id
        result = self.db.sessions.update_one(
            query, {"$set": {"revoked_at": utcnow(), "revoked_reason": reason}})
        return result.modified_count == 1

    def revoke_all(self, account_id: str, reason: str, keep_session_id: str | None = None) -> int:
        query = {"account_id": account_id, "revoked_at": None}
        if keep_session_id:
            query["_id"] = {"$ne": keep_session_id}
        result = self.db.sessions.update_many(
            query, {"$set": {"revoked_at": utcnow(), "revoked_reason": reason}})
        return result.modified_count

    def list_active(self, account_id: str) -> list[dict]:
        cursor = self.db.sessions.find(
            {"account_id": account_id, "revoked_at": None, "expires_at": {"$gt": utcnow()}},
            _PUBLIC).sort("created_at", -1)
        return [{**doc, "id": doc.pop("_id")} for doc in cursor]


# Transitional: the module-level functions of before, on the app's database.
