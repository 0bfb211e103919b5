"""The MongoDB client's one owner: real MongoDB when MONGO_URI is set, else embedded mongomock."""
from datetime import datetime, timezone

import mongomock
import pymongo
from pymongo.errors import BulkWriteError, PyMongoError

from models import embedded
from models.indexes import ensure_indexes, start_audit_chain

DuplicateKeyError = pymongo.errors.DuplicateKeyError
# Functions each database handle passes through as an app opens it (add_handle_hook).
_HANDLE_HOOKS: list = []
ReturnDocument = pymongo.ReturnDocument


def require_str(*values) -> None:
    """Raises TypeError unless every value is a str. Schemas already refuse non-strings; this
    keeps an operator object ({"$ne": None}) out of a filter whatever the caller."""
    if not all(isinstance(v, str) for v in values):
        raise TypeError("lookups take strings only")


def utcnow() -> datetime:
    # MongoDB keeps milliseconds; truncating here keeps values equal after a round trip.
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def init_app(app) -> None:
    """Open the client once per app and create indexes (idempotent)."""
    uri = app.config["MONGO_URI"]
    if uri:
        client = pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
    else:
        embedded.adapt()
        client = mongomock.MongoClient(tz_aware=True)
    db = client[app.config["MONGO_DB_NAME"]]
    app.extensions["mongo_client"] = client
    ensure_indexes(db)
    start_audit_chain(db, app.config["AUDIT_CHAIN_KEY"].encode("utf-8"))
    handle = db
    for hook in _HANDLE_HOOKS:  # a test run's query recorder, nothing in production
        handle = hook(handle)
    app.extensions["mongo_db"] = handle


def add_handle_hook(hook) -> None:
    """Have every database handle opened from now on pass through `hook(db) -> db`: how the
    test suite records the shape of each query (tests/indexcheck) without this module knowing.
    A hook added twice runs once."""
    if hook not in _HANDLE_HOOKS:
        _HANDLE_HOOKS.append(hook)


def ping(db) -> bool:
    """True when the database answers a ping."""
    try:
        db.command("ping")
        return True
    except PyMongoError:
        return False


def is_empty(db) -> bool:
    return all(db[name].estimated_document_count() == 0
               for name in ("patients", "staff", "hospitals"))


def insert_new(collection, docs: list[dict]) -> set[str]:
    """Insert docs in one unordered write; the ids stored (those refused as duplicates are
    not; any other error is raised)."""
    if not docs:
        return set()
    try:
        collection.insert_many(docs, ordered=False)
    except BulkWriteError as failed:
        errors = failed.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        refused = {e["op"]["_id"] for e in errors}
        return {d["_id"] for d in docs} - refused
    return {d["_id"] for d in docs}
