"""Patients exist from the first time a hospital names them; registration adds the sign-in part.

No national ID, name or contact detail is stored in the clear: the national ID is looked up by
its keyed hash (`national_id_hash`, a blind index) and every personal value is a sealed string
(services.patients seals and opens them). Only what queries need stays in the clear.
"""
from pymongo import UpdateOne

from models.db import DuplicateKeyError, ReturnDocument, insert_new, require_str, utcnow

SEALED_FIELDS = ("national_id", "name", "birth_date", "phone", "email")


class Patients:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def ensure_patient(self, national_id_hash: str, new_id: str, sealed: dict) -> str:
        """The patient's opaque id, creating the patient (as `new_id`, with the `sealed` values)
        on first mention."""
        require_str(national_id_hash)
        # national_id_hash comes from the equality filter on insert; naming it again would conflict.
        insert = {"_id": new_id, "created_at": utcnow(), **sealed}
        try:
            doc = self.db.patients.find_one_and_update(
                {"national_id_hash": national_id_hash}, {"$setOnInsert": insert},
                upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # a parallel upsert inserted it first
            doc = self.db.patients.find_one({"national_id_hash": national_id_hash})
        return doc["_id"]

    def insert_new(self, docs: list[dict]) -> set[str]:
        """Insert first mentions (each with _id, national_id_hash and sealed values) in one
        write; the ids inserted (a person a parallel push created first is left out)."""
        now = utcnow()
        return insert_new(self.db.patients, [{"created_at": now, **doc} for doc in docs])

    def get_many(self, patient_ids: list[str], fields: list[str]) -> dict[str, dict]:
        """{id: the patient's `fields`} of those stored, in one query."""
        require_str(*patient_ids)
        if not patient_ids:
            return {}
        return {d["_id"]: d for d in self.db.patients.find(
            {"_id": {"$in": sorted(set(patient_ids))}}, {f: 1 for f in fields})}

    def set_missing_many(self, fills: list[tuple[str, dict]]) -> None:
        """set_missing for many patients in one bulk write: each (patient id, sealed values)."""
        updates = [UpdateOne({"_id": patient_id, field: None}, {"$set": {field: value}})
                   for patient_id, sealed in fills for field, value in sealed.items()]
        if updates:
            self.db.patients.bulk_write(updates, ordered=False)

    def set_missing(self, patient_id: str, sealed: dict) -> None:
        """Fill personal values the patient does not have yet (a hospital names a birth date that
        the first mention lacked); never overwrites."""
        for field, value in sealed.items():
            self.db.patients.update_one({"_id": patient_id, field: None}, {"$set": {field: value}})

    def complete_registration(self, national_id_hash: str, password_hash: str,
                              sealed_contact: dict) -> str | None:
        """Set the password of a not yet registered patient; None when already registered."""
        now = utcnow()
        fields = {"password_hash": password_hash, "registered_at": now, "password_changed_at": now,
                  "totp_active": False, **sealed_contact}
        doc = self.db.patients.find_one_and_update(
            {"national_id_hash": national_id_hash, "registered_at": None}, {"$set": fields},
            return_document=ReturnDocument.AFTER)
        return doc["_id"] if doc else None

    def find_by_national_id_hash(self, national_id_hash: str) -> dict | None:
        require_str(national_id_hash)
        return self.db.patients.find_one({"national_id_hash": national_id_hash})

    def ids_by_national_id_hash(self, national_id_hashes: list[str]) -> dict[str, str]:
        """{national ID hash: patient id} of those stored, in one query."""
        require_str(*national_id_hashes)
        if not national_id_hashes:
            return {}
        return {d["national_id_hash"]: d["_id"] for d in self.db.patients.find(
            {"national_id_hash": {"$in": sorted(set(national_id_hashes))}},
            {"national_id_hash": 1})}

    def set_fields(self, patient_id: str, fields: dict) -> None:
        """Plain settings of the patient (language, muted notification kinds)."""
        require_str(patient_id)
        self.db.patients.update_one({"_id": patient_id}, {"$set": fields})

    def get(self, patient_id: str) -> dict | None:
        require_str(patient_id)
        return self.db.patients.find_one({"_id": patient_id})

    def national_ids_of(self, patient_ids: list[str]) -> list[dict]:
        """The sealed national IDs (with _id) of these patients, in one query."""
        require_str(*patient_ids)
        return list(self.db.patients.find({"_id": {"$in": list(patient_ids)}},
                                          {"_id": 1, "national_id": 1}))


# Transitional: the module-level functions of before, on the app's database.
