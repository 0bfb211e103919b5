"""Activation codes (issued at a hospital front desk or by support) and patient registration."""
from datetime import date, timedelta

from models import accounts, activation_codes
from models import patients as patient_store
from models.db import utcnow
from security.codes import human_code, normalize_code
from services import audit, lockout, patients
from services.context import passwords, peppered_hash, setting
from services.password_policy import check_password_policy
from services.errors import ActivationFailed


def issue_activation_code(national_id: str, issued_by: dict, name: str | None = None,
                          birth_date: date | None = None) -> dict:
    """A new single-use code for the patient named by `national_id` (created if unknown). It
    cancels the patient's older unused codes; it lifts no lock (an issuer is no proof that the
    person typing codes is the patient)."""
    patient_id = patients.ensure(national_id, name, birth_date.isoformat() if birth_date else None)
    code = human_code()
    expires_at = utcnow() + timedelta(hours=setting("ACTIVATION_CODE_HOURS"))
    activation_codes.insert(patients.national_id_hash(national_id), code_hash(code), expires_at,
                            issued_by)
    audit.record("activation_code.issue", actor=issued_by, patient_id=patient_id)
    return {"activation_code": code, "expires_at": expires_at}


def register(national_id: str, activation_code: str, password: str, contact: dict) -> dict:
    """Create the patient's sign-in. Raises ActivationFailed, with one answer for a wrong
    national ID, a wrong, used or expired code and an already registered patient; InvalidInput
    for a refused password; TooManyAttempts after repeated wrong codes (a valid code always
    goes through). The code is used up only when everything else has succeeded."""
    login = patients.national_id_hash(national_id)
    patient = patient_store.find_by_national_id_hash(login)
    hashed = code_hash(activation_code)
    usable = activation_codes.usable(login, hashed)  # looked up in every case
    if not (usable and patient and not patient.get("registered_at")):
        lockout.refuse(accounts.PATIENT, login, lockout.ACTIVATION, ActivationFailed())
    known = patients.person(patient)
    check_password_policy(password, {**known, "name": known["name"] or contact.get("name")})
    password_hash = passwords().hash(password)
    if not activation_codes.claim(login, hashed, "registration"):
        raise ActivationFailed()
    sealed = patients.seal(patient["_id"], contact)
    if patient_store.complete_registration(login, password_hash, sealed) is None:
        raise ActivationFailed()
    lockout.forget(accounts.PATIENT, login, lockout.UNTRUSTED)
    return {"id": patient["_id"]}


def code_hash(code: str) -> str:
    return peppered_hash("activation", normalize_code(code))
