"""Plain example values for the consent example tests."""
import dataclasses
from datetime import datetime, timedelta, timezone

from consent import ACTIVE, TREATMENT, Consent, Grantee

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
PATIENT = "pat_1"
HOSPITAL = Grantee.hospital("hosp_1")
OTHER_HOSPITAL = Grantee.hospital("hosp_2")
CARER = Grantee.person("nid_hash_carer")


def consent(**fields) -> Consent:
    """An active treatment consent of PATIENT to HOSPITAL for lab records, in force at NOW."""
    base = Consent(id="con_1", patient_id=PATIENT, grantee=HOSPITAL, categories={"lab"},
                   purpose=TREATMENT, period_start=NOW - 10 * DAY, period_end=NOW + 10 * DAY,
                   status=ACTIVE, source="app", evidence=None, recorded_by="patient:pat_1",
                   recorded_at=NOW - 10 * DAY)
    return dataclasses.replace(base, **fields)


def request(**fields) -> dict:
    """decide() keywords for HOSPITAL reading a lab record of PATIENT for treatment at NOW."""
    return {"patient_id": PATIENT, "accessor": HOSPITAL, "purpose": TREATMENT,
            "category": "lab", "sensitive_labels": frozenset(), "at": NOW, **fields}
