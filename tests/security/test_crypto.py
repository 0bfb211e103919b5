"""security.crypto: AES-256-GCM field encryption bound to its context."""
import base64
import os

import pytest

from security.crypto import DecryptionError, FieldCipher, decode_key

KEY = base64.b64encode(os.urandom(32)).decode()


def test_round_trip():
    cipher = FieldCipher(KEY)
    token = cipher.encrypt("JBSWY3DPEHPK3PXP", "patient:pat_1:totp")
    assert "JBSWY3DPEHPK3PXP" not in token
    assert cipher.decrypt(token, "patient:pat_1:totp") == "JBSWY3DPEHPK3PXP"


def test_same_plaintext_encrypts_differently():
    cipher = FieldCipher(KEY)
    assert cipher.encrypt("x", "c") != cipher.encrypt("x", "c")


def test_ciphertext_moved_to_another_account_does_not_decrypt():
    cipher = FieldCipher(KEY)
    token = cipher.encrypt("secret", "patient:pat_1:totp")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, "patient:pat_2:totp")


def test_tampered_ciphertext_or_wrong_key_is_refused():
    cipher = FieldCipher(KEY)
    token = cipher.encrypt("secret", "ctx")
    raw = bytearray(base64.b64decode(token.split(":", 1)[1]))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt("v1:" + base64.b64encode(bytes(raw)).decode(), "ctx")
    with pytest.raises(DecryptionError):
        FieldCipher(base64.b64encode(os.urandom(32)).decode()).decrypt(token, "ctx")
    for garbage in ("", "v1:", "v2:" + token[3:], "v1:not base64!"):
        with pytest.raises(DecryptionError):
            cipher.decrypt(garbage, "ctx")


@pytest.mark.parametrize("key", ["", "not base64!", base64.b64encode(b"16 bytes only!!!").decode()])
def test_keys_must_be_256_bits(key):
    with pytest.raises(ValueError):
        decode_key(key)
