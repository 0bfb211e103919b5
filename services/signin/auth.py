"""Sign-in for patients and staff: password, then TOTP (or a recovery code), then a session.

A full sign-in always takes both factors. Before TOTP is active, the password only opens
TOTP enrollment, never the account.
"""
from datetime import datetime, timezone

from models import accounts
from services.operations import notify
from services.signin import factors, lockout, sessions, tokens
from services.signin.identity import account_for_step, lockout_path, login_key, login_of, owner
from services.errors import InvalidCredentials


def login(ctx, kind: str, identifier: str, password: str, device_token: str | None = None) -> dict:
    """{"mfa_token"} or {"enrollment_token"}. Raises InvalidCredentials (same answer and about
    the same time for an unknown account and a wrong password) or TooManyAttempts. A valid
    trusted device token of this account puts the attempt on that device's own budget."""
    login = login_key(ctx, kind, identifier)
    account = ctx.repos.accounts.find_by_login(kind, login)
    device_id = sessions.trusted_device(ctx, kind, account, device_token)
    taken = lockout.attempt(ctx, kind, login, lockout_path(device_id))
    password_hash = account.get("password_hash") if account else None
    if not ctx.passwords.verify(password_hash, password, login) or account.get("disabled"):
        lockout.failed(ctx, taken, InvalidCredentials(), owner(kind, account))
    # The code step takes an attempt of its own, so knowing the password buys no extra guesses.
    lockout.password_correct(ctx, taken)
    if ctx.passwords.needs_rehash(password_hash):
        ctx.repos.accounts.rehash_password(kind, account["_id"],
                                           ctx.passwords.hash(password, login))
    audience = tokens.MFA if account.get("totp_active") else tokens.ENROLLMENT
    token = tokens.step_token(ctx, audience, kind, account["_id"], accounts.epoch(account),
                              device_id)
    return {f"{audience}_token": token}


def complete_mfa(ctx, mfa_token: str, code: str | None, recovery_code: str | None,
                 user_agent: str) -> dict:
    """Session tokens for a valid, unused TOTP code or recovery code. The mfa_token works once.
    Raises InvalidCredentials or TooManyAttempts."""
    claims = tokens.decode_step_token(ctx, mfa_token, tokens.MFA)
    kind, account = claims["kind"], account_for_step(ctx, claims)
    # Checked first too (claimed only after the code), so a spent token spends no attempt.
    if not account.get("totp_active") or ctx.repos.step_tokens.is_claimed(claims["jti"]):
        raise tokens.step_expired()
    device_id = claims.get("dev")
    taken = lockout.attempt(ctx, kind, login_of(kind, account), lockout_path(device_id))
    if not factors.spend(ctx, kind, account, code, recovery_code):
        lockout.failed(ctx, taken, InvalidCredentials("The code is not valid or was already used."),
                       owner(kind, account))
    if not ctx.repos.step_tokens.claim(claims["jti"],
                                       datetime.fromtimestamp(claims["exp"], timezone.utc)):
        raise tokens.step_expired()
    lockout.succeeded(ctx, taken)
    signed_in = sessions.start(ctx, kind, account["_id"], user_agent, replaces_device=device_id)
    if device_id is None:  # no trusted device token: a device this account has not used
        notify.security_event(ctx, kind, account["_id"], "new_device_sign_in")
    # A disable, reset or password change that landed while the code was checked signed out
    # every session that existed then; this one did not yet, so it is checked once more.
    try:
        account_for_step(ctx, claims)
    except InvalidCredentials:
        sessions.discard(ctx, signed_in["session_id"], "credentials_changed")
        raise
    return signed_in
