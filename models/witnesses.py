"""Audit witnesses: outside clients that poll the audit chain's signed checkpoint. Kept in the
`hospitals` collection beside hospital clients, with `kind: "witness"`, so that token issue,
secret rotation and deactivation treat both alike (models/hospitals.py); what a witness may do
is decided from its kind (services/operations/hospitals.py), never from its stored scopes alone."""
from models.db import DuplicateKeyError, utcnow

WITNESS = "witness"


class Witnesses:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, witness_id: str, name: str, client_id: str, secret_hash: str,
               scopes: list[str]) -> bool:
        """False when the id is taken."""
        try:
            self.db.hospitals.insert_one({
                "_id": witness_id, "kind": WITNESS, "name": name, "client_id": client_id,
                "secret_hash": secret_hash, "scopes": scopes, "active": True,
                "created_at": utcnow()})
        except DuplicateKeyError:
            return False
        return True


# Transitional: the module-level functions of before, on the app's database.
