"""Every index, in one place. Unique and partial indexes carry invariants; TTL indexes only tidy
up (queries check expiry themselves, because TTL deletion runs late)."""
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import OperationFailure

from security.audit_anchor import genesis_head

MAIN_AUDIT_CHAIN = "main"
INDEX_NOT_FOUND = 27  # MongoDB's error code

# Functions that read a whole collection on purpose, with the reason. Every other query must be
# served by an index below (tests/indexcheck/coverage.py states the rule; the suite checks it).
ALLOWED_SCANS: dict[str, str] = {
    "models/sealed.py:Sealed.documents": "key rotation (`flask rotate-keys`, an operator job) "
    "reads every sealed value of every collection in _id order",
    "models/sealed.py:Sealed.count": "key rotation counts what it will read, for its progress bar",
    "models/data_requests.py:DataRequests.queue": "the support queue lists every patient's "
    "requests (unfiltered, or by status) in due-day order: the (due, _id) index walks them in "
    "that order and a page stops at its limit",
}

# Indexes an earlier version declared and this one replaced: dropped at start-up where found,
# so a deployed database stops maintaining them. {collection: [index names]}.
RETIRED = {
    "sessions": ["account_id_1_created_at_-1"],
    "trusted_devices": ["account_id_1_session_id_1", "session_id_1"],
    "audit_log": ["patient_id_1_at_-1_seq_-1"],
    "devices": ["patient_id_1", "session_id_1"],
    # Partial on {$type: "string"}, which no query can be proven to imply.
    "records": ["hospital_id_1_resource_type_1_source_key_1",
                "author_1_resource_type_1_source_key_1_hospital_id_1"],
}


def ensure_indexes(db) -> None:
    db.patients.create_indexes([IndexModel([("national_id_hash", ASCENDING)], unique=True)])
    db.staff.create_indexes([IndexModel([("username", ASCENDING)], unique=True)])
    db.hospitals.create_indexes([IndexModel([("client_id", ASCENDING)], unique=True)])
    # Live sessions are asked for by revoked_at: None; the key keeps revoked ones out of the scan.
    db.sessions.create_indexes([
        IndexModel([("account_id", ASCENDING), ("revoked_at", ASCENDING),
                    ("created_at", DESCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=7 * 24 * 3600),
    ])
    db.activation_codes.create_indexes([
        IndexModel([("national_id_hash", ASCENDING), ("code_hash", ASCENDING)], unique=True),
        IndexModel([("national_id_hash", ASCENDING), ("used_at", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=30 * 24 * 3600),
        # The four-eyes queue: staff codes for people who have not registered yet.
        IndexModel([("approval", ASCENDING), ("used_at", ASCENDING), ("issued_at", ASCENDING),
                    ("_id", ASCENDING)]),
    ])
    db.trusted_devices.create_indexes([
        IndexModel([("token_hash", ASCENDING)], unique=True),
        IndexModel([("account_id", ASCENDING), ("revoked_at", ASCENDING),
                    ("expires_at", ASCENDING)]),
        IndexModel([("session_id", ASCENDING), ("revoked_at", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=30 * 24 * 3600),
    ])
    # The audit trail is written on every request: plain indexes only. A unique one would make
    # each insert scan the collection on the embedded database (models/audit.py).
    db.audit_log.create_indexes([
        IndexModel([("chain", ASCENDING), ("seq", ASCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("chain", ASCENDING), ("at", DESCENDING),
                    ("seq", DESCENDING)]),
    ])
    # Chain heads are found by _id: no index. The main chain's head is made at start-up
    # (start_audit_chain, below), with the chain key.
    db.audit_checkpoints.create_indexes([IndexModel([("chain", ASCENDING), ("seq", ASCENDING)])])
    db.security_events.create_indexes([IndexModel([("account_id", ASCENDING), ("at", DESCENDING)])])
    db.used_step_tokens.create_indexes([IndexModel([("expires_at", ASCENDING)],
                                                   expireAfterSeconds=3600)])
    # One record per hospital resource (type and the hospital's own id): the unique index is
    # what makes two parallel first pushes of one resource create one record.
    db.records.create_indexes([
        # Partial filters are comparisons, not $type: MongoDB uses a partial index only when it
        # can prove the query implies the filter, and it proves `hospital_id: "h"` implies
        # `$gt: ""` (same type, greater) but never `$type: "string"`.
        IndexModel([("hospital_id", ASCENDING), ("resource_type", ASCENDING),
                    ("source_key", ASCENDING)], unique=True, name="records_hospital_source",
                   partialFilterExpression={"hospital_id": {"$gt": ""}}),
        IndexModel([("patient_id", ASCENDING), ("sort_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("category", ASCENDING), ("sort_at", DESCENDING),
                    ("_id", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("updated_at", ASCENDING)]),
        # Has this hospital pushed anything for this patient (may it issue an activation code)?
        IndexModel([("patient_id", ASCENDING), ("hospital_id", ASCENDING), ("version", ASCENDING)],
                   name="records_patient_hospital",
                   partialFilterExpression={"hospital_id": {"$gt": ""}}),
        # Patients' own entries are keyed by author (hospital_id None): plain, not unique, as
        # each entry gets a new random source id, so two pushes never race for one key.
        IndexModel([("author", ASCENDING), ("resource_type", ASCENDING),
                    ("source_key", ASCENDING), ("hospital_id", ASCENDING)],
                   name="records_author_source", partialFilterExpression={"author": {"$gt": ""}}),
    ])
    db.record_versions.create_indexes([
        IndexModel([("record_id", ASCENDING), ("version", ASCENDING)]),
        IndexModel([("hospital_id", ASCENDING), ("received_at", ASCENDING), ("_id", ASCENDING)]),
        # A Bulk Data export reads one resource type after another (one file each), `_type`
        # naming some or all of them.
        IndexModel([("hospital_id", ASCENDING), ("resource_type", ASCENDING),
                    ("received_at", ASCENDING), ("_id", ASCENDING)]),
    ])
    # Bulk Data export jobs and their files hold copies of health data: the queries check
    # expires_at themselves; the TTL indexes remove them as soon as they may (no grace).
    db.bulk_exports.create_indexes([
        IndexModel([("hospital_id", ASCENDING), ("expires_at", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ])
    db.bulk_export_files.create_indexes([
        IndexModel([("hospital_id", ASCENDING), ("job_id", ASCENDING),
                    ("resource_type", ASCENDING), ("seq", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ])
    db.ingest_requests.create_indexes([IndexModel([("created_at", ASCENDING)],
                                                  expireAfterSeconds=30 * 24 * 3600)])
    db.consents.create_indexes([
        IndexModel([("patient_id", ASCENDING), ("recorded_at", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("grantee.kind", ASCENDING),
                    ("grantee.key", ASCENDING)]),
        IndexModel([("grantee.kind", ASCENDING), ("grantee.key", ASCENDING),
                    ("status", ASCENDING)]),
        # The four-eyes queue: consents staff recorded, awaiting approval, oldest first.
        IndexModel([("status", ASCENDING), ("recorded_at", ASCENDING), ("_id", ASCENDING)]),
    ])
    db.representatives.create_indexes([
        IndexModel([("child_id", ASCENDING), ("representative_key", ASCENDING)]),
        IndexModel([("child_id", ASCENDING), ("recorded_at", DESCENDING)]),
        IndexModel([("representative_key", ASCENDING), ("status", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("recorded_at", ASCENDING), ("_id", ASCENDING)]),
    ])
    # Scans are found by _id (with their patient and item in the filter): no index.
    db.devices.create_indexes([IndexModel([("token_hash", ASCENDING)], unique=True),
                               IndexModel([("patient_id", ASCENDING), ("unlinked_at", ASCENDING)]),
                               IndexModel([("session_id", ASCENDING), ("unlinked_at", ASCENDING)]),
                               IndexModel([("unlinked_at", ASCENDING)])])
    db.data_requests.create_indexes([
        IndexModel([("patient_id", ASCENDING), ("received_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("due", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("due", ASCENDING), ("_id", ASCENDING)]),
    ])
    db.notifications.create_indexes([
        IndexModel([("patient_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("delivery.state", ASCENDING), ("delivery.next_at", ASCENDING)]),
    ])
    # Keyed by _id (hash of the sign-in identifier): one-document reads and $inc, no scans.
    db.throttles.create_indexes([IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=3600)])
    _drop_retired(db)


def start_audit_chain(db, key: bytes, chain: str = MAIN_AUDIT_CHAIN) -> bool:
    """Make the chain's sealed genesis head, unless it has a head or any entry; True when made.

    Made at start-up, not by the first append: mongomock creates a collection on first use
    without a lock, so two threads making the first entry at once could each create an
    `audit_heads` of their own (a fork). Never over a chain that has entries: a head deleted
    from such a chain stays missing (appends and the access log refuse, verify-audit names it)
    rather than coming back at seq 0 to hide the entries. Two instances starting at once write
    the same document ($setOnInsert)."""
    if db.audit_heads.find_one({"_id": chain}, {"_id": 1}) is not None \
            or db.audit_log.find_one({"chain": chain}, {"_id": 1}) is not None:
        return False
    result = db.audit_heads.update_one({"_id": chain}, {"$setOnInsert": genesis_head(key, chain)},
                                       upsert=True)
    return result.upserted_id is not None


def _drop_retired(db) -> None:
    """Drops what RETIRED names. Two instances starting at once may both try: the one that finds
    the index gone already (IndexNotFound) carries on."""
    for collection, names in RETIRED.items():
        present = db[collection].index_information()
        for name in names:
            if name in present:
                try:
                    db[collection].drop_index(name)
                except OperationFailure as failure:
                    if failure.code != INDEX_NOT_FOUND:
                        raise
