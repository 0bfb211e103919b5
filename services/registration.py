"""Activation codes (issued at a hospital front desk or by support) and patient registration."""
from datetime import timedelta

from models import activation_codes, patients
from models.db import utcnow
from security.codes import human_code, normalize_code
from services import lockout
from services.auth import check_password_policy
from services.context import passwords, peppered_hash, setting
from services.errors import ActivationFailed


def issue_activation_code(national_id: str, issued_by: dict, name: str | None = None) -> dict:
    """A new single-use code for the patient named by `national_id` (created if unknown)."""
    patients.ensure_patient(national_id, name)
    code = human_code()
    expires_at = utcnow() + timedelta(hours=setting("ACTIVATION_CODE_HOURS"))
    activation_codes.insert(national_id, _code_hash(code), expires_at, issued_by)
    return {"activation_code": code, "expires_at": expires_at}


def register(national_id: str, activation_code: str, password: str, contact: dict) -> dict:
    """Create the patient's sign-in. Raises ActivationFailed, with one answer for a wrong
    national ID, a wrong, used or expired code and an already registered patient; InvalidInput
    for a refused password; TooManyAttempts after repeated failures."""
    key = lockout.key_for("register", national_id)
    lockout.ensure_not_locked(key)
    check_password_policy(password, {"national_id": national_id, "name": contact.get("name")})
    if not activation_codes.claim(national_id, _code_hash(activation_code)):
        lockout.fail(key, ActivationFailed())
    patient_id = patients.complete_registration(national_id, passwords().hash(password), contact)
    if patient_id is None:
        raise ActivationFailed()
    lockout.succeeded(key)
    return {"id": patient_id}


def _code_hash(code: str) -> str:
    return peppered_hash("activation", normalize_code(code))
