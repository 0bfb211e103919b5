"""Activation codes (issued at a hospital front desk or by support) and patient registration."""
from datetime import date, timedelta

from models import accounts, activation_codes
from models import patients as patient_store
from models import records as record_store
from models.db import utcnow
from security.codes import human_code, normalize_code
from services import audit, lockout, notify, patients
from services.context import passwords, peppered_hash, setting
from services.password_policy import check_password_policy
from services.errors import ActivationFailed, Forbidden

REGISTER = "account.register"
_NOT_TREATED_HERE = ("This hospital has pushed no record for this national ID: push the visit "
                     "(an Encounter) first, then issue the code.")


def issue_activation_code(national_id: str, issued_by: dict, name: str | None = None,
                          birth_date: date | None = None) -> dict:
    """A new single-use code for the patient named by `national_id` (created if unknown). It
    cancels the patient's older unused codes; it lifts no lock (an issuer is no proof that the
    person typing codes is the patient). Raises Forbidden when a hospital issues it for a
    national ID it has pushed no record for (support staff check identity at the desk)."""
    if issued_by["type"] == "hospital":
        _require_pushed_by(issued_by, national_id)
    patient_id = patients.ensure(national_id, name, birth_date.isoformat() if birth_date else None)
    code = human_code()
    expires_at = utcnow() + timedelta(hours=setting("ACTIVATION_CODE_HOURS"))
    activation_codes.insert(patients.national_id_hash(national_id), code_hash(code), expires_at,
                            issued_by)
    audit.record("activation_code.issue", actor=issued_by, patient_id=patient_id)
    # A registered patient is told: with a code, someone may reset their password. (The code
    # a person registers with is no news.)
    if (patient_store.get(patient_id) or {}).get("registered_at"):
        notify.security_event(accounts.PATIENT, patient_id, "activation_code_issued",
                              {"issuer_type": issued_by["type"], "issuer_id": issued_by["id"]})
    return {"activation_code": code, "expires_at": expires_at}


def _require_pushed_by(hospital: dict, national_id: str) -> None:
    """A hospital issues codes only for people it has a record of (a code registers its holder
    as the person and opens every hospital's records of them). Raises Forbidden: one answer,
    and the same look-ups and audit entry, whether the person is unknown, known or registered."""
    patient = patients.find(national_id)
    patient_id = patient["_id"] if patient else None
    # "" is no patient's id: an unknown person costs the same indexed look-up.
    if not record_store.pushed_by(patient_id or "", hospital["id"]):
        audit.record("activation_code.issue", actor=hospital, patient_id=patient_id,
                     outcome="denied")
        raise Forbidden(_NOT_TREATED_HERE)


def register(national_id: str, activation_code: str, password: str, contact: dict) -> dict:
    """Create the patient's sign-in. Raises ActivationFailed, with one answer for a wrong
    national ID, a wrong, used or expired code and an already registered patient; InvalidInput
    for a refused password; TooManyAttempts after repeated wrong codes (a valid code always
    goes through); AuditUnavailable when the registration cannot be recorded (then the code
    stays unused and nothing is registered). The code is used up only when everything else has
    succeeded."""
    login = patients.national_id_hash(national_id)
    patient = patient_store.find_by_national_id_hash(login)
    hashed = code_hash(activation_code)
    usable = activation_codes.usable(login, hashed)  # looked up in every case
    if not (usable and patient and not patient.get("registered_at")):
        lockout.refuse(accounts.PATIENT, login, lockout.ACTIVATION, ActivationFailed())
    known = patients.person(patient)
    check_password_policy(password, {**known, "name": known["name"] or contact.get("name")})
    password_hash = passwords().hash(password, login)
    # Recorded before the code is claimed and the account made: no account opens off the trail.
    # The entry names whose code opened it (the patient's access log shows it).
    entry = {"actor": {"type": "patient", "id": patient["_id"]}, "patient_id": patient["_id"],
             "target": _issuer_target(usable["issued_by"])}
    audit.record(REGISTER, **entry)
    if not activation_codes.claim(login, hashed, "registration"):
        _lost_race(entry)
    sealed = patients.seal(patient["_id"], contact)
    if patient_store.complete_registration(login, password_hash, sealed) is None:
        _lost_race(entry)
    lockout.forget(accounts.PATIENT, login, lockout.UNTRUSTED)
    return {"id": patient["_id"]}


def _issuer_target(issued_by: dict) -> dict:
    """The audit target naming a code's issuer: {"hospital_id"} or {"staff_id"}."""
    key = {"hospital": "hospital_id", "staff": "staff_id"}[issued_by["type"]]
    return {key: issued_by["id"]}


def _lost_race(entry: dict) -> None:
    """A parallel registration with the same code won: the entry recorded ahead did not happen."""
    audit.record(REGISTER, **entry, outcome="failed")
    raise ActivationFailed()


def code_hash(code: str) -> str:
    return peppered_hash("activation", normalize_code(code))
