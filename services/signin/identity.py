"""Who an account is to the sign-in flows: its kind, its login, the owner of its security
events, the account behind a step token, and the lockout path of a device."""
from models import accounts
from services import patients
from services.signin import lockout, tokens

# The account kinds, for the HTTP layer (token audiences are another vocabulary:
# services.signin.tokens).
PATIENT, STAFF = accounts.PATIENT, accounts.STAFF


def account_for_step(ctx, claims: dict) -> dict:
    """The account a step token speaks for, while the token's credentials are current.
    Raises InvalidCredentials after a password change, a factor reset or a disabled account."""
    account = ctx.repos.accounts.get(claims["kind"], claims["sub"])
    if not account or account.get("disabled") or claims.get("ep") != accounts.epoch(account):
        raise tokens.step_expired()
    return account


def lockout_path(device_id: str | None) -> str:
    return lockout.device_path(device_id) if device_id else lockout.UNTRUSTED


def login_key(ctx, kind: str, identifier: str) -> str:
    """What an account is looked up (and its lockout paths keyed) by: a staff username, or the
    keyed hash of a patient's national ID."""
    return patients.national_id_hash(ctx, identifier) if kind == accounts.PATIENT else identifier


def login_of(kind: str, account: dict) -> str:
    """The login_key of a stored account."""
    return account[accounts.LOGIN_FIELDS[kind]]


def owner(kind: str, account: dict | None) -> tuple[str, str] | None:
    """(kind, id) of a signed-up account, for its security events; None for no account."""
    if account and account.get("password_hash"):
        return kind, account["_id"]
    return None
