"""Sealed (encrypted) values wherever they are stored, for a key rotation: read them in batches
and swap one only if it is still the value that was read."""
from models.db import get_db


def count(collection: str, fields: tuple) -> int:
    return get_db()[collection].count_documents({"$or": [{f: {"$type": "string"}} for f in fields]})


def documents(collection: str, fields: tuple, batch_size: int = 500):
    """Every document holding one of `fields`, with its _id, those fields and `extra` keys."""
    projection = {f: 1 for f in (*fields, "record_id", "version", "patient_id", "hospital_id",
                                 "token_hash", "subject_id")}
    query = {"$or": [{f: {"$type": "string"}} for f in fields]}
    return get_db()[collection].find(query, projection).sort("_id", 1).batch_size(batch_size)


def replace(collection: str, doc_id, field: str, old: str, new: str) -> bool:
    """Compare-and-set: a value changed meanwhile (a new password, a new version) is left as it
    is; it was written with the active key anyway."""
    result = get_db()[collection].update_one({"_id": doc_id, field: old}, {"$set": {field: new}})
    return result.modified_count == 1
