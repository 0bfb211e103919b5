"""Push devices (FCM registration tokens), one per token: a token registered again by another
account moves to it, so a shared phone stops receiving the previous user's pushes. The token is
stored sealed, and found by its keyed hash."""
from models.db import DuplicateKeyError, ReturnDocument, get_db, require_str, utcnow


def register(device_id: str, token_hash: str, sealed_token: str, patient_id: str,
             session_id: str, fields: dict) -> dict:
    """Create the device, or move the token's device to this patient and session."""
    require_str(token_hash)
    now = utcnow()
    update = {"$set": {"patient_id": patient_id, "session_id": session_id, "token": sealed_token,
                       "last_seen_at": now, **fields},
              "$setOnInsert": {"_id": device_id, "created_at": now}}
    try:
        return get_db().devices.find_one_and_update({"token_hash": token_hash}, update,
                                                    upsert=True,
                                                    return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:  # a parallel registration of the same token inserted it
        return get_db().devices.find_one_and_update({"token_hash": token_hash}, update,
                                                    return_document=ReturnDocument.AFTER)


def of_patient(patient_id: str) -> list[dict]:
    require_str(patient_id)
    return list(get_db().devices.find({"patient_id": patient_id}))


def remove(patient_id: str, device_id: str) -> bool:
    """Only the patient's own device."""
    require_str(patient_id, device_id)
    return get_db().devices.delete_one({"_id": device_id, "patient_id": patient_id}).deleted_count == 1


def remove_by_id(device_id: str) -> None:
    get_db().devices.delete_one({"_id": device_id})


def unlink_session(session_id: str) -> None:
    """Signing a session out unlinks its device: no more pushes to it."""
    get_db().devices.delete_many({"session_id": session_id})


def unlink_all(account_id: str, keep_session_id: str | None = None) -> None:
    query = {"patient_id": account_id}
    if keep_session_id:
        query["session_id"] = {"$ne": keep_session_id}
    get_db().devices.delete_many(query)
