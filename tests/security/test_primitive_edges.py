"""security/ at its edges: strict decoding, the empty value, the configured argon2 cost, the
password policy's boundaries and the Vietnamese letters it folds."""
import base64
import os

import pytest

from security.crypto import DecryptionError, FieldCipher, decode_key
from security.passwords import MAX_LENGTH, MIN_LENGTH, Passwords, fold, password_problems, \
    personal_words

KEY = base64.b64encode(os.urandom(32)).decode()


def test_an_empty_value_round_trips():
    cipher = FieldCipher(KEY)
    assert cipher.decrypt(cipher.encrypt("", "ctx"), "ctx") == ""


def test_a_ciphertext_with_characters_outside_base64_is_malformed():
    cipher = FieldCipher(KEY)
    version, blob = cipher.encrypt("secret", "ctx").split(":", 1)
    with pytest.raises(DecryptionError):
        cipher.decrypt(f"{version}:{blob[:8]}*{blob[8:]}", "ctx")


def test_a_key_with_stray_characters_is_refused_not_cleaned_up():
    with pytest.raises(ValueError):
        decode_key(KEY[:10] + "*" + KEY[10:])


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"16 bytes only!!!").decode()])
def test_a_refused_key_says_what_is_wrong(key):
    # The configuration names the setting (DATA_ENCRYPTION_KEY, an old key, the receipt key);
    # the primitive says what a key must be.
    with pytest.raises(ValueError, match="encryption key must"):
        decode_key(key)


def test_the_configured_argon2_cost_is_the_one_used():
    hashed = Passwords(time_cost=1, memory_kib=8, parallelism=1).hash("violet tractor sings")
    assert "$m=8,t=1,p=1$" in hashed


def test_the_length_limits_are_inclusive():
    shortest = "Zq9#vLp2"  # also a zxcvbn score of exactly 2, the lowest accepted
    assert len(shortest) == MIN_LENGTH and password_problems(shortest) == []
    longest = ("tram chim bay qua song hong luc binh minh " * 4)[:MAX_LENGTH]
    assert len(longest) == MAX_LENGTH and password_problems(longest) == []


def test_fold_turns_both_cases_of_d_with_stroke_into_d():
    assert fold("đường Đào") == "duong dao"


def test_a_two_word_name_is_tried_in_both_orders():
    words = personal_words("Trần Lan")
    assert "tranlan" in words and "lantran" in words
