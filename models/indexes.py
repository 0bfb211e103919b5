"""Every index, in one place. Unique and partial indexes carry invariants; TTL indexes only tidy
up (queries check expiry themselves, because TTL deletion runs late)."""
from pymongo import ASCENDING, DESCENDING, IndexModel

from security.audit_chain import GENESIS

MAIN_AUDIT_CHAIN = "main"

# Functions that read a whole collection on purpose, with the reason. Every other query must be
# served by an index below (models/index_coverage.py states the rule; the test suite checks it).
ALLOWED_SCANS: dict[str, str] = {}


def ensure_indexes(db) -> None:
    db.patients.create_indexes([IndexModel([("national_id_hash", ASCENDING)], unique=True)])
    db.staff.create_indexes([IndexModel([("username", ASCENDING)], unique=True)])
    db.hospitals.create_indexes([IndexModel([("client_id", ASCENDING)], unique=True)])
    db.sessions.create_indexes([
        IndexModel([("account_id", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=7 * 24 * 3600),
    ])
    db.activation_codes.create_indexes([
        IndexModel([("national_id_hash", ASCENDING), ("code_hash", ASCENDING)], unique=True),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=30 * 24 * 3600),
    ])
    db.trusted_devices.create_indexes([
        IndexModel([("token_hash", ASCENDING)], unique=True),
        IndexModel([("account_id", ASCENDING), ("session_id", ASCENDING)]),
        IndexModel([("session_id", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=30 * 24 * 3600),
    ])
    # The audit trail is written on every request: plain indexes only. A unique one would make
    # each insert scan the collection on the embedded database (models/audit.py).
    db.audit_log.create_indexes([
        IndexModel([("chain", ASCENDING), ("seq", ASCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("at", DESCENDING), ("seq", DESCENDING)]),
    ])
    # Chain heads are found by _id: no index. The main chain's head is made here, not by the
    # first append: mongomock creates a collection on first use without a lock, so two threads
    # making the first entry at once could each create an `audit_heads` of their own (a fork).
    db.audit_heads.update_one({"_id": MAIN_AUDIT_CHAIN},
                              {"$setOnInsert": {"seq": 0, "hash": GENESIS}}, upsert=True)
    db.security_events.create_indexes([IndexModel([("account_id", ASCENDING), ("at", DESCENDING)])])
    db.used_step_tokens.create_indexes([IndexModel([("expires_at", ASCENDING)],
                                                   expireAfterSeconds=3600)])
    # One record per hospital resource (type and the hospital's own id): the unique index is
    # what makes two parallel first pushes of one resource create one record.
    db.records.create_indexes([
        IndexModel([("hospital_id", ASCENDING), ("resource_type", ASCENDING),
                    ("source_key", ASCENDING)], unique=True,
                   partialFilterExpression={"hospital_id": {"$type": "string"}}),
        IndexModel([("patient_id", ASCENDING), ("sort_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("category", ASCENDING), ("sort_at", DESCENDING),
                    ("_id", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("updated_at", ASCENDING)]),
    ])
    db.record_versions.create_indexes([
        IndexModel([("record_id", ASCENDING), ("version", ASCENDING)]),
        IndexModel([("hospital_id", ASCENDING), ("received_at", ASCENDING), ("_id", ASCENDING)]),
    ])
    db.ingest_requests.create_indexes([IndexModel([("created_at", ASCENDING)],
                                                  expireAfterSeconds=30 * 24 * 3600)])
    db.consents.create_indexes([
        IndexModel([("patient_id", ASCENDING), ("recorded_at", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("grantee.kind", ASCENDING),
                    ("grantee.key", ASCENDING)]),
        IndexModel([("grantee.kind", ASCENDING), ("grantee.key", ASCENDING),
                    ("status", ASCENDING)]),
    ])
    db.devices.create_indexes([IndexModel([("token_hash", ASCENDING)], unique=True),
                               IndexModel([("patient_id", ASCENDING)]),
                               IndexModel([("session_id", ASCENDING)])])
    db.notifications.create_indexes([
        IndexModel([("patient_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("delivery.state", ASCENDING), ("delivery.next_at", ASCENDING)]),
    ])
    # Keyed by _id (hash of the sign-in identifier): one-document reads and $inc, no scans.
    db.throttles.create_indexes([IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=3600)])
