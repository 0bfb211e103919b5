"""FHIR Bulk Data export jobs of hospitals (`bulk_exports`) and their files (`bulk_export_files`,
one document per chunk of a file, its lines sealed by services.records.bulk_files).

Every read names the hospital with the job id, so another hospital's job id finds nothing, and
checks `expires_at` itself: TTL deletion only tidies up, late. A job is written `in-progress`
before its files and turned `complete` by one conditional update after them, so its files are
served only once all of them are stored (and the export is on the audit trail)."""
from models.db import require_str

IN_PROGRESS, COMPLETE = "in-progress", "complete"


class BulkExports:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def create(self, job: dict) -> None:
        """Insert a job (with _id, hospital_id, expires_at) as in progress."""
        self.db.bulk_exports.insert_one({**job, "status": IN_PROGRESS})

    def live_expiries(self, hospital_id: str, now, limit: int) -> list:
        """When the hospital's unexpired jobs expire, soonest first, at most `limit` (a cap on
        the copies of its data it keeps, and when the next one goes)."""
        require_str(hospital_id)
        cursor = self.db.bulk_exports.find(
            {"hospital_id": hospital_id, "expires_at": {"$gt": now}},
            {"expires_at": 1}).sort("expires_at", 1).limit(limit)
        return [doc["expires_at"] for doc in cursor]

    def add_chunks(self, chunks: list[dict]) -> None:
        """Store file chunks (each with _id, job_id, hospital_id, resource_type, seq, data,
        expires_at), several per round trip."""
        if chunks:
            self.db.bulk_export_files.insert_many(chunks, ordered=False)

    def complete(self, hospital_id: str, job_id: str, fields: dict) -> bool:
        """Mark the job complete with `fields` (output, handover); only from in progress."""
        require_str(hospital_id, job_id)
        result = self.db.bulk_exports.update_one(
            {"_id": job_id, "hospital_id": hospital_id, "status": IN_PROGRESS},
            {"$set": {**fields, "status": COMPLETE}})
        return result.modified_count == 1

    def get(self, hospital_id: str, job_id: str, now) -> dict | None:
        """The hospital's job, unless expired; None for another hospital's or an unknown id."""
        require_str(hospital_id, job_id)
        return self.db.bulk_exports.find_one({"_id": job_id, "hospital_id": hospital_id,
                                              "expires_at": {"$gt": now}})

    def chunks(self, hospital_id: str, job_id: str, resource_type: str, now, batch_size=20):
        """The chunks of one file, in order, unless expired; read in batches."""
        require_str(hospital_id, job_id, resource_type)
        return self.db.bulk_export_files.find(
            {"hospital_id": hospital_id, "job_id": job_id, "resource_type": resource_type,
             "expires_at": {"$gt": now}}).sort("seq", 1).batch_size(batch_size)

    def delete(self, hospital_id: str, job_id: str, now) -> bool:
        """Delete the hospital's unexpired job, then its files; False when there is none.
        A crash between the two leaves chunks no job serves, which their TTL removes."""
        require_str(hospital_id, job_id)
        result = self.db.bulk_exports.delete_one({"_id": job_id, "hospital_id": hospital_id,
                                                  "expires_at": {"$gt": now}})
        if result.deleted_count != 1:
            return False
        self.delete_files(hospital_id, job_id)
        return True

    def delete_files(self, hospital_id: str, job_id: str) -> None:
        require_str(hospital_id, job_id)
        self.db.bulk_export_files.delete_many({"hospital_id": hospital_id, "job_id": job_id})

    def discard(self, hospital_id: str, job_id: str) -> None:
        """Remove a job that did not finish, and whatever files it stored."""
        require_str(hospital_id, job_id)
        self.db.bulk_exports.delete_one({"_id": job_id, "hospital_id": hospital_id})
        self.delete_files(hospital_id, job_id)
