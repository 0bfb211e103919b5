"""The patient's own view of their account: profile, signed-in devices, access log."""
from models import accounts
from services import audit, sessions
from services.errors import NotFound


def profile(patient_id: str) -> dict:
    """Raises NotFound when the account is gone; AuditUnavailable when the read cannot be
    recorded (then nothing is shown)."""
    patient = accounts.get(accounts.PATIENT, patient_id)
    if not patient:
        raise NotFound()
    audit.record("profile.read", actor=_self(patient_id), patient_id=patient_id)
    return {"id": patient["_id"], "name": patient.get("name"),
            "national_id": patient["national_id"], "phone": patient.get("phone"),
            "email": patient.get("email"), "registered_at": patient.get("registered_at"),
            "recovery_codes_left": len(patient.get("recovery_code_hashes", []))}


def end_session(patient_id: str, session_id: str) -> None:
    """Sign one of the patient's devices out. Raises NotFound for anyone else's session."""
    sessions.end(patient_id, session_id)
    audit.record("session.end", actor=_self(patient_id), patient_id=patient_id,
                 target={"session_id": session_id})


def access_log(patient_id: str, limit: int, cursor: str | None) -> dict:
    """Who read or changed the patient's data, newest first (services.audit.access_page).
    Raises InvalidInput for a cursor this API did not hand out."""
    return audit.access_log(patient_id, limit=limit, before=cursor)


def _self(patient_id: str) -> dict:
    return {"type": "patient", "id": patient_id}
