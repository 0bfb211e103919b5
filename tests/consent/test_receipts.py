"""Consent receipts: canonical payload, Ed25519 signature, round trip and tamper detection."""
import base64
import dataclasses
import json
from datetime import timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from consent import (ALL, Grantee, new_receipt_key, public_key_of, receipt_payload, revoke,
                     sign_receipt, verify_receipt)
from consent.receipts import RECEIPT_CONTEXT
from tests.consent.builders import NOW, consent
from tests.consent.strategies import PROPERTY, consents

KEY = new_receipt_key()
PUBLIC = public_key_of(KEY)


def test_the_payload_is_sorted_compact_json_of_the_terms():
    payload = receipt_payload(consent(sensitive={"hiv", "genetic"}, categories={"lab", "imaging"}))
    body = json.loads(payload)
    assert payload == json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert body["categories"] == ["imaging", "lab"] and body["sensitive"] == ["genetic", "hiv"]
    assert body["grantee"] == {"kind": "hospital", "key": "hosp_1"}
    assert body["period_start"] == "2026-11-15T09:00:00.000Z"
    assert body["revoked_at"] is None and body["type"] == "phr-consent-receipt"


def test_all_is_written_as_in_the_api():
    assert json.loads(receipt_payload(consent(categories=ALL)))["categories"] == ["all"]


def test_times_are_written_in_utc_with_milliseconds():
    hanoi = timezone(timedelta(hours=7))
    local = consent(period_end=(NOW + timedelta(microseconds=987654)).astimezone(hanoi))
    assert json.loads(receipt_payload(local))["period_end"] == "2026-11-25T09:00:00.987Z"


def test_the_payload_does_not_change_across_a_database_round_trip():
    # MongoDB keeps milliseconds: the stored consent must give the receipt's bytes again.
    exact = consent(recorded_at=NOW + timedelta(microseconds=123456))
    stored = dataclasses.replace(exact, recorded_at=NOW + timedelta(microseconds=123000))
    assert receipt_payload(exact) == receipt_payload(stored)


def test_a_revocation_gives_a_different_receipt():
    granted = consent()
    withdrawn = revoke(granted, "patient:pat_1", NOW)
    body = json.loads(receipt_payload(withdrawn))
    assert (body["status"], body["revoked_by"]) == ("inactive", "patient:pat_1")
    assert receipt_payload(granted) != receipt_payload(withdrawn)


def test_a_signed_receipt_verifies_with_the_public_key():
    payload = receipt_payload(consent())
    signature = sign_receipt(payload, KEY)
    assert signature.startswith("ed25519:")
    assert verify_receipt(payload, signature, PUBLIC)


def test_key_objects_work_as_well_as_raw_bytes():
    private = Ed25519PrivateKey.generate()
    payload = receipt_payload(consent())
    signature = sign_receipt(payload, private)
    assert verify_receipt(payload, signature, private.public_key())
    assert verify_receipt(payload, signature, public_key_of(private))


def test_a_changed_consent_does_not_verify():
    payload = receipt_payload(consent())
    signature = sign_receipt(payload, KEY)
    widened = receipt_payload(consent(categories=ALL))
    assert not verify_receipt(widened, signature, PUBLIC)


def test_a_flipped_byte_anywhere_is_detected():
    payload = receipt_payload(consent())
    signature = sign_receipt(payload, KEY)
    for index in range(len(payload)):
        altered = bytearray(payload)
        altered[index] ^= 0x01
        assert not verify_receipt(bytes(altered), signature, PUBLIC)


def test_another_key_does_not_verify():
    payload = receipt_payload(consent())
    assert not verify_receipt(payload, sign_receipt(payload, KEY), public_key_of(new_receipt_key()))


@pytest.mark.parametrize("signature", [
    "", "ed25519:", "hmac:abc", "ed25519:!!!", "ed25519:" + "A" * 86, None, 42,
    "ed25519:ünïcode",
])
def test_a_malformed_signature_is_false_not_an_error(signature):
    assert not verify_receipt(receipt_payload(consent()), signature, PUBLIC)


def test_a_tampered_signature_does_not_verify():
    payload = receipt_payload(consent())
    signature = sign_receipt(payload, KEY)
    last = "A" if signature[-2] != "A" else "B"
    assert not verify_receipt(payload, signature[:-2] + last + signature[-1], PUBLIC)


def test_the_signature_is_bound_to_the_receipt_context():
    # A bare Ed25519 signature over the payload, made for some other use of the key, is not a
    # receipt signature.
    payload = receipt_payload(consent())
    private = Ed25519PrivateKey.from_private_bytes(KEY)
    bare = private.sign(payload)
    forged = "ed25519:" + base64.urlsafe_b64encode(bare).rstrip(b"=").decode()
    assert not verify_receipt(payload, forged, PUBLIC)
    assert private.public_key().verify(private.sign(RECEIPT_CONTEXT + payload),
                                       RECEIPT_CONTEXT + payload) is None


def test_a_malformed_key_is_an_error():
    with pytest.raises(ValueError):
        sign_receipt(b"{}", b"short")
    with pytest.raises(ValueError):
        verify_receipt(b"{}", "ed25519:", "not a key")


@PROPERTY
@given(consents())
def test_every_consent_round_trips_and_its_payload_is_stable(made):
    payload = receipt_payload(made)
    assert payload == receipt_payload(dataclasses.replace(made))
    assert verify_receipt(payload, sign_receipt(payload, KEY), PUBLIC)


@pytest.mark.parametrize("fields", [
    {"id": "con_2"}, {"patient_id": "pat_2"}, {"grantee": Grantee.hospital("hosp_2")},
    {"grantee": Grantee.person("hosp_1")}, {"categories": {"lab", "imaging"}},
    {"sensitive": {"hiv"}}, {"purpose": "research"}, {"period_start": NOW},
    {"period_end": None}, {"status": "draft"}, {"source": "staff", "evidence": "form.pdf"},
    {"evidence": "note"}, {"recorded_by": "staff:st_1"}, {"recorded_at": NOW},
], ids=lambda fields: ",".join(fields))
def test_a_change_to_any_term_changes_the_payload(fields):
    assert receipt_payload(consent(**fields)) != receipt_payload(consent())
