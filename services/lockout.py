"""Per-account lockout after repeated password, code or activation failures.

Counters are keyed by a hash of the sign-in identifier, whether or not an account exists, so
a locked answer never reveals that an account exists.
"""
import logging
import math

from models import throttles
from models.db import utcnow
from services.context import peppered_hash, setting
from services.errors import DomainError, TooManyAttempts

log = logging.getLogger(__name__)


def key_for(kind: str, identifier: str) -> str:
    return peppered_hash("lockout", f"{kind}:{identifier}")


def ensure_not_locked(key: str) -> None:
    """Raises TooManyAttempts while the key is locked."""
    until = throttles.locked_until(key)
    if until:
        raise TooManyAttempts(math.ceil((until - utcnow()).total_seconds()))


def fail(key: str, error: DomainError) -> None:
    """Count a failure, then raise `error`, or TooManyAttempts if this failure locked the key."""
    until = throttles.record_failure(key, setting("LOCKOUT_THRESHOLD"), setting("LOCKOUT_SECONDS"))
    if until:
        log.warning("sign-in identifier locked after repeated failures (key %s...)", key[:12])
        raise TooManyAttempts(setting("LOCKOUT_SECONDS"))
    raise error


def succeeded(key: str) -> None:
    throttles.clear(key)
