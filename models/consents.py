"""Consents, never deleted: a revocation is recorded on the consent (who, when, the evidence)
and the history stays listed. A person grantee is stored by the keyed hash of their national
ID (`grantee.key`), never the plaintext."""
from models.db import require_str


class Consents:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, doc: dict) -> None:
        self.db.consents.insert_one(doc)

    def of_patient(self, patient_id: str) -> list[dict]:
        """Every consent of the patient, newest first (revoked ones too: the history)."""
        require_str(patient_id)
        return list(self.db.consents.find({"patient_id": patient_id}).sort("recorded_at", -1))

    def get(self, patient_id: str, consent_id: str) -> dict | None:
        """The consent, only if it is this patient's."""
        require_str(patient_id, consent_id)
        return self.db.consents.find_one({"_id": consent_id, "patient_id": patient_id})

    def between(self, patient_id: str, grantee_kind: str, grantee_key: str) -> list[dict]:
        """The patient's consents to one grantee (the engine decides which of them hold)."""
        require_str(patient_id, grantee_key)
        return list(self.db.consents.find({"patient_id": patient_id, "grantee.kind": grantee_kind,
                                           "grantee.key": grantee_key}))

    def to_grantee(self, grantee_kind: str, grantee_key: str) -> list[dict]:
        """Consents naming this grantee that were not revoked (for "shared with me")."""
        require_str(grantee_key)
        return list(self.db.consents.find({"grantee.kind": grantee_kind, "grantee.key": grantee_key,
                                           "status": "active"}))

    def mark_revoked(self, patient_id: str, consent_id: str, fields: dict) -> bool:
        """Record the revocation of an active consent, or of one still awaiting approval; False
        when it was revoked already (or is not this patient's). One conditional write: two
        revocations at once cannot both succeed, nor a revocation and an approval."""
        result = self.db.consents.update_one(
            {"_id": consent_id, "patient_id": patient_id, "status": {"$in": ["active", "proposed"]},
             "revoked_at": None},
            {"$set": fields})
        return result.modified_count == 1

    def get_by_id(self, consent_id: str) -> dict | None:
        """Any patient's consent by its id: for the staff approvals queue, which works across
        patients (the id names the patient)."""
        require_str(consent_id)
        return self.db.consents.find_one({"_id": consent_id})

    def pending(self, after: tuple | None, limit: int) -> list[dict]:
        """Consents awaiting a second staff account's approval, oldest first; `after` is the
        (recorded_at, _id) of the last one of the previous page."""
        query: dict = {"status": "proposed"}
        if after:
            query["$or"] = [{"recorded_at": {"$gt": after[0]}},
                            {"recorded_at": after[0], "_id": {"$gt": after[1]}}]
        return list(self.db.consents.find(query).sort([("recorded_at", 1), ("_id", 1)])
                    .limit(limit))

    def decide(self, consent_id: str, approver_ref: str, fields: dict) -> bool:
        """Record the approval or rejection of a proposed consent; False when it is not proposed
        any more (decided or withdrawn meanwhile). One conditional write, which also refuses the
        account that recorded it: two decisions at once cannot both succeed."""
        result = self.db.consents.update_one(
            {"_id": consent_id, "status": "proposed", "revoked_at": None,
             "recorded_by": {"$ne": approver_ref}}, {"$set": fields})
        return result.modified_count == 1


# Transitional: the module-level functions of before, on the app's database.
