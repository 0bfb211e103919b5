"""Passwords: a change inside a signed-in session, and a reset with a front-desk activation code
and the second factor."""
from models import accounts, activation_codes, patients, security_events
from services import factors, lockout, registration, sessions
from services.context import passwords
from services.errors import InvalidCredentials, ResetFailed
from services.identity import login_of, owner
from services.password_policy import check_password_policy, refuse_weak


def change_password(kind: str, account_id: str, session_id: str, current: str, new: str) -> None:
    """Raises InvalidCredentials for a wrong current password, InvalidInput for a weak new one.
    Every other session of the account is signed out and every trusted device token dies."""
    account = accounts.get(kind, account_id)
    if not account or account.get("disabled"):
        raise InvalidCredentials()
    taken = lockout.attempt(kind, login_of(kind, account), lockout.session_path(session_id))
    if not passwords().verify(account.get("password_hash"), current):
        lockout.failed(taken, InvalidCredentials("The current password is not correct."),
                       owner(kind, account))
    lockout.succeeded(taken)
    check_password_policy(new, account)
    _set_password(kind, account, new, "password_changed", keep_session_id=session_id)


def reset_password(national_id: str, activation_code: str, new_password: str,
                   code: str | None, recovery_code: str | None) -> None:
    """A registered patient who forgot the password: an activation code handed over at the
    front desk, plus the second factor when one is active. Every session ends. Raises
    ResetFailed (one answer whichever part was wrong), InvalidInput, TooManyAttempts."""
    taken = lockout.attempt(accounts.PATIENT, national_id, lockout.ACTIVATION)
    patient = patients.find_by_national_id(national_id)
    code_hash = registration.code_hash(activation_code)
    if not (patient and patient.get("password_hash") and not patient.get("disabled")
            and activation_codes.is_usable(national_id, code_hash)):
        lockout.failed(taken, ResetFailed(), owner(accounts.PATIENT, patient))
    refuse_weak(taken, new_password, patient)
    # Nothing is used up before every part has been checked; the code is claimed last.
    factor_ok = (not patient.get("totp_active")
                 or factors.spend(accounts.PATIENT, patient, code, recovery_code))
    if not factor_ok or not activation_codes.claim(national_id, code_hash, "password_reset"):
        lockout.failed(taken, ResetFailed(), owner(accounts.PATIENT, patient))
    lockout.succeeded(taken)
    _set_password(accounts.PATIENT, patient, new_password, "password_reset")


def _set_password(kind: str, account: dict, password: str, reason: str,
                  keep_session_id: str | None = None) -> None:
    accounts.set_password_hash(kind, account["_id"], passwords().hash(password))
    sessions.end_all(account["_id"], reason, keep_session_id)
    security_events.record(kind, account["_id"], reason)
