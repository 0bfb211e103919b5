"""Operator tasks (CLI, demo seed): create staff accounts, disable accounts."""
from models import accounts
from services import patients
from services.signin import sessions
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.signin.password_policy import check_password_policy

# Staff roles: support works with patients' accounts and consents (never their records); the
# privacy officer handles breach incidents and oversees data-subject requests. One account may
# hold both.
SUPPORT, PRIVACY_OFFICER = "support", "privacy_officer"
ROLES = (SUPPORT, PRIVACY_OFFICER)


def create_staff(ctx, username: str, password: str, roles: list[str] | None = None) -> str:
    """A staff account with `roles` (support by default; TOTP is set up at first sign-in).
    Raises InvalidInput for a refused password or an unknown role, Conflict for a taken
    username."""
    roles = list(roles or [SUPPORT])
    if not set(roles) <= set(ROLES):
        raise InvalidInput(f"Roles are {', '.join(ROLES)}.", errors={"roles": ["Unknown role."]})
    check_password_policy(password, {"username": username})
    staff_id = ctx.repos.staff.insert(username, ctx.passwords.hash(password, username), roles)
    if staff_id is None:
        raise Conflict(f"The username {username} is taken.")
    return staff_id


def disable_patient(ctx, national_id: str) -> str:
    """Raises NotFound for an unknown national ID. Returns the patient id."""
    patient = patients.find(ctx, national_id)
    if not patient:
        raise NotFound("No patient with that national ID.")
    disable_account(ctx, accounts.PATIENT, patient["_id"])
    return patient["_id"]


def disable_staff(ctx, username: str) -> str:
    account = ctx.repos.accounts.find_by_login(accounts.STAFF, username)
    if not account:
        raise NotFound("No staff account with that username.")
    disable_account(ctx, accounts.STAFF, account["_id"])
    return account["_id"]


def disable_account(ctx, kind: str, account_id: str) -> None:
    """No more sign-ins, and every session and trusted device ends at once."""
    if not ctx.repos.accounts.disable(kind, account_id):
        raise NotFound()
    sessions.end_all(ctx, account_id, "account_disabled")


def require_role(ctx, staff_id: str, role: str) -> None:
    """Raises Forbidden unless the enabled staff account holds `role` (read afresh on every
    request: a role taken away counts at once)."""
    if role not in (ctx.repos.staff.roles_of(staff_id) or ()):
        raise Forbidden("This staff account does not have the role this needs.")
