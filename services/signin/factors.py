"""The second factor: TOTP set-up and replacement, recovery codes.

A first set-up goes through the enrollment token of a password sign-in. Replacing an active
factor, or new recovery codes, needs the password and a current code or recovery code: a
stolen access token alone can neither swap the factor nor read new recovery codes.
"""
from models import accounts
from security import totp
from security.codes import human_code, normalize_code
from services import patients, sealing
from services.operations import notify
from services.signin import lockout, sessions, tokens
from services.signin.identity import account_for_step, lockout_path, login_of, owner
from services.errors import Conflict, InvalidCredentials, InvalidInput, NotFound

RECOVERY_CODE_COUNT = 10
_REAUTH_NEEDED = "Give your password and a current code or a recovery code."


def spend(ctx, kind: str, account: dict, code: str | None, recovery_code: str | None) -> bool:
    """True when `code` (a TOTP code of a step not used before) or `recovery_code` is valid;
    it is then used up, even by two requests at the same moment only once."""
    if code is not None:
        secret = ctx.cipher.decrypt(account["totp_secret"], sealing.totp(kind, account["_id"]))
        step = totp.matching_step(secret, code, ctx.now(), account["totp_last_step"])
        return step is not None and ctx.repos.accounts.claim_totp_step(kind, account["_id"], step)
    if recovery_code is not None:
        return ctx.repos.accounts.use_recovery_code(kind, account["_id"],
                                                    recovery_hash(ctx, recovery_code))
    return False


def begin_setup(ctx, claims: dict, reauth: dict) -> dict:
    """A new secret, shown once, pending until a code confirms it. With an enrollment token only
    while no factor is active; with an access token only after re-authentication (`reauth`:
    password and code or recovery_code). Raises Conflict, InvalidInput, InvalidCredentials or
    TooManyAttempts."""
    kind, account = _signed_in_account(ctx, claims)
    if claims["aud"] == tokens.ENROLLMENT:
        if account.get("totp_active"):
            raise Conflict("Two-factor sign-in is already active; sign in with your code.")
    else:
        reauthenticate(ctx, kind, account, claims["sid"], reauth)
    secret = totp.new_secret()
    ctx.repos.accounts.set_pending_totp(
        kind, account["_id"], ctx.cipher.encrypt(secret, sealing.totp(kind, account["_id"])))
    uri = totp.provisioning_uri(secret, _totp_label(ctx, kind, account), ctx.setting("TOTP_ISSUER"))
    return {"secret": secret, "otpauth_uri": uri}


def activate(ctx, claims: dict, code: str, user_agent: str) -> dict:
    """Confirm the pending secret with a code: recovery codes (shown once) and a new session.
    Replacing an active factor signs every device out. Raises Conflict without a pending
    set-up, InvalidCredentials for a wrong code, TooManyAttempts."""
    kind, account = _signed_in_account(ctx, claims)
    pending = account.get("totp_pending")
    if not pending:
        raise Conflict("Start two-factor set-up first.")
    path = (lockout_path(claims.get("dev")) if claims["aud"] == tokens.ENROLLMENT
            else lockout.session_path(claims["sid"]))
    taken = lockout.attempt(ctx, kind, login_of(kind, account), path)
    step = totp.matching_step(ctx.cipher.decrypt(pending, sealing.totp(kind, account["_id"])),
                              code, ctx.now())
    if step is None:
        lockout.failed(ctx, taken, InvalidCredentials("The code is not valid."),
                       owner(kind, account))
    codes, hashes = _new_recovery_codes(ctx)
    if not ctx.repos.accounts.activate_totp(kind, account["_id"], pending, step, hashes):
        raise Conflict("Two-factor set-up changed meanwhile; start again.")
    lockout.succeeded(ctx, taken)
    if account.get("totp_active"):
        # Told first: the notice then still reaches the devices the sign-out unlinks.
        notify.security_event(ctx, kind, account["_id"], "second_factor_replaced")
        sessions.end_all(ctx, account["_id"], "second_factor_replaced")
    return {"recovery_codes": codes,
            **sessions.start(ctx, kind, account["_id"], user_agent,
                             replaces_device=claims.get("dev"))}


def regenerate_recovery_codes(ctx, claims: dict, reauth: dict) -> dict:
    """Ten new recovery codes (the old ones stop working), after re-authentication."""
    kind, account = _signed_in_account(ctx, claims)
    if not account.get("totp_active"):
        raise Conflict("Set up two-factor sign-in first.")
    reauthenticate(ctx, kind, account, claims["sid"], reauth)
    codes, hashes = _new_recovery_codes(ctx)
    ctx.repos.accounts.replace_recovery_codes(kind, account["_id"], hashes)
    notify.security_event(ctx, kind, account["_id"], "recovery_codes_replaced")
    return {"recovery_codes": codes}


def reset_by_staff(ctx, patient_id: str, staff_id: str, reason: str) -> None:
    """Support staff remove a patient's lost second factor (identity checked in person; the
    reason is written down). Every session and trusted device ends; the patient is told (a
    security event, pushed by the notification outbox). Raises NotFound."""
    if not ctx.repos.accounts.reset_totp(accounts.PATIENT, patient_id):
        raise NotFound("No such patient.")
    # Told first: the notice then still reaches the devices the sign-out unlinks.
    notify.security_event(ctx, accounts.PATIENT, patient_id, "second_factor_reset_by_staff",
                          {"staff_id": staff_id, "reason": reason})
    sessions.end_all(ctx, patient_id, "second_factor_reset_by_staff")
    ctx.audit.record("second_factor.reset", actor={"type": "staff", "id": staff_id},
                     patient_id=patient_id)


def reauthenticate(ctx, kind: str, account: dict, session_id: str, reauth: dict) -> None:
    """Password and a current second factor, inside a signed-in session (own lockout path).
    Raises InvalidInput when a part is missing, InvalidCredentials or TooManyAttempts."""
    password = reauth.get("password")
    code, recovery_code = reauth.get("code"), reauth.get("recovery_code")
    if password is None or (code is None) == (recovery_code is None):
        raise InvalidInput(_REAUTH_NEEDED, errors={"password": [_REAUTH_NEEDED]})
    taken = lockout.attempt(ctx, kind, login_of(kind, account), lockout.session_path(session_id))
    # The password first: a wrong one must not use up the code.
    if not (ctx.passwords.verify(account.get("password_hash"), password,
                                 login_of(kind, account))
            and spend(ctx, kind, account, code, recovery_code)):
        lockout.failed(ctx, taken, InvalidCredentials("The password or the code is not valid."),
                       owner(kind, account))
    lockout.succeeded(ctx, taken)


def recovery_hash(ctx, code: str) -> str:
    return ctx.peppered_hash("recovery", normalize_code(code))


def encrypt_secret(ctx, kind: str, account_id: str, secret: str) -> str:
    return ctx.cipher.encrypt(secret, sealing.totp(kind, account_id))


def _new_recovery_codes(ctx) -> tuple[list[str], list[str]]:
    codes = [human_code(groups=2, size=5) for _ in range(RECOVERY_CODE_COUNT)]
    return codes, [recovery_hash(ctx, c) for c in codes]


def _signed_in_account(ctx, claims: dict) -> tuple[str, dict]:
    """(kind, account) of an enrollment token (credentials still current) or an access token."""
    if claims["aud"] == tokens.ENROLLMENT:
        return claims["kind"], account_for_step(ctx, claims)
    kind, account_id = tokens.account_of(claims)
    account = ctx.repos.accounts.get(kind, account_id)
    if not account or account.get("disabled"):
        raise InvalidCredentials()
    return kind, account


def _totp_label(ctx, kind: str, account: dict) -> str:
    """What the authenticator app lists: no name, no full national ID, no health data."""
    if kind == accounts.STAFF:
        return f"staff:{account['username']}"
    return f"ID ...{patients.person(ctx, account)['national_id'][-4:]}"
