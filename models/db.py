"""The MongoDB client's one owner: real MongoDB when MONGO_URI is set, else embedded mongomock."""
from datetime import datetime, timezone

import mongomock
import pymongo
from flask import current_app
from pymongo.errors import PyMongoError

from models import query_recorder
from models import embedded
from models.indexes import ensure_indexes, start_audit_chain

DuplicateKeyError = pymongo.errors.DuplicateKeyError
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
    # The database itself, unless a test run records query shapes (models/query_recorder.py).
    app.extensions["mongo_db"] = query_recorder.watch(db)
    ensure_indexes(db)
    start_audit_chain(db, app.config["AUDIT_CHAIN_KEY"].encode("utf-8"))


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
