"""Engine edges found by mutation testing: what a receipt names and how its signature is written
for verifiers outside this server, and the checks new_consent runs itself on fields the API's
schema would have refused first (a caller of the engine gets each problem named), and the
sensitivity labels of records whose codes are blank or read in another vocabulary."""
import base64
import json
import re
from datetime import timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consent import (ConsentInvalid, decide, fhir_codings, new_consent, new_receipt_key,
                     public_key_of, receipt_payload, revoke, sensitive_labels_for,
                     sign_receipt, verify_receipt)
from consent.receipts import RECEIPT_CONTEXT
from tests.consent.builders import DAY, HOSPITAL, NOW, PATIENT, consent, request

KEY = new_receipt_key()


def made(**fields):
    """new_consent of a valid app grant to HOSPITAL, with `fields` changed."""
    return new_consent(**{"id": "con_9", "patient_id": PATIENT, "recorded_by": "patient:pat_1",
                          "patient_key": "nid_hash_self", "grantee": HOSPITAL,
                          "categories": ["lab"], "purpose": "treatment", "expires_at": None,
                          "source": "app", "at": NOW, **fields})


def test_a_receipt_names_its_format_version_and_the_consent_it_is_for():
    body = json.loads(receipt_payload(consent(id="con_42")))
    assert (body["type"], body["version"], body["id"], body["patient_id"]) == (
        "phr-consent-receipt", 2, "con_42", PATIENT)


def test_a_receipt_holds_every_term_under_its_name_in_utf_8():
    staff_form = consent(source="staff", evidence="Phiếu đồng ý 42", sensitive={"hiv"},
                         recorded_by="staff:st_1", approved_by="staff:st_3",
                         approved_at=NOW - 10 * DAY)
    withdrawn = revoke(staff_form, "staff:st_2", NOW, evidence="Phiếu rút lại 43")
    payload = receipt_payload(withdrawn)
    assert "Phiếu rút lại 43".encode() in payload  # UTF-8 as is, not \u escapes
    assert json.loads(payload) == {
        "type": "phr-consent-receipt", "version": 2, "id": "con_1", "patient_id": PATIENT,
        "grantee": {"kind": "hospital", "key": "hosp_1"}, "categories": ["lab"],
        "sensitive": ["hiv"], "purpose": "treatment",
        "period_start": "2026-11-15T09:00:00.000Z", "period_end": "2026-12-05T09:00:00.000Z",
        "status": "inactive", "source": "staff", "evidence": "Phiếu đồng ý 42",
        "recorded_by": "staff:st_1", "recorded_at": "2026-11-15T09:00:00.000Z",
        "revoked_at": "2026-11-25T09:00:00.000Z", "revoked_by": "staff:st_2",
        "revocation_evidence": "Phiếu rút lại 43", "approved_by": "staff:st_3",
        "approved_at": "2026-11-15T09:00:00.000Z", "rejected_by": None, "rejected_at": None}


def test_a_signature_is_unpadded_base64url_that_any_ed25519_verifier_accepts():
    payload = receipt_payload(consent())
    scheme, _, text = sign_receipt(payload, KEY).partition(":")
    assert scheme == "ed25519" and re.fullmatch(r"[A-Za-z0-9_-]{86}", text)
    raw = base64.urlsafe_b64decode(text + "==")
    public = Ed25519PublicKey.from_public_bytes(public_key_of(KEY))
    assert public.verify(raw, RECEIPT_CONTEXT + payload) is None  # raises when it does not


def test_a_key_that_is_not_bytes_is_a_value_error_even_at_32_characters():
    payload = receipt_payload(consent())
    with pytest.raises(ValueError):
        verify_receipt(payload, sign_receipt(payload, KEY), "k" * 32)
    with pytest.raises(ValueError):
        sign_receipt(payload, "k" * 32)



def test_receipt_times_are_utc_whatever_the_servers_time_zone(server_clock_five_hours_behind_utc):
    hanoi = timezone(timedelta(hours=7))
    body = json.loads(receipt_payload(consent(period_start=NOW.astimezone(hanoi))))
    assert body["period_start"] == "2026-11-25T09:00:00.000Z"


@pytest.mark.parametrize("fields, problems", [
    ({"categories": "lab"}, {"categories": ['must be a list of categories, or ["all"]']}),
    ({"sensitive": "hiv"}, {"sensitive": ["must be a list of sensitivity labels"]}),
    ({"sensitive": ["psychiatry"]}, {"sensitive": ["unknown sensitivity label: psychiatry"]}),
    ({"sensitive": [3]}, {"sensitive": ["sensitivity labels are strings"]}),
    ({"grantee": "hosp_1"}, {"grantee": ["must be a hospital or a person"]}),
    ({"evidence": 42}, {"evidence": ["must be a string"]}),
], ids=["categories-str", "sensitive-str", "sensitive-unknown", "sensitive-int", "grantee-str",
        "evidence-int"])
def test_new_consent_names_each_malformed_field(fields, problems):
    with pytest.raises(ConsentInvalid) as caught:
        made(**fields)
    assert caught.value.errors == problems


def test_a_rejected_value_is_echoed_whole_up_to_forty_characters():
    with pytest.raises(ConsentInvalid) as caught:
        made(categories=["x" * 40, "y" * 41])
    assert caught.value.errors["categories"] == [
        "unknown category: " + "x" * 40, "unknown category: " + "y" * 40 + "..."]


ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"


def test_a_blank_code_does_not_stop_the_records_other_codes_being_read():
    hiv = {"resourceType": "Condition", "code": {"coding": [
        {"system": ICD10_CM, "code": ""}, {"system": ICD10_CM, "code": "B20"},
        {"system": ICD10_CM, "code": "  "}]}}
    assert sensitive_labels_for(fhir_codings(hiv)) == {"hiv"}
    assert sensitive_labels_for([(ICD10_CM, ""), (ICD10_CM, "B20")]) == {"hiv"}


def test_a_code_with_a_known_system_is_read_in_that_vocabulary_only():
    """ICD-10-CM N06.A (isolated proteinuria with C3 glomerulonephritis), written without its
    dot, is also the ATC prefix of antidepressants: a kidney diagnosis is not mental health."""
    assert sensitive_labels_for([(ICD10_CM, "N06A")]) == set()
    assert sensitive_labels_for([("http://www.whocc.no/atc", "N06AB03")]) == {"mental-health"}


@pytest.mark.parametrize("system", [
    "https://hl7.org/fhir/sid/icd-10-cm", "HTTP://HL7.org/fhir/sid/icd-10-cm",
    "http://hl7.org/fhir/sid/icd-10-cm/", " https://hl7.org/fhir/sid/ICD-10-CM/ ",
])
def test_a_known_system_is_known_however_its_scheme_case_and_trailing_slash_are_written(system):
    assert sensitive_labels_for([(system, "N06A")]) == set()
    assert sensitive_labels_for([(system, "F32")]) == {"mental-health"}


@pytest.mark.parametrize("field", ["period_start", "recorded_at"])
def test_a_consent_without_its_start_or_record_time_is_refused_when_made(field):
    with pytest.raises(ValueError, match=field):
        consent(**{field: None})


@pytest.mark.parametrize("field", ["period_start", "period_end", "recorded_at", "revoked_at"])
def test_a_consent_with_a_naive_time_is_refused_naming_the_field(field):
    revoked = {"status": "inactive", "revoked_at": NOW, "revoked_by": "patient:pat_1"}
    with pytest.raises(ValueError, match=f"^{field} must be a timezone-aware datetime$"):
        consent(**{**revoked, field: NOW.replace(tzinfo=None)})


def test_a_consents_labels_are_checked_and_frozen_when_it_is_made():
    made = consent(categories=["lab"], sensitive=["hiv"])
    assert made.categories == frozenset({"lab"}) and isinstance(made.categories, frozenset)
    assert made.sensitive == frozenset({"hiv"}) and isinstance(made.sensitive, frozenset)
    for field in ("categories", "sensitive"):
        with pytest.raises(ValueError, match=f"^{field} must be a collection of strings$"):
            consent(**{field: ["lab", 3]})


def test_a_decision_needs_the_time_it_is_made_at():
    with pytest.raises(ValueError):
        decide([consent()], **request(at=None))
