"""What a push may carry, and what became of it. Pure values: no firebase-admin, no database.

A push never carries health data. Its title and body are generic sentences chosen by whoever
builds it; its `data` holds opaque ids only, and that much is checked here: a data value must
look like an id (letters, digits and `_ . : + / = -`), so a sentence cannot slip in.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

SENT, RETRY, DROP_TOKEN, FAILED = "sent", "retry", "drop_token", "failed"
OUTCOMES = (SENT, RETRY, DROP_TOKEN, FAILED)
# What the device registered, and so the FCM message field its token goes in: an FCM
# registration token (getToken(), "token") or a Firebase installation ID (register(), "fid").
TOKEN_FIELDS = ("token", "fid")

# FCM refuses a message over 4096 bytes of payload (keys and values, notification included).
MAX_PAYLOAD_BYTES = 4096
# APNs refuses an apns-collapse-id over 64 bytes, and we send the same key to Android.
MAX_COLLAPSE_KEY_BYTES = 64

_DATA_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_OPAQUE = re.compile(r"[A-Za-z0-9_.:+/=-]{1,256}")
# FCM answers 400 INVALID_ARGUMENT for these, which would read as a bad token and drop a device.
_RESERVED_KEYS = frozenset({"from", "message_type", "notification", "collapse_key"})
_RESERVED_PREFIXES = ("google", "gcm")


@dataclass(frozen=True)
class Push:
    """One push to one device. Raises TypeError or ValueError when a field breaks the rules.

    `token_field` says what `token` is: "token" (an FCM registration token, what apps register
    today) or "fid" (a Firebase installation ID, which firebase-admin 7.7 prefers).

    The token, title and body stay out of repr(), so a Push in a log line or a traceback shows
    neither the device nor the words.
    """

    job_id: str
    token: str = field(repr=False)
    title: str = field(repr=False)
    body: str = field(repr=False)
    data: dict[str, str]
    collapse_key: str
    token_field: str = "token"

    def __post_init__(self) -> None:
        if self.token_field not in TOKEN_FIELDS:
            raise ValueError(f"Push.token_field must be one of {TOKEN_FIELDS}")
        for name in ("job_id", "token", "title", "body", "collapse_key"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"Push.{name} must be a string")
            if not value.strip():
                raise ValueError(f"Push.{name} must not be empty")
        _check_collapse_key(self.collapse_key)
        object.__setattr__(self, "data", _checked_data(self.data))
        if _payload_bytes(self) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"Push payload is over {MAX_PAYLOAD_BYTES} bytes")

    @property
    def kind(self) -> str | None:
        return self.data.get("kind")


@dataclass(frozen=True)
class Result:
    """What became of one push.

    `error` is a short code such as "UNREGISTERED" or "UNAVAILABLE", never the token or a
    message text. `retry_after` is the wait in seconds FCM asked for (Retry-After), if any.
    """

    push: Push
    outcome: str
    error: str | None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")


def device_label(token: str) -> str:
    """A short, stable label for a device in logs: a hash prefix, never the token itself."""
    return "dev-" + hashlib.sha256(token.encode()).hexdigest()[:10]


def _check_collapse_key(key: str) -> None:
    if not _OPAQUE.fullmatch(key) or len(key.encode()) > MAX_COLLAPSE_KEY_BYTES:
        raise ValueError("Push.collapse_key must be an id of at most "
                         f"{MAX_COLLAPSE_KEY_BYTES} bytes")


def _checked_data(data: object) -> dict[str, str]:
    """A copy of `data` (so the caller's dict can't change a frozen Push), checked key by key.

    Error messages name the key, never the value: the value is what must not leak.
    """
    if not isinstance(data, dict):
        raise TypeError("Push.data must be a dict of strings")
    checked = {}
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("Push.data keys and values must be strings")
        if not _DATA_KEY.fullmatch(key):
            raise ValueError(f"Push.data key {key!r} must be lower_snake_case")
        if key in _RESERVED_KEYS or key.startswith(_RESERVED_PREFIXES):
            raise ValueError(f"Push.data key {key!r} is reserved by FCM")
        if not _OPAQUE.fullmatch(value):
            raise ValueError(f"Push.data[{key!r}] must be an opaque id, not text")
        checked[key] = value
    return checked


def _payload_bytes(push: Push) -> int:
    words = {"title": push.title, "body": push.body, **push.data}
    return len(json.dumps(words, ensure_ascii=False).encode())
