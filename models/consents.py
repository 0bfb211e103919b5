"""Consents, never deleted: a revocation is recorded on the consent (who, when, the evidence)
and the history stays listed. A person grantee is stored by the keyed hash of their national
ID (`grantee.key`), never the plaintext."""
from models.db import get_db, require_str


def insert(doc: dict) -> None:
    get_db().consents.insert_one(doc)


def of_patient(patient_id: str) -> list[dict]:
    """Every consent of the patient, newest first (revoked ones too: the history)."""
    require_str(patient_id)
    return list(get_db().consents.find({"patient_id": patient_id}).sort("recorded_at", -1))


def get(patient_id: str, consent_id: str) -> dict | None:
    """The consent, only if it is this patient's."""
    require_str(patient_id, consent_id)
    return get_db().consents.find_one({"_id": consent_id, "patient_id": patient_id})


def between(patient_id: str, grantee_kind: str, grantee_key: str) -> list[dict]:
    """The patient's consents to one grantee (the engine decides which of them hold)."""
    require_str(patient_id, grantee_key)
    return list(get_db().consents.find({"patient_id": patient_id, "grantee.kind": grantee_kind,
                                        "grantee.key": grantee_key}))


def to_grantee(grantee_kind: str, grantee_key: str) -> list[dict]:
    """Consents naming this grantee that were not revoked (for "shared with me")."""
    require_str(grantee_key)
    return list(get_db().consents.find({"grantee.kind": grantee_kind, "grantee.key": grantee_key,
                                        "status": "active"}))


def mark_revoked(patient_id: str, consent_id: str, fields: dict) -> bool:
    """Record the revocation; False when it was revoked already (or is not this patient's). One
    conditional write: two revocations at once cannot both succeed."""
    result = get_db().consents.update_one(
        {"_id": consent_id, "patient_id": patient_id, "status": "active", "revoked_at": None},
        {"$set": fields})
    return result.modified_count == 1
