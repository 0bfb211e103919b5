"""Scans of signed paper forms, sealed (services.sharing.evidence); found by id together with the
patient and the item they stand behind, so a scan id alone opens nothing else."""
from models.db import require_str


class EvidenceScans:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def insert(self, doc: dict) -> None:
        self.db.evidence_scans.insert_one(doc)

    def get(self, scan_id: str, patient_id: str, subject_id: str) -> dict | None:
        require_str(scan_id, patient_id, subject_id)
        return self.db.evidence_scans.find_one({"_id": scan_id, "patient_id": patient_id,
                                                "subject_id": subject_id})


# Transitional: the module-level functions of before, on the app's database.
