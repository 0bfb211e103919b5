"""Sealed (encrypted) values wherever they are stored, for a key rotation: read them in batches
and swap one only if it is still the value that was read."""


class Sealed:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def count(self, collection: str, fields: tuple) -> int:
        return self.db[collection].count_documents(
            {"$or": [{f: {"$type": "string"}} for f in fields]})

    def documents(self, collection: str, fields: tuple, batch_size: int = 500):
        """Every document holding one of `fields`, with its _id, those fields and `extra` keys."""
        projection = {f: 1 for f in (*fields, "record_id", "version", "patient_id", "hospital_id",
                                     "token_hash", "subject_id")}
        query = {"$or": [{f: {"$type": "string"}} for f in fields]}
        return self.db[collection].find(query, projection).sort("_id", 1).batch_size(batch_size)

    def replace(self, collection: str, doc_id, field: str, old: str, new: str) -> bool:
        """Compare-and-set: a value changed meanwhile (a new password, a new version) is left as it
        is; it was written with the active key anyway."""
        result = self.db[collection].update_one({"_id": doc_id, field: old}, {"$set": {field: new}})
        return result.modified_count == 1


# Transitional: the module-level functions of before, on the app's database.
