"""The MongoDB client's one owner: real MongoDB when MONGO_URI is set, else embedded mongomock."""
import functools
import threading
from datetime import datetime, timezone

import mongomock
import pymongo
from flask import current_app
from pymongo.errors import PyMongoError

from models import query_recorder
from models.indexes import ensure_indexes

DuplicateKeyError = pymongo.errors.DuplicateKeyError
ReturnDocument = pymongo.ReturnDocument


# mongomock applies a write by scanning, then changing documents in place, so two threads can both
# pass one conditional filter. Real MongoDB makes each single-document write atomic, and the code
# relies on that (single-use codes, refresh rotation), so the embedded stand-in serialises writes.
_EMBEDDED_WRITE_LOCK = threading.RLock()
_WRITE_METHODS = ("insert_one", "insert_many", "update_one", "update_many", "replace_one",
                  "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
                  "delete_one", "delete_many", "bulk_write")


def _serialise_embedded_writes() -> None:
    collection_class = mongomock.collection.Collection
    for name in _WRITE_METHODS:
        original = getattr(collection_class, name)
        if getattr(original, "serialised", False):
            continue

        @functools.wraps(original)
        def locked(self, *args, _original=original, **kwargs):
            with _EMBEDDED_WRITE_LOCK:
                return _original(self, *args, **kwargs)
        locked.serialised = True
        setattr(collection_class, name, locked)


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
        _serialise_embedded_writes()
        client = mongomock.MongoClient(tz_aware=True)
    db = client[app.config["MONGO_DB_NAME"]]
    app.extensions["mongo_client"] = client
    # The database itself, unless a test run records query shapes (models/query_recorder.py).
    app.extensions["mongo_db"] = query_recorder.watch(db)
    ensure_indexes(db)


def get_db():
    return current_app.extensions["mongo_db"]


def ping() -> bool:
    """True when the database answers a ping."""
    try:
        get_db().command("ping")
        return True
    except PyMongoError:
        return False


def is_empty(db=None) -> bool:
    db = db if db is not None else get_db()
    return all(db[name].estimated_document_count() == 0
               for name in ("patients", "staff", "hospitals"))
