"""AES-256-GCM encryption of single fields (TOTP seeds), bound to their owner by associated data."""
import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"


class DecryptionError(Exception):
    """The ciphertext was altered, moved to another owner or field, or the key is wrong."""


def decode_key(key_b64: str) -> bytes:
    """Raises ValueError unless key_b64 is base64 of exactly 32 bytes."""
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("DATA_ENCRYPTION_KEY must be base64") from exc
    if len(key) != 32:
        raise ValueError("DATA_ENCRYPTION_KEY must decode to 32 bytes (AES-256)")
    return key


class FieldCipher:
    """Encrypts short strings; `context` (for example "patient:<id>:totp") is authenticated, so a
    ciphertext copied onto another account does not decrypt."""

    def __init__(self, key_b64: str):
        self._aead = AESGCM(decode_key(key_b64))

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, context: str) -> str:
        """Raises DecryptionError when the token is malformed or fails authentication."""
        try:
            version, blob = token.split(":", 1)
            raw = base64.b64decode(blob, validate=True)
            if version != _VERSION or len(raw) < 28:
                raise DecryptionError("unsupported ciphertext")
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (ValueError, binascii.Error, InvalidTag) as exc:
            raise DecryptionError("ciphertext failed authentication") from exc
