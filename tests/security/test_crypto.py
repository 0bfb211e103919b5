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
    version, key_id, blob = token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt(f"{version}:{key_id}:" + base64.b64encode(bytes(raw)).decode(), "ctx")
    with pytest.raises(DecryptionError):
        FieldCipher(base64.b64encode(os.urandom(32)).decode()).decrypt(token, "ctx")
    for garbage in ("", "v2:", "v2:k1:", "v1:" + token[3:], "v2:k9" + token[5:],
                    "v2:k1:not base64!", None):
        with pytest.raises(DecryptionError):
            cipher.decrypt(garbage, "ctx")


def test_values_name_their_key_and_old_keys_stay_readable_during_a_rotation():
    old = FieldCipher(KEY, "k1")
    sealed_before = old.encrypt("national id 001234567890", "patients:pat_1:national_id")
    assert sealed_before.startswith("v2:k1:")
    new_key = base64.b64encode(os.urandom(32)).decode()
    rotating = FieldCipher(new_key, "k2", old_keys={"k1": KEY})
    assert rotating.decrypt(sealed_before, "patients:pat_1:national_id").endswith("567890")
    assert not rotating.is_current(sealed_before)
    resealed = rotating.encrypt("x", "c")
    assert resealed.startswith("v2:k2:") and rotating.is_current(resealed)
    with pytest.raises(DecryptionError):
        FieldCipher(new_key, "k2").decrypt(sealed_before, "patients:pat_1:national_id")


def test_json_values_round_trip():
    cipher = FieldCipher(KEY)
    value = {"resourceType": "Observation", "valueQuantity": {"value": 7.2, "unit": "mmol/L"},
             "note": "Lê Minh Châu"}
    assert cipher.decrypt_json(cipher.encrypt_json(value, "records:r1:resource"),
                               "records:r1:resource") == value


@pytest.mark.parametrize("spec, parsed", [("", {}), ("k1:AAA", {"k1": "AAA"}),
                                          ("a:x, b-2:y", {"a": "x", "b-2": "y"})])
def test_old_key_lists_parse(spec, parsed):
    from security.crypto import parse_keys
    assert parse_keys(spec) == parsed


@pytest.mark.parametrize("spec", ["nocolon", "k1:a,k1:b", "bad id:x", ":x"])
def test_malformed_old_key_lists_are_refused(spec):
    from security.crypto import parse_keys
    with pytest.raises(ValueError):
        parse_keys(spec)


@pytest.mark.parametrize("key", ["", "not base64!", base64.b64encode(b"16 bytes only!!!").decode()])
def test_keys_must_be_256_bits(key):
    with pytest.raises(ValueError):
        decode_key(key)
