"""RFC 6238 TOTP with replay protection by time step (pyotp underneath)."""
from datetime import datetime

import pyotp
from pyotp.utils import strings_equal

# Accept the previous, current and next 30-second step, no more (clock drift).
VALID_WINDOW = 1


def new_secret() -> str:
    """A fresh 160-bit base32 secret."""
    return pyotp.random_base32()  # 32 base32 chars = 160 bits


def provisioning_uri(secret: str, label: str, issuer: str) -> str:
    """otpauth:// URI for authenticator apps; the label must carry no health data."""
    return pyotp.TOTP(secret).provisioning_uri(name=label, issuer_name=issuer)


def matching_step(secret: str, code: str, now: datetime, after_step: int = -1) -> int | None:
    """The time step whose code equals `code`, if it is within the window and later than
    `after_step` (the last step already accepted), else None.

    pyotp's own verify() neither names the step nor refuses a replay, so the step is computed
    here and the caller records it with a conditional write.
    """
    if not (isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    base = totp.timecode(now)
    for step in range(base - VALID_WINDOW, base + VALID_WINDOW + 1):
        if step > after_step and strings_equal(totp.generate_otp(step), code):
            return step
    return None


def code_at(secret: str, when: datetime) -> str:
    """The code an authenticator shows at `when` (demo tooling and tests)."""
    return pyotp.TOTP(secret).at(when)
