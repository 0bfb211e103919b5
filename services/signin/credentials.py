"""Passwords: a change inside a signed-in session, and a reset with a front-desk activation code
and the second factor."""
from models import accounts
from services import patients
from services.operations import notify
from services.signin import factors, lockout, registration, sessions
from services.errors import InvalidCredentials, ResetFailed
from services.signin.identity import login_of, owner
from services.signin.password_policy import check_password_policy


def change_password(ctx, kind: str, account_id: str, session_id: str, current: str,
                    new: str) -> None:
    """Raises InvalidCredentials for a wrong current password, InvalidInput for a weak new one.
    Every other session of the account is signed out and every trusted device token dies."""
    account = ctx.repos.accounts.get(kind, account_id)
    if not account or account.get("disabled"):
        raise InvalidCredentials()
    taken = lockout.attempt(ctx, kind, login_of(kind, account), lockout.session_path(session_id))
    if not ctx.passwords.verify(account.get("password_hash"), current, login_of(kind, account)):
        lockout.failed(ctx, taken, InvalidCredentials("The current password is not correct."),
                       owner(kind, account))
    lockout.succeeded(ctx, taken)
    check_password_policy(new, {**account, **(patients.person(ctx, account)
                                              if kind == accounts.PATIENT else {})})
    _set_password(ctx, kind, account, new, "password_changed", keep_session_id=session_id)
    ctx.audit.record("password.change", actor={"type": kind, "id": account_id},
                     patient_id=account_id if kind == accounts.PATIENT else None)


def reset_password(ctx, national_id: str, activation_code: str, new_password: str,
                   code: str | None, recovery_code: str | None) -> None:
    """A registered patient who forgot the password: an activation code handed over at the
    front desk, plus the second factor when one is active. Every session ends, and the sign-in
    path without a trusted device starts afresh. Raises ResetFailed (one answer whichever part
    was wrong), InvalidInput, TooManyAttempts."""
    login = patients.national_id_hash(ctx, national_id)
    patient = ctx.repos.patients.find_by_national_id_hash(login)
    code_hash = registration.code_hash(ctx, activation_code)
    usable = ctx.repos.activation_codes.usable(login, code_hash)  # looked up in every case
    if not (usable and patient and patient.get("password_hash") and not patient.get("disabled")):
        lockout.refuse(ctx, accounts.PATIENT, login, lockout.ACTIVATION, ResetFailed(),
                       owner(accounts.PATIENT, patient))
    if not patient.get("totp_active") and usable["issued_by"].get("type") != "hospital":
        # Without a second factor the code is the only proof: it must come from a hospital's
        # front desk (identity checked in person), not from support staff, or one staff
        # account could reset the factor, then the password, and become the patient.
        lockout.refuse(ctx, accounts.PATIENT, login, lockout.ACTIVATION, ResetFailed(),
                       owner(accounts.PATIENT, patient))
    check_password_policy(new_password, patients.person(ctx, patient))
    if patient.get("totp_active"):
        # Its own budget: issuing codes lifts nothing, so codes cannot buy factor guesses.
        taken = lockout.attempt(ctx, accounts.PATIENT, login, lockout.RESET_FACTOR)
        if not factors.spend(ctx, accounts.PATIENT, patient, code, recovery_code):
            lockout.failed(ctx, taken, ResetFailed(), owner(accounts.PATIENT, patient))
        lockout.succeeded(ctx, taken)
    # The code is claimed last: a wrong factor or a weak password burns nothing.
    if not ctx.repos.activation_codes.claim(login, code_hash, "password_reset"):
        raise ResetFailed()
    _set_password(ctx, accounts.PATIENT, patient, new_password, "password_reset")
    lockout.forget(ctx, accounts.PATIENT, login, lockout.UNTRUSTED)


def _set_password(ctx, kind: str, account: dict, password: str, reason: str,
                  keep_session_id: str | None = None) -> None:
    ctx.repos.accounts.set_password_hash(kind, account["_id"],
                                         ctx.passwords.hash(password, login_of(kind, account)))
    # Told first: the notice then still reaches the devices the sign-out unlinks.
    notify.security_event(ctx, kind, account["_id"], reason)
    sessions.end_all(ctx, account["_id"], reason, keep_session_id)
