"""Per-path lockout of password and code attempts (OWASP "device cookies", NIST SP 800-63B 5.2.2).

A path is one sign-in identifier (a national ID, a staff username) seen from one side:
- `untrusted`: clients without a trusted device token. Anyone who knows a national ID is here.
- `device:<id>`: one trusted device, which completed both factors before. Failures elsewhere
  never lock it, so a stranger cannot keep the owner out.
- `session:<id>`: re-authentication inside a signed-in session (password change, new factor).
- `activation`: wrong activation codes typed for a national ID (registration, password reset).
  A valid code is never held back by it: codes carry 59 random bits and are handed over in
  person, so the code itself is what keeps strangers out, and a stranger's guesses must not
  keep the owner who holds the code from registering.
- `reset-factor`: second-factor codes typed in a password reset, which only someone holding a
  valid activation code reaches; nothing but a success clears it.

Each attempt is taken from the path's budget before the slow check (models.throttles), locks
grow longer each time they recur, and counters are keyed by a hash of the identifier whether or
not an account exists, so a locked answer says nothing about which accounts exist.
"""
import logging
import math
from dataclasses import dataclass
from typing import NoReturn

from models import throttles
from services.operations import notify
from services.errors import DomainError, TooManyAttempts

log = logging.getLogger(__name__)

UNTRUSTED, ACTIVATION, RESET_FACTOR = "untrusted", "activation", "reset-factor"
# The failure of a round that is worth telling the owner about, before the lock itself.
REPEATED_FAILURES = 3


def device_path(device_id: str) -> str:
    return f"device:{device_id}"


def session_path(session_id: str) -> str:
    return f"session:{session_id}"


def lock_seconds(lock_number: int, base: int, maximum: int) -> int:
    """The n-th lock of a path lasts base, 2x base, 4x base, ... at most `maximum` seconds."""
    return min(base * 2 ** (lock_number - 1), maximum)


@dataclass(frozen=True)
class Attempt:
    unit: throttles.Attempt
    path: str


def attempt(ctx, kind: str, identifier: str, path: str = UNTRUSTED) -> Attempt:
    """Take one attempt on the path before checking anything. Raises TooManyAttempts while
    the path is locked."""
    try:
        return Attempt(ctx.repos.throttles.take(_key(ctx, kind, identifier, path),
                                                ctx.setting("LOCKOUT_THRESHOLD"),
                                                lambda number: _lock_seconds(ctx, number)), path)
    except throttles.Locked as locked:
        raise TooManyAttempts(math.ceil((locked.until - ctx.now()).total_seconds()))


def failed(ctx, taken: Attempt, error: DomainError,
           owner: tuple[str, str] | None = None) -> NoReturn:
    """The attempt failed: raise `error`, or TooManyAttempts if it was the last of its round.
    `owner` (kind, account id) is the account the identifier names, when there is one: it
    keeps the failures and locks among its security events."""
    unit = taken.unit
    if owner and (unit.last or unit.number == REPEATED_FAILURES):
        event = "sign_in_locked" if unit.last else "repeated_failed_sign_ins"
        details = {"path": taken.path.split(":")[0], "failures": unit.number}
        if unit.last:
            details.update(lock_number=unit.locks, locked_until=unit.locked_until)
        notify.security_event(ctx, owner[0], owner[1], event, details)
    if unit.last:
        log.warning("a sign-in path was locked after repeated failures (lock %d)", unit.locks)
        raise TooManyAttempts(_lock_seconds(ctx, unit.locks))
    raise error


def refuse(ctx, kind: str, identifier: str, path: str, error: DomainError,
           owner: tuple[str, str] | None = None) -> NoReturn:
    """Count a failure that needed no slow check (a wrong activation code), then raise `error`,
    or TooManyAttempts while or once the path is locked."""
    failed(ctx, attempt(ctx, kind, identifier, path), error, owner)


def password_correct(ctx, taken: Attempt) -> None:
    """The password was right: give the attempt back, since the second factor takes its own."""
    ctx.repos.throttles.refund(taken.unit)


def succeeded(ctx, taken: Attempt) -> None:
    """Both factors (or the whole code flow) succeeded: the path starts again."""
    ctx.repos.throttles.clear(taken.unit)


def forget(ctx, kind: str, identifier: str, path: str) -> None:
    """Drop a path's budget and lock: the owner proved who they are in person (a registration or
    password reset with a front-desk code), so the next sign-in starts afresh."""
    ctx.repos.throttles.forget(_key(ctx, kind, identifier, path))


def _key(ctx, kind: str, identifier: str, path: str) -> str:
    return ctx.peppered_hash("lockout", f"{kind}:{identifier}:{path}")


def _lock_seconds(ctx, lock_number: int) -> int:
    return lock_seconds(lock_number, ctx.setting("LOCKOUT_SECONDS"),
                        ctx.setting("LOCKOUT_MAX_SECONDS"))
