"""Scans of signed paper forms, sealed (services.evidence); found by id together with the
patient and the item they stand behind, so a scan id alone opens nothing else."""
from models.db import get_db, require_str


def insert(doc: dict) -> None:
    get_db().evidence_scans.insert_one(doc)


def get(scan_id: str, patient_id: str, subject_id: str) -> dict | None:
    require_str(scan_id, patient_id, subject_id)
    return get_db().evidence_scans.find_one({"_id": scan_id, "patient_id": patient_id,
                                             "subject_id": subject_id})
