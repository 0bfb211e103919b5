"""Sign-in for patients and staff: password, then TOTP (or a recovery code), then a session.

A full sign-in always takes both factors. Before TOTP is active, the password only opens
TOTP enrollment, never the account.
"""
from models import accounts
from models.db import utcnow
from security import totp
from security.codes import human_code, normalize_code
from security.passwords import password_problems
from services import lockout, sessions, tokens
from services.context import cipher, passwords, peppered_hash, setting
from services.errors import Conflict, InvalidCredentials, InvalidInput

RECOVERY_CODE_COUNT = 10


def login(kind: str, identifier: str, password: str) -> dict:
    """{"mfa_token"} or {"enrollment_token"}. Raises InvalidCredentials (same answer and about
    the same time for an unknown account and a wrong password) or TooManyAttempts."""
    key = lockout.key_for(kind, identifier)
    lockout.ensure_not_locked(key)
    account = accounts.find_by_login(kind, identifier)
    password_hash = account.get("password_hash") if account else None
    if not passwords().verify(password_hash, password) or account.get("disabled"):
        lockout.fail(key, InvalidCredentials())
    # The counter is cleared only after the second factor, so knowing the password does not
    # buy fresh attempts at the TOTP code.
    if passwords().needs_rehash(password_hash):
        accounts.set_password_hash(kind, account["_id"], passwords().hash(password))
    if account.get("totp_active"):
        return {"mfa_token": tokens.step_token(tokens.MFA, kind, account["_id"])}
    return {"enrollment_token": tokens.step_token(tokens.ENROLLMENT, kind, account["_id"])}


def complete_mfa(mfa_token: str, code: str | None, recovery_code: str | None,
                 user_agent: str) -> dict:
    """Session tokens for a valid, unused TOTP code or recovery code. Raises InvalidCredentials
    or TooManyAttempts."""
    claims = tokens.decode_step_token(mfa_token, tokens.MFA)
    kind, account_id = claims["kind"], claims["sub"]
    account = accounts.get(kind, account_id)
    if not account or not account.get("totp_active"):
        raise InvalidCredentials()
    key = _lockout_key(kind, account)
    lockout.ensure_not_locked(key)
    if code is not None:
        secret = cipher().decrypt(account["totp_secret"], _totp_context(kind, account_id))
        step = totp.matching_step(secret, code, utcnow(), account["totp_last_step"])
        accepted = step is not None and accounts.claim_totp_step(kind, account_id, step)
    else:
        accepted = accounts.use_recovery_code(kind, account_id, _recovery_hash(recovery_code))
    if not accepted:
        lockout.fail(key, InvalidCredentials("The code is not valid or was already used."))
    lockout.succeeded(key)
    return sessions.start(kind, account_id, user_agent)


def begin_totp_setup(kind: str, account_id: str, via_enrollment: bool) -> dict:
    """A new secret, shown once. Through an enrollment token only while TOTP is not yet active;
    with a fresh access token it replaces the active secret once activated."""
    account = _existing(kind, account_id)
    if via_enrollment and account.get("totp_active"):
        raise Conflict("Two-factor sign-in is already active; sign in with your code.")
    secret = totp.new_secret()
    accounts.set_pending_totp(kind, account_id,
                              cipher().encrypt(secret, _totp_context(kind, account_id)))
    uri = totp.provisioning_uri(secret, _totp_label(kind, account), setting("TOTP_ISSUER"))
    return {"secret": secret, "otpauth_uri": uri}


def activate_totp(kind: str, account_id: str, code: str, user_agent: str,
                  current_session_id: str | None) -> dict:
    """Confirm the pending secret with a code; returns recovery codes (shown once) and session
    tokens. Raises Conflict without a pending set-up, InvalidCredentials for a wrong code."""
    account = _existing(kind, account_id)
    pending = account.get("totp_pending")
    if not pending:
        raise Conflict("Start two-factor set-up first (POST /v1/auth/totp/setup).")
    key = _lockout_key(kind, account)
    lockout.ensure_not_locked(key)
    secret = cipher().decrypt(pending, _totp_context(kind, account_id))
    step = totp.matching_step(secret, code, utcnow())
    if step is None:
        lockout.fail(key, InvalidCredentials("The code is not valid."))
    codes = [human_code(groups=2, size=5) for _ in range(RECOVERY_CODE_COUNT)]
    hashes = [_recovery_hash(c) for c in codes]
    if not accounts.activate_totp(kind, account_id, pending, step, hashes):
        raise Conflict("Two-factor set-up changed meanwhile; start again.")
    lockout.succeeded(key)
    if current_session_id:  # a reset from a signed-in device signs the other devices out
        sessions.end_all_others(account_id, current_session_id, "totp_reset")
    return {"recovery_codes": codes, **sessions.start(kind, account_id, user_agent)}


def change_password(kind: str, account_id: str, session_id: str, current: str, new: str) -> None:
    """Raises InvalidCredentials for a wrong current password, InvalidInput for a weak new one.
    Every other session of the account is signed out."""
    account = _existing(kind, account_id)
    key = _lockout_key(kind, account)
    lockout.ensure_not_locked(key)
    if not passwords().verify(account.get("password_hash"), current):
        lockout.fail(key, InvalidCredentials("The current password is not correct."))
    check_password_policy(new, account)
    accounts.set_password_hash(kind, account_id, passwords().hash(new))
    sessions.end_all_others(account_id, session_id, "password_changed")


def check_password_policy(password: str, account: dict) -> None:
    """Raises InvalidInput with the reasons a password is refused."""
    problems = password_problems(password, [account.get("national_id"), account.get("username"),
                                            account.get("name")])
    if problems:
        raise InvalidInput("The password was refused.", errors={"password": problems})


def _existing(kind: str, account_id: str) -> dict:
    account = accounts.get(kind, account_id)
    if not account or account.get("disabled"):
        raise InvalidCredentials()
    return account


def _lockout_key(kind: str, account: dict) -> str:
    return lockout.key_for(kind, account[accounts.LOGIN_FIELDS[kind]])


def _recovery_hash(code: str) -> str:
    return peppered_hash("recovery", normalize_code(code))


def _totp_context(kind: str, account_id: str) -> str:
    return f"{kind}:{account_id}:totp"


def _totp_label(kind: str, account: dict) -> str:
    """What the authenticator app lists: no name, no full national ID, no health data."""
    if kind == "staff":
        return f"staff:{account['username']}"
    return f"ID ...{account['national_id'][-4:]}"
