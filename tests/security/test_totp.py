"""security.totp: RFC 6238 steps, window and replay ordering (no Flask, no database)."""
import base64
from datetime import datetime, timedelta, timezone

import pyotp

from security import totp

T0 = datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc)


def test_our_codes_match_the_rfc6238_sha1_vectors():
    # RFC 6238 appendix B, SHA-1 key "12345678901234567890": 94287082 at T = 59 s and
    # 07081804 at T = 1111111109 s (8 digits); authenticator apps show the last 6.
    secret = base64.b32encode(b"12345678901234567890").decode()
    for seconds, rfc_code in ((59, "94287082"), (1111111109, "07081804")):
        when = datetime.fromtimestamp(seconds, timezone.utc)
        assert totp.code_at(secret, when) == rfc_code[-6:]
        assert totp.matching_step(secret, rfc_code[-6:], when) == seconds // 30


def test_new_secret_is_160_bits():
    assert len(base64.b32decode(totp.new_secret())) == 20
    assert totp.new_secret() != totp.new_secret()


def test_matching_step_names_the_step_of_the_code():
    secret = totp.new_secret()
    step = pyotp.TOTP(secret).timecode(T0)
    assert totp.matching_step(secret, totp.code_at(secret, T0), T0) == step
    assert totp.matching_step(secret, totp.code_at(secret, T0 - timedelta(seconds=30)), T0) == step - 1
    assert totp.matching_step(secret, totp.code_at(secret, T0 + timedelta(seconds=30)), T0) == step + 1


def test_codes_outside_one_step_are_refused():
    secret = totp.new_secret()
    for offset in (-90, -60, 60, 90):
        code = totp.code_at(secret, T0 + timedelta(seconds=offset))
        if code not in {totp.code_at(secret, T0 + timedelta(seconds=s)) for s in (-30, 0, 30)}:
            assert totp.matching_step(secret, code, T0) is None


def test_steps_already_used_are_refused():
    secret = totp.new_secret()
    code = totp.code_at(secret, T0)
    step = totp.matching_step(secret, code, T0)
    assert totp.matching_step(secret, code, T0, after_step=step) is None
    assert totp.matching_step(secret, code, T0, after_step=step - 1) == step


def test_malformed_codes_are_refused_without_error():
    secret = totp.new_secret()
    for code in ("", "12345", "1234567", "12345a", "١٢٣٤٥٦", None, 123456):
        assert totp.matching_step(secret, code, T0) is None


def test_leading_zeros_are_kept():
    secret = totp.new_secret()
    codes = {totp.code_at(secret, T0 + timedelta(seconds=30 * i)) for i in range(400)}
    assert all(len(c) == 6 for c in codes)
    assert any(c.startswith("0") for c in codes)


def test_provisioning_uri_carries_label_and_issuer():
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "ID ...7890", "PHR")
    assert uri.startswith("otpauth://totp/PHR:ID%20...7890?") and "issuer=PHR" in uri
    assert f"secret={secret}" in uri
