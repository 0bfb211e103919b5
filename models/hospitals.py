"""Hospital API clients: id, display name, client id, keyed hash of the secret, scopes."""
from models.db import DuplicateKeyError, require_str, utcnow

_HOSPITALS_ONLY = {"kind": {"$ne": "witness"}}  # models.witnesses share the collection


class Hospitals:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, hospital_id: str, name: str, client_id: str, secret_hash: str,
               scopes: list[str]) -> bool:
        """False when the hospital id is taken."""
        try:
            self.db.hospitals.insert_one({
                "_id": hospital_id, "name": name, "client_id": client_id,
                "secret_hash": secret_hash, "scopes": scopes, "active": True,
                "created_at": utcnow()})
        except DuplicateKeyError:
            return False
        return True

    def find_by_client_id(self, client_id: str) -> dict | None:
        require_str(client_id)
        return self.db.hospitals.find_one({"client_id": client_id})

    def get(self, hospital_id: str) -> dict | None:
        require_str(hospital_id)
        return self.db.hospitals.find_one({"_id": hospital_id})

    def replace_secret(self, hospital_id: str, secret_hash: str, previous_valid_until,
                       end_old_tokens: bool) -> bool:
        """The new secret works at once; the current one keeps working until
        `previous_valid_until` (a grace period for the hospital to deploy the new one). Each secret
        has a generation that its tokens carry; `end_old_tokens` stops the older generations'
        tokens at once (a leaked secret)."""
        hospital = self.get(hospital_id)
        if not hospital:
            return False
        generation = hospital.get("secret_generation", 0) + 1
        fields = {"secret_hash": secret_hash, "previous_secret_hash": hospital["secret_hash"],
                  "previous_secret_valid_until": previous_valid_until,
                  "secret_generation": generation, "secret_rotated_at": utcnow()}
        if end_old_tokens:
            fields["min_token_generation"] = generation
        result = self.db.hospitals.update_one(
            {"_id": hospital_id, "secret_hash": hospital["secret_hash"]}, {"$set": fields})
        return result.modified_count == 1

    def deactivate(self, hospital_id: str) -> bool:
        result = self.db.hospitals.update_one(
            {"_id": hospital_id}, {"$set": {"active": False, "deactivated_at": utcnow()}})
        return result.matched_count == 1

    def names(self, hospital_ids) -> dict:
        """{hospital id: display name} for these ids (hospitals only: an audit witness kept in the
        same collection is no hospital to name or to grant a consent to); unknown ids are left
        out. One query."""
        hospital_ids = list(hospital_ids)
        require_str(*hospital_ids)
        if not hospital_ids:
            return {}
        cursor = self.db.hospitals.find({"_id": {"$in": list(hospital_ids)}, **_HOSPITALS_ONLY},
                                        {"name": 1})
        return {doc["_id"]: doc["name"] for doc in cursor}

    def accepts_token(self, hospital_id: str, generation: int) -> bool:
        """The hospital is active and has not ended tokens of this secret generation."""
        require_str(hospital_id)
        return self.db.hospitals.count_documents(
            {"_id": hospital_id, "active": True,
             "$or": [{"min_token_generation": {"$exists": False}},
                     {"min_token_generation": {"$lte": generation}}]}, limit=1) == 1

    def specialties_of(self, hospital_ids: list[str]) -> dict[str, tuple[list[str], str]]:
        """{hospital id: (the sensitivity labels it is marked with, its display name)} for these
        hospitals. One query."""
        require_str(*hospital_ids)
        cursor = self.db.hospitals.find({"_id": {"$in": list(hospital_ids)}},
                                        {"sensitive_labels": 1, "name": 1})
        return {doc["_id"]: (doc.get("sensitive_labels", []), doc.get("name") or "")
                for doc in cursor}

    def add_sensitive_labels(self, hospital_id: str, labels: list[str]) -> bool:
        """Mark the hospital as a specialty whose every record carries these labels (added to any
        it has; never taken away here). False when there is no such hospital."""
        result = self.db.hospitals.update_one(
            {"_id": hospital_id}, {"$addToSet": {"sensitive_labels": {"$each": labels}}})
        return result.matched_count == 1


# Transitional: the module-level functions of before, on the app's database.
