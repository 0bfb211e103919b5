"""Clinical records: one `records` document per record (what lists and filters read) and one
immutable `record_versions` document per version (the history). Nothing is overwritten or
deleted: an amendment adds a version and moves the record's pointer forward.

Clinical content arrives here already sealed (services.records.reading); what queries need (patient,
hospital, category, resource type, dates, version) stays in the clear.

Order of writes, so that a crash loses nothing: the version document first (its _id,
"<record id>:<version>", is what lets only one of two parallel amendments take a version
number), then the record's pointer, moved only forward. A crash between the two leaves a
version the pointer has not reached; the next push of the same resource finds it and repairs
the pointer (see `advance`).
"""
from pymongo import UpdateOne

from models.db import DuplicateKeyError, ReturnDocument, insert_new, require_str, utcnow


class Records:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def ensure_record(self, new_id: str, key: dict, fields: dict) -> dict:
        """The record of `key` (hospital_id or author, resource_type, source_key), created with
        `new_id` and `fields` on first push."""
        # The key's fields come from the equality filter on insert; naming them again would
        # conflict.
        insert = {"_id": new_id, **fields, "version": 0, "created_at": utcnow()}
        try:
            return self.db.records.find_one_and_update(
                key, {"$setOnInsert": insert}, upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # a parallel push created it first
            return self.db.records.find_one(key)

    def create_records(self, docs: list[dict]) -> set[str]:
        """Insert new records at version 0 in one write (unordered: one taken key stops none
        of the others). The ids inserted; a key a parallel push created first is left out."""
        now = utcnow()
        return insert_new(self.db.records,
                         [{**doc, "version": 0, "created_at": now} for doc in docs])

    def records_of_hospital(self, hospital_id: str, resource_types: list[str],
                            source_keys: list[str]) -> list[dict]:
        """The hospital's records among `resource_types` x `source_keys`, in one query (a bundle's
        worth; served by the unique (hospital, type, source key) index)."""
        require_str(hospital_id, *resource_types, *source_keys)
        return list(self.db.records.find({"hospital_id": hospital_id,
                                          "resource_type": {"$in": resource_types},
                                          "source_key": {"$in": source_keys}}))

    def pushed_by(self, patient_id: str, hospital_id: str) -> bool:
        """Whether the hospital stored any record of the patient (a version, not only a pointer a
        crashed push left at 0). One indexed look-up, limit 1; a patient id no record has (one
        unknown to the platform) costs the same."""
        require_str(patient_id, hospital_id)
        return self.db.records.find_one(
            {"patient_id": patient_id, "hospital_id": hospital_id, "version": {"$gt": 0}},
            {"_id": 1}) is not None

    def find_record(self, key: dict) -> dict | None:
        return self.db.records.find_one(key)

    def add_version(self, record: dict, version: int, sealed_resource: str, content_hash: str,
                    bundle_id: str | None) -> bool:
        """Store version `version` of the record; False when that version already exists."""
        try:
            self.db.record_versions.insert_one(_version_doc(
                record, version, sealed_resource, content_hash, bundle_id, utcnow()))
        except DuplicateKeyError:
            return False
        return True

    def add_versions(self, versions: list[tuple]) -> set[tuple[str, int]]:
        """add_version for many in one write: each (record, version, sealed resource, content
        hash, bundle id). The (record id, version) pairs stored; a number a parallel
        amendment took first is left out."""
        now = utcnow()
        docs = [_version_doc(*version, now) for version in versions]
        stored = insert_new(self.db.record_versions, docs)
        return {(d["record_id"], d["version"]) for d in docs if d["_id"] in stored}

    def version(self, record_id: str, number: int) -> dict | None:
        return self.db.record_versions.find_one({"_id": f"{record_id}:{number}"})

    def advance(self, record_id: str, number: int, fields: dict) -> bool:
        """Point the record at version `number` (with its list fields), only forward."""
        result = self.db.records.update_one(
            {"_id": record_id, "version": {"$lt": number}},
            {"$set": {**fields, "version": number, "updated_at": utcnow()}})
        return result.modified_count == 1

    def advance_many(self, moves: list[tuple[str, int, dict]]) -> None:
        """advance for many in one bulk write: each (record id, version, list fields)."""
        if not moves:
            return
        now = utcnow()
        self.db.records.bulk_write([
            UpdateOne({"_id": record_id, "version": {"$lt": number}},
                      {"$set": {**fields, "version": number, "updated_at": now}})
            for record_id, number, fields in moves], ordered=False)

    def for_patient(self, patient_id: str, *, categories, since, after: tuple | None, limit: int,
                    exclude_hospital: str | None = None) -> list[dict]:
        """A page of the patient's records, newest first by `sort_at` then id; `after` is the
        (sort_at, _id) of the last record of the previous page; `categories` None for all."""
        require_str(patient_id)
        query: dict = {"patient_id": patient_id, "version": {"$gt": 0}}
        if categories is not None:
            query["category"] = {"$in": list(categories)}
        if exclude_hospital:
            query["hospital_id"] = {"$ne": exclude_hospital}
        if since is not None:
            query["updated_at"] = {"$gt": since}
        if after:
            query["$or"] = [{"sort_at": {"$lt": after[0]}},
                            {"sort_at": after[0], "_id": {"$lt": after[1]}}]
        cursor = self.db.records.find(query).sort([("sort_at", -1), ("_id", -1)]).limit(limit)
        return list(cursor)

    def get_for_patient(self, patient_id: str, record_id: str) -> dict | None:
        """The record, only if it is this patient's."""
        require_str(patient_id, record_id)
        return self.db.records.find_one({"_id": record_id, "patient_id": patient_id})

    def versions_of(self, record_id: str) -> list[dict]:
        return list(self.db.record_versions.find({"record_id": record_id}).sort("version", 1))

    def all_for_patient(self, patient_id: str, batch_size: int = 200):
        require_str(patient_id)
        return self.db.records.find({"patient_id": patient_id}).sort(
            [("sort_at", -1), ("_id", -1)]).batch_size(batch_size)

    def versions_by_hospital(self, hospital_id: str, batch_size: int = 500):
        """Every version a hospital pushed, oldest first (for its export)."""
        require_str(hospital_id)
        return self.db.record_versions.find({"hospital_id": hospital_id}).sort(
            [("received_at", 1), ("_id", 1)]).batch_size(batch_size)

    def current_for_export(self, hospital_id: str, resource_types: list[str] | None, since,
                           batch_size: int = 500):
        """The current version of each of the hospital's records (the record documents), one
        resource type after another, `resource_types` None for all, changed after `since` if
        given; read in batches (a Bulk Data export)."""
        query = _export_query(hospital_id, resource_types, "updated_at", since)
        query["version"] = {"$gt": 0}  # a pointer a crashed first push left at 0 holds nothing
        return self.db.records.find(query).sort(
            [("resource_type", 1), ("source_key", 1)]).batch_size(batch_size)

    def versions_for_export(self, hospital_id: str, resource_types: list[str] | None, since,
                            batch_size: int = 500):
        """Every version the hospital pushed, one resource type after another, oldest first
        within a type; filtered as current_for_export."""
        query = _export_query(hospital_id, resource_types, "received_at", since)
        return self.db.record_versions.find(query).sort(
            [("resource_type", 1), ("received_at", 1), ("_id", 1)]).batch_size(batch_size)

    def version_counts_by_patient(self, hospital_id: str) -> dict[str, int]:
        """{patient id: versions} of what a hospital pushed, in one aggregation (for the access
        log entries of its export)."""
        require_str(hospital_id)
        return {row["_id"]: row["count"] for row in self.db.record_versions.aggregate([
            {"$match": {"hospital_id": hospital_id}},
            {"$group": {"_id": "$patient_id", "count": {"$sum": 1}}}])}

    def count_versions_by_hospital(self, hospital_id: str) -> int:
        return self.db.record_versions.count_documents({"hospital_id": hospital_id})


def _export_query(hospital_id: str, resource_types: list[str] | None, time_field: str,
                  since) -> dict:
    require_str(hospital_id, *(resource_types or ()))
    query: dict = {"hospital_id": hospital_id}
    if resource_types is not None:
        query["resource_type"] = {"$in": list(resource_types)}
    if since is not None:
        query[time_field] = {"$gt": since}
    return query


# Transitional: the module-level functions of before, on the app's database.


def _version_doc(record: dict, version: int, sealed_resource: str, content_hash: str,
                 bundle_id: str | None, now) -> dict:
    return {"_id": f"{record['_id']}:{version}", "record_id": record["_id"],
            "patient_id": record["patient_id"], "hospital_id": record.get("hospital_id"),
            "resource_type": record["resource_type"], "source_key": record["source_key"],
            "version": version, "resource": sealed_resource, "content_hash": content_hash,
            "bundle_id": bundle_id, "received_at": now}
