"""The patient's own view of their account."""
from models import accounts
from services.errors import NotFound


def profile(patient_id: str) -> dict:
    """Raises NotFound when the account is gone."""
    patient = accounts.get(accounts.PATIENT, patient_id)
    if not patient:
        raise NotFound()
    return {"id": patient["_id"], "name": patient.get("name"),
            "national_id": patient["national_id"], "phone": patient.get("phone"),
            "email": patient.get("email"), "registered_at": patient.get("registered_at"),
            "recovery_codes_left": len(patient.get("recovery_code_hashes", []))}
