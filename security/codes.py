"""Random secrets for people to type (activation and recovery codes) and their keyed hashes."""
import hashlib
import hmac
import secrets

# Crockford-like alphabet: no 0/O, 1/I/L confusion when read from paper or a screen.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def human_code(groups: int = 3, size: int = 4) -> str:
    """e.g. 'K7QM-2XPD-W9RT': groups*size characters, ~4.95 bits each (3x4 -> 59 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))


def normalize_code(code: str) -> str:
    """Case and separators do not matter when a person types a code back."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def keyed_hash(pepper: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of a high-entropy value; the purpose keeps hashes of one kind from matching
    another. Fast on purpose: these values are random, not passwords, so lookups can use it."""
    msg = f"{purpose}\x00{value}".encode()
    return hmac.new(pepper.encode(), msg, hashlib.sha256).hexdigest()


def opaque_id(prefix: str) -> str:
    """Random public identifier that says nothing about time, order or person."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


def resource_id(prefix: str) -> str:
    """Like opaque_id, but a valid FHIR id as well (letters, digits, `-` and `.`, at most 64):
    token_urlsafe's `_` is refused there."""
    return f"{prefix}-{secrets.token_hex(16)}"


def client_secret() -> str:
    return secrets.token_urlsafe(32)
