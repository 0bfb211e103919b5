"""Granting (validate_new_consent, new_consent) and withdrawing (revoke)."""
from datetime import timedelta

import pytest

from consent import (ALL, ACTIVE, INACTIVE, AlreadyRevoked, ConsentInvalid, Grantee,
                     NotRevocable, decide, new_consent, reasons, revoke, validate_new_consent)
from tests.consent.builders import CARER, DAY, HOSPITAL, NOW, PATIENT, consent, request

SELF_KEY = "nid_hash_self"


def grant(**fields) -> dict:
    """validate_new_consent keywords of a valid app grant to HOSPITAL."""
    return {"patient_key": SELF_KEY, "grantee": HOSPITAL, "categories": ["lab", "imaging"],
            "purpose": "treatment", "expires_at": NOW + 30 * DAY, "source": "app", "at": NOW,
            **fields}


def problems(**fields) -> dict:
    with pytest.raises(ConsentInvalid) as caught:
        validate_new_consent(**grant(**fields))
    return caught.value.errors


def test_a_valid_grant_passes():
    assert validate_new_consent(**grant()) is None
    assert validate_new_consent(**grant(categories=["all"], expires_at=None)) is None


def test_an_unknown_category_is_named():
    assert problems(categories=["lab", "billing", "xray"]) == {
        "categories": ["unknown category: billing", "unknown category: xray"]}


@pytest.mark.parametrize("categories, message", [
    ([], "name at least one category, or \"all\""),
    (["all", "lab"], "\"all\" cannot be combined with other categories"),
    ("lab", "must be a list of categories, or [\"all\"]"),
    ([3], "categories are strings"),
])
def test_malformed_category_lists_are_refused(categories, message):
    assert problems(categories=categories) == {"categories": [message]}


def test_an_unknown_purpose_is_refused_with_the_known_ones():
    assert problems(purpose="marketing") == {"purpose": [
        "unknown purpose: marketing; one of caregiving, insurance, other, research, treatment"]}


def test_a_purpose_is_matched_exactly():
    assert "purpose" in problems(purpose="Treatment")


@pytest.mark.parametrize("expires_at", [NOW, NOW - DAY, NOW + timedelta(microseconds=500)])
def test_an_expiry_not_in_the_future_is_refused(expires_at):
    assert problems(expires_at=expires_at) == {"expires_at": ["must be in the future"]}


def test_an_expiry_without_time_zone_is_refused():
    assert problems(expires_at=(NOW + DAY).replace(tzinfo=None)) == {
        "expires_at": ["must be a date and time with its time zone"]}


def test_staff_must_name_the_signed_form():
    message = "required when staff record a consent: the signed form's reference"
    assert problems(source="staff") == {"evidence": [message]}
    assert problems(source="staff", evidence="  ") == {"evidence": [message]}
    assert validate_new_consent(**grant(source="staff", evidence="scan/2026/0042.pdf")) is None


def test_an_unknown_source_is_refused():
    assert problems(source="email") == {"source": ["must be one of app, staff"]}


def test_a_patient_cannot_grant_to_themself():
    assert problems(grantee=Grantee.person(SELF_KEY), purpose="caregiving") == {
        "grantee": ["a patient cannot grant consent to themself"]}
    assert validate_new_consent(**grant(grantee=CARER, purpose="caregiving")) is None


def test_unknown_sensitivity_labels_are_refused():
    assert problems(sensitive=["hiv", "psychiatry"]) == {
        "sensitive": ["unknown sensitivity label: psychiatry"]}


def test_the_retired_sexual_reproductive_label_cannot_be_named_in_a_new_consent():
    """Split into "sti" and "reproductive"; only consents recorded before keep it."""
    assert problems(sensitive=["sexual-reproductive"]) == {
        "sensitive": ["unknown sensitivity label: sexual-reproductive"]}
    assert validate_new_consent(**grant(sensitive=["sti", "reproductive"])) is None


def test_every_problem_is_reported_at_once():
    found = problems(categories=["billing"], purpose="marketing", expires_at=NOW - DAY,
                     source="staff", grantee=Grantee.person(SELF_KEY))
    assert set(found) == {"categories", "purpose", "expires_at", "evidence", "grantee"}


def test_a_long_rejected_value_is_shortened_in_the_message():
    [message] = problems(categories=["x" * 500])["categories"]
    assert len(message) < 80 and message.endswith("...")


def test_a_naive_grant_time_is_a_callers_mistake():
    with pytest.raises(ValueError):
        validate_new_consent(**grant(at=NOW.replace(tzinfo=None)))


def test_new_consent_is_active_from_now_until_expiry():
    made = new_consent(id="con_9", patient_id=PATIENT, recorded_by="patient:pat_1",
                       **grant(sensitive=iter(["hiv"]), categories=iter(["lab"])))
    assert (made.status, made.period_start, made.period_end, made.recorded_at) == (
        ACTIVE, NOW, NOW + 30 * DAY, NOW)
    assert made.categories == {"lab"} and made.sensitive == {"hiv"}
    assert decide([made], **request(sensitive_labels={"hiv"})).consent_id == "con_9"


def test_new_consent_reads_all_as_the_all_marker():
    made = new_consent(id="c", patient_id=PATIENT, recorded_by="p", **grant(categories=["all"]))
    assert made.categories is ALL


def test_new_consent_keeps_milliseconds_only_as_the_database_does():
    at = NOW + timedelta(microseconds=123456)
    made = new_consent(id="c", patient_id=PATIENT, recorded_by="p", **grant(at=at))
    assert made.recorded_at.microsecond == 123000 == made.period_start.microsecond


def test_new_consent_raises_what_validation_raises():
    with pytest.raises(ConsentInvalid):
        new_consent(id="c", patient_id=PATIENT, recorded_by="p", **grant(purpose="x"))


def test_revoke_returns_a_revoked_copy_and_keeps_the_original():
    original = consent()
    revoked = revoke(original, "patient:pat_1", NOW)
    assert original.status == ACTIVE and original.revoked_at is None  # history intact
    assert (revoked.status, revoked.revoked_at, revoked.revoked_by) == (
        INACTIVE, NOW, "patient:pat_1")
    assert revoked.id == original.id and revoked.categories == original.categories
    assert decide([revoked], **request()).reason == reasons.REVOKED


def test_staff_revocation_keeps_its_evidence():
    revoked = revoke(consent(), "staff:st_1", NOW, evidence="scan/withdrawal-7.pdf")
    assert revoked.revocation_evidence == "scan/withdrawal-7.pdf"


def test_an_already_revoked_consent_cannot_be_revoked_again():
    revoked = revoke(consent(), "patient:pat_1", NOW)
    with pytest.raises(AlreadyRevoked):
        revoke(revoked, "staff:st_1", NOW + DAY)


@pytest.mark.parametrize("status", ["rejected", "inactive", "entered-in-error"])
def test_a_consent_that_never_or_no_longer_permits_is_not_revocable(status):
    with pytest.raises(NotRevocable):
        revoke(consent(status=status), "patient:pat_1", NOW)


@pytest.mark.parametrize("status", ["draft", "proposed"])
def test_a_pending_consent_can_be_withdrawn(status):
    assert revoke(consent(status=status), "patient:pat_1", NOW).revoked


def test_an_expired_consent_can_still_be_withdrawn():
    assert revoke(consent(period_end=NOW - DAY), "patient:pat_1", NOW).revoked


def test_revoke_needs_who_and_an_aware_time():
    with pytest.raises(ValueError):
        revoke(consent(), "", NOW)
    with pytest.raises(ValueError):
        revoke(consent(), "patient:pat_1", NOW.replace(tzinfo=None))
