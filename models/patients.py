"""Patients exist from the first time a hospital names them; registration adds the sign-in part."""
from models.db import DuplicateKeyError, ReturnDocument, get_db, require_str, utcnow
from security.codes import opaque_id


def ensure_patient(national_id: str, name: str | None = None,
                   birth_date: str | None = None) -> str:
    """The patient's opaque id, creating the patient on first mention."""
    # national_id comes from the equality filter on insert; naming it again here would conflict.
    insert = {"_id": opaque_id("pat"), "created_at": utcnow()}
    if name:
        insert["name"] = name
    if birth_date:
        insert["birth_date"] = birth_date
    try:
        doc = get_db().patients.find_one_and_update(
            {"national_id": national_id}, {"$setOnInsert": insert},
            upsert=True, return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:  # a parallel upsert inserted it first
        doc = get_db().patients.find_one({"national_id": national_id})
    return doc["_id"]


def complete_registration(national_id: str, password_hash: str, contact: dict) -> str | None:
    """Set the password of a not yet registered patient; None when already registered."""
    now = utcnow()
    fields = {"password_hash": password_hash, "registered_at": now, "password_changed_at": now,
              "totp_active": False}
    fields.update({k: v for k, v in contact.items() if v})
    doc = get_db().patients.find_one_and_update(
        {"national_id": national_id, "registered_at": None}, {"$set": fields},
        return_document=ReturnDocument.AFTER)
    return doc["_id"] if doc else None


def find_by_national_id(national_id: str) -> dict | None:
    require_str(national_id)
    return get_db().patients.find_one({"national_id": national_id})
