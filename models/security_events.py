"""Security events of an account (repeated failed sign-ins, locks, password and factor changes).

Kept for the account owner and for the notification outbox. Details never hold a password,
code, token or health data."""
from models.db import utcnow


class SecurityEvents:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def record(self, kind: str, account_id: str, event: str, details: dict | None = None) -> None:
        self.db.security_events.insert_one({
            "kind": kind, "account_id": account_id, "event": event, "details": details or {},
            "at": utcnow()})

    def list_for(self, account_id: str, limit: int = 100) -> list[dict]:
        cursor = self.db.security_events.find({"account_id": account_id}, {"_id": 0}).sort(
            "at", -1).limit(limit)
        return list(cursor)


# Transitional: the module-level functions of before, on the app's database.
