"""Security events of an account (repeated failed sign-ins, locks, password and factor changes).

Kept for the account owner and for the notification outbox. Details never hold a password,
code, token or health data."""
from models.db import get_db, utcnow


def record(kind: str, account_id: str, event: str, details: dict | None = None) -> None:
    get_db().security_events.insert_one({
        "kind": kind, "account_id": account_id, "event": event, "details": details or {},
        "at": utcnow()})


def list_for(account_id: str, limit: int = 100) -> list[dict]:
    cursor = get_db().security_events.find({"account_id": account_id}, {"_id": 0}).sort(
        "at", -1).limit(limit)
    return list(cursor)
