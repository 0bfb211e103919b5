"""What support staff may see of a patient: whether the account exists and its sign-in state."""
from services import patients


def find_patient(ctx, national_id: str, staff_id: str) -> list[dict]:
    """A list with at most one entry (exact match); no clinical content. The look-up is on the
    patient's access log."""
    patient = patients.find(ctx, national_id)
    if not patient:
        return []
    ctx.audit.record("patient.lookup", actor={"type": "staff", "id": staff_id},
                     patient_id=patient["_id"])
    return [{"id": patient["_id"], "national_id": national_id,
             "registered": bool(patient.get("registered_at")),
             "totp_active": bool(patient.get("totp_active")),
             "created_at": patient.get("created_at")}]
