"""Activation codes (issued at a hospital front desk or by support) and patient registration."""
from datetime import date, timedelta

from models import accounts, activation_codes
from security.codes import human_code, normalize_code, opaque_id
from services import patients
from services.operations import notify
from services.signin import lockout
from services.signin.password_policy import check_password_policy
from services.errors import ActivationFailed, Conflict, Forbidden, NotFound

REGISTER = "account.register"
_NOT_TREATED_HERE = ("This hospital has pushed no record for this national ID: push the visit "
                     "(an Encounter) first, then issue the code.")


def issue_activation_code(ctx, national_id: str, issued_by: dict, name: str | None = None,
                          birth_date: date | None = None) -> dict:
    """A new single-use code for the patient named by `national_id` (created if unknown). It
    cancels the patient's older unused codes; it lifts no lock (an issuer is no proof that the
    person typing codes is the patient). Raises Forbidden when a hospital issues it for a
    national ID it has pushed no record for; AuditUnavailable (no code). A code support staff
    issue for a person who has not registered yet opens an account and every hospital's records
    of them, and nobody could be told: it works only once a second staff account approves it
    (services.sharing.approvals), and answers `pending-approval` until then."""
    if issued_by["type"] == "hospital":
        _require_pushed_by(ctx, issued_by, national_id)
    patient_id = patients.ensure(ctx, national_id, name,
                                 birth_date.isoformat() if birth_date else None)
    registered = bool((ctx.repos.patients.get(patient_id) or {}).get("registered_at"))
    pending = issued_by["type"] == "staff" and not registered
    code, code_id = human_code(), opaque_id("act")
    expires_at = ctx.now() + timedelta(hours=ctx.setting("ACTIVATION_CODE_HOURS"))
    ctx.audit.record("activation_code.issue", actor=issued_by, patient_id=patient_id)
    ctx.repos.activation_codes.insert(code_id, patients.national_id_hash(ctx, national_id),
                                      code_hash(ctx, code), expires_at, issued_by, patient_id,
                                      pending=pending)
    # A registered patient is told: with a code, someone may reset their password. (The code
    # a person registers with is no news.)
    if registered:
        notify.security_event(ctx, accounts.PATIENT, patient_id, "activation_code_issued",
                              {"issuer_type": issued_by["type"], "issuer_id": issued_by["id"]})
    return {"id": code_id, "activation_code": code, "expires_at": expires_at,
            "status": "pending-approval" if pending else "active"}


def decide_code(ctx, code_id: str, staff_id: str, approved: bool) -> dict:
    """A second staff account approves (the code works from now until it expires) or rejects a
    staff code for an unregistered person. Raises NotFound, Forbidden for the account that
    issued it, Conflict when it awaits no decision, AuditUnavailable (nothing changed)."""
    doc = ctx.repos.activation_codes.get_by_id(code_id)
    if doc is None or doc.get("approval") != activation_codes.PENDING or doc["used_at"]:
        raise (NotFound if doc is None else Conflict)("This code awaits no decision.")
    if doc["issued_by"] == {"type": "staff", "id": staff_id}:
        raise Forbidden("A second staff account must decide what this account issued.")
    entry = {"action": "activation_code.approve" if approved else "activation_code.reject",
             "actor": {"type": "staff", "id": staff_id}, "patient_id": doc["patient_id"]}
    ctx.audit.record(**entry)
    fields = {"approval": "approved" if approved else "rejected",
              "decided_by": f"staff:{staff_id}", "decided_at": ctx.now()}
    if not approved:
        fields["used_at"] = fields["decided_at"]  # a rejected code never works
    if not ctx.repos.activation_codes.decide(code_id, staff_id, fields):
        ctx.audit.undone(entry)
        raise Conflict("This code awaits no decision.")
    return code_view({**doc, **fields})


def code_view(doc: dict) -> dict:
    """What staff see of a code: never the code itself (a keyed hash only is stored)."""
    approval = doc.get("approval")
    return {"id": doc["_id"], "patient_id": doc["patient_id"],
            "issued_by": f"{doc['issued_by']['type']}:{doc['issued_by']['id']}",
            "issued_at": doc["issued_at"], "expires_at": doc["expires_at"],
            "status": "pending-approval" if approval == activation_codes.PENDING
            else approval or "active",
            "decided_by": doc.get("decided_by"), "decided_at": doc.get("decided_at")}


def _require_pushed_by(ctx, hospital: dict, national_id: str) -> None:
    """A hospital issues codes only for people it has a record of (a code registers its holder
    as the person and opens every hospital's records of them). Raises Forbidden: one answer,
    and the same look-ups and audit entry, whether the person is unknown, known or registered."""
    patient = patients.find(ctx, national_id)
    patient_id = patient["_id"] if patient else None
    # "" is no patient's id: an unknown person costs the same indexed look-up.
    if not ctx.repos.records.pushed_by(patient_id or "", hospital["id"]):
        ctx.audit.record("activation_code.issue", actor=hospital, patient_id=patient_id,
                         outcome="denied")
        raise Forbidden(_NOT_TREATED_HERE)


def register(ctx, national_id: str, activation_code: str, password: str, contact: dict) -> dict:
    """Create the patient's sign-in. Raises ActivationFailed, with one answer for a wrong
    national ID, a wrong, used or expired code and an already registered patient; InvalidInput
    for a refused password; TooManyAttempts after repeated wrong codes (a valid code always
    goes through); AuditUnavailable when the registration cannot be recorded (then the code
    stays unused and nothing is registered). The code is used up only when everything else has
    succeeded."""
    login = patients.national_id_hash(ctx, national_id)
    patient = ctx.repos.patients.find_by_national_id_hash(login)
    hashed = code_hash(ctx, activation_code)
    usable = ctx.repos.activation_codes.usable(login, hashed)  # looked up in every case
    if not (usable and patient and not patient.get("registered_at")):
        lockout.refuse(ctx, accounts.PATIENT, login, lockout.ACTIVATION, ActivationFailed())
    known = patients.person(ctx, patient)
    check_password_policy(password, {**known, "name": known["name"] or contact.get("name")})
    password_hash = ctx.passwords.hash(password, login)
    # Recorded before the code is claimed and the account made: no account opens off the trail.
    # The entry names whose code opened it (the patient's access log shows it).
    entry = {"actor": {"type": "patient", "id": patient["_id"]}, "patient_id": patient["_id"],
             "target": _issuer_target(usable["issued_by"])}
    ctx.audit.record(REGISTER, **entry)
    if not ctx.repos.activation_codes.claim(login, hashed, "registration"):
        _lost_race(ctx, entry)
    sealed = patients.seal(ctx, patient["_id"], contact)
    if ctx.repos.patients.complete_registration(login, password_hash, sealed) is None:
        _lost_race(ctx, entry)
    lockout.forget(ctx, accounts.PATIENT, login, lockout.UNTRUSTED)
    return {"id": patient["_id"]}


def _issuer_target(issued_by: dict) -> dict:
    """The audit target naming a code's issuer: {"hospital_id"} or {"staff_id"}."""
    key = {"hospital": "hospital_id", "staff": "staff_id"}[issued_by["type"]]
    return {key: issued_by["id"]}


def _lost_race(ctx, entry: dict) -> None:
    """A parallel registration with the same code won: the entry recorded ahead did not happen."""
    ctx.audit.undone({"action": REGISTER, **entry})
    raise ActivationFailed()


def code_hash(ctx, code: str) -> str:
    return ctx.peppered_hash("activation", normalize_code(code))
