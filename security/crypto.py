"""AES-256-GCM encryption of single fields, bound to their document and field by associated data.

A sealed value reads `v2:<key id>:<base64 nonce + ciphertext + tag>`. The key id names the key
that sealed it, so keys rotate: the keyring seals with its active key and opens with any key it
holds; a rotation re-seals every value with the new key while the old one stays readable.
"""
import base64
import binascii
import json
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v2"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class DecryptionError(Exception):
    """The ciphertext was altered, moved to another owner or field, or its key is not held."""


def decode_key(key_b64: str) -> bytes:
    """Raises ValueError unless key_b64 is base64 of exactly 32 bytes."""
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("an encryption key must be base64") from exc
    if len(key) != 32:
        raise ValueError("an encryption key must decode to 32 bytes (AES-256)")
    return key


def parse_keys(spec: str) -> dict[str, str]:
    """'id:base64,id2:base64' -> {id: base64}. Raises ValueError for a malformed list."""
    keys = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, key_b64 = item.partition(":")
        if not sep or not _KEY_ID.fullmatch(key_id) or key_id in keys:
            raise ValueError("old keys are written as id:base64, ids unique, separated by commas")
        keys[key_id] = key_b64
    return keys


class FieldCipher:
    """Seals strings (and JSON values) with the active key; `context` (for example
    "patients:<id>:name") is authenticated, so a value copied onto another document or field
    does not open."""

    def __init__(self, active_key_b64: str, active_key_id: str = "k1",
                 old_keys: dict[str, str] | None = None):
        if not _KEY_ID.fullmatch(active_key_id):
            raise ValueError("a key id is 1-32 letters, digits, '-' or '_'")
        keys = {key_id: decode_key(key) for key_id, key in (old_keys or {}).items()}
        keys[active_key_id] = decode_key(active_key_b64)
        self._aeads = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.active_key_id = active_key_id

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aeads[self.active_key_id].encrypt(nonce, plaintext.encode(),
                                                         context.encode())
        return f"{_VERSION}:{self.active_key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, context: str) -> str:
        """Raises DecryptionError when the token is malformed, fails authentication or names a
        key this keyring does not hold."""
        try:
            version, key_id, blob = token.split(":", 2)
            raw = base64.b64decode(blob, validate=True)
            if version != _VERSION or key_id not in self._aeads or len(raw) < 28:
                raise DecryptionError("unsupported ciphertext")
            return self._aeads[key_id].decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (ValueError, binascii.Error, InvalidTag, AttributeError) as exc:
            raise DecryptionError("ciphertext failed authentication") from exc

    def encrypt_json(self, value, context: str) -> str:
        return self.encrypt(json.dumps(value, separators=(",", ":"), ensure_ascii=False), context)

    def decrypt_json(self, token: str, context: str):
        return json.loads(self.decrypt(token, context))

    def is_current(self, token: str) -> bool:
        """Sealed with the active key (a rotation skips it)."""
        return isinstance(token, str) and token.startswith(f"{_VERSION}:{self.active_key_id}:")
