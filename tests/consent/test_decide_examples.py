"""decide() on hand-written cases: each reason, the period's edges, ALL, several consents."""
from datetime import timedelta, timezone

import pytest

from consent import (ALL, CAREGIVING, CATEGORIES, DENY, PERMIT, RESEARCH, Grantee, decide,
                     reasons, revoke)
from tests.consent.builders import (CARER, DAY, HOSPITAL, NOW, OTHER_HOSPITAL, consent,
                                    request)

MS = timedelta(milliseconds=1)


def test_a_covering_active_consent_permits_and_is_named():
    decision = decide([consent()], **request())
    assert (decision.effect, decision.reason, decision.consent_id) == (PERMIT, "granted", "con_1")
    assert decision.permitted and decision.text


@pytest.mark.parametrize("consent_fields, request_fields, reason", [
    ({}, {"accessor": OTHER_HOSPITAL}, reasons.NO_CONSENT),
    ({}, {"patient_id": "pat_2"}, reasons.NO_CONSENT),
    ({}, {"purpose": RESEARCH}, reasons.WRONG_PURPOSE),
    ({}, {"category": "imaging"}, reasons.CATEGORY_NOT_COVERED),
    ({}, {"sensitive_labels": {"hiv"}}, reasons.SENSITIVE_NOT_COVERED),
    ({"status": "draft"}, {}, reasons.NOT_ACTIVE),
    ({"status": "proposed"}, {}, reasons.NOT_ACTIVE),
    ({"status": "rejected"}, {}, reasons.NOT_ACTIVE),
    ({"status": "inactive"}, {}, reasons.NOT_ACTIVE),
    ({"status": "entered-in-error"}, {}, reasons.NOT_ACTIVE),
    ({"status": "inactive", "revoked_at": NOW - DAY, "revoked_by": "patient:pat_1"}, {},
     reasons.REVOKED),
    ({"period_start": NOW + DAY}, {}, reasons.NOT_YET_VALID),
    ({"period_end": NOW - DAY}, {}, reasons.EXPIRED),
], ids=lambda value: value if isinstance(value, str) else None)
def test_each_deny_reason(consent_fields, request_fields, reason):
    decision = decide([consent(**consent_fields)], **request(**request_fields))
    assert (decision.effect, decision.reason, decision.consent_id) == (DENY, reason, None)
    assert decision.text == reasons.TEXTS[reason]


def test_no_consents_is_no_consent():
    assert decide([], **request()).reason == reasons.NO_CONSENT


def test_the_period_start_is_inclusive():
    assert decide([consent(period_start=NOW)], **request()).permitted
    assert decide([consent(period_start=NOW + MS)], **request()).reason == reasons.NOT_YET_VALID


def test_the_period_end_is_exclusive():
    assert decide([consent(period_end=NOW + MS)], **request()).permitted
    assert decide([consent(period_end=NOW)], **request()).reason == reasons.EXPIRED


def test_a_consent_without_end_runs_until_revoked():
    assert decide([consent(period_end=None)], **request(at=NOW + 3650 * DAY)).permitted


def test_times_in_other_zones_compare_as_instants():
    vietnam = timezone(timedelta(hours=7))
    end = NOW.astimezone(vietnam)  # the same instant, written 16:00+07:00
    assert decide([consent(period_end=end)], **request()).reason == reasons.EXPIRED
    assert decide([consent(period_end=end)], **request(at=(NOW - MS).astimezone(vietnam))).permitted


def test_all_covers_every_known_category():
    grant = consent(categories=ALL)
    assert all(decide([grant], **request(category=c)).permitted for c in CATEGORIES)
    assert decide([grant], **request(category="billing")).reason == reasons.CATEGORY_NOT_COVERED


def test_all_does_not_cover_sensitive_records():
    grant = consent(categories=ALL)
    assert decide([grant], **request(sensitive_labels={"mental-health"})).reason == \
        reasons.SENSITIVE_NOT_COVERED


def test_a_hospital_under_treatment_sees_a_sensitive_record_only_when_the_label_is_named():
    labels = {"hiv", "sti"}
    assert not decide([consent(sensitive={"hiv"})], **request(sensitive_labels=labels)).permitted
    assert decide([consent(sensitive=labels)], **request(sensitive_labels=labels)).permitted


@pytest.mark.parametrize("labels", [{"sti"}, {"reproductive"}, {"sti", "reproductive"}])
def test_a_consent_naming_the_retired_sexual_reproductive_label_covers_both_its_halves(labels):
    """Consents recorded before the split name "sexual-reproductive"; the patient meant both."""
    old = consent(sensitive={"sexual-reproductive"})
    assert decide([old], **request(sensitive_labels=labels)).permitted
    assert decide([old], **request(sensitive_labels=labels | {"hiv"})).reason == \
        reasons.SENSITIVE_NOT_COVERED


def test_the_retired_label_widens_a_consent_and_keeps_the_other_labels_it_names():
    both = consent(sensitive={"sexual-reproductive", "hiv"})
    assert decide([both], **request(sensitive_labels={"hiv"})).permitted
    assert decide([both], **request(sensitive_labels={"hiv", "sti"})).permitted


def test_a_person_sees_a_sensitive_record_only_when_the_label_is_named():
    carer = consent(grantee=CARER, purpose=CAREGIVING)
    ask = request(accessor=CARER, purpose=CAREGIVING, sensitive_labels={"mental-health"})
    assert decide([carer], **ask).reason == reasons.SENSITIVE_NOT_COVERED
    assert decide([consent(grantee=CARER, purpose=CAREGIVING, sensitive={"mental-health"})],
                  **ask).permitted


def test_a_hospital_id_equal_to_a_persons_key_is_another_grantee():
    twin = Grantee.person(HOSPITAL.key)
    assert decide([consent(grantee=twin)], **request()).reason == reasons.NO_CONSENT


def test_the_earliest_recorded_of_several_permitting_consents_is_named():
    later = consent(id="con_a", recorded_at=NOW - DAY)
    earlier = consent(id="con_z", recorded_at=NOW - 2 * DAY)
    assert decide([later, earlier], **request()).consent_id == "con_z"


def test_equal_recording_times_name_the_lowest_id():
    assert decide([consent(id="con_b"), consent(id="con_a")], **request()).consent_id == "con_a"


def test_consents_are_not_combined():
    # Lab for treatment from one consent and imaging for caregiving from another do not make
    # imaging for treatment.
    lab = consent(id="con_lab")
    imaging = consent(id="con_img", categories={"imaging"}, purpose=CAREGIVING)
    assert not decide([lab, imaging], **request(category="imaging")).permitted


def test_a_revoked_consent_is_reported_over_one_for_another_purpose():
    revoked = revoke(consent(id="con_old"), "patient:pat_1", NOW - DAY)
    research = consent(id="con_research", purpose=RESEARCH)
    for consents in ([revoked, research], [research, revoked]):
        assert decide(consents, **request()).reason == reasons.REVOKED


def test_the_reason_is_that_of_the_consent_that_came_closest():
    wrong_purpose = consent(id="con_1", purpose=RESEARCH)
    wrong_category = consent(id="con_2", categories={"imaging"})
    expired = consent(id="con_3", period_end=NOW - DAY)
    assert decide([wrong_purpose, wrong_category], **request()).reason == \
        reasons.CATEGORY_NOT_COVERED
    assert decide([expired, wrong_purpose, wrong_category], **request()).reason == reasons.EXPIRED


def test_a_valid_consent_permits_beside_revoked_and_expired_ones():
    revoked = revoke(consent(id="con_1"), "patient:pat_1", NOW - DAY)
    expired = consent(id="con_2", period_end=NOW - DAY)
    assert decide([revoked, expired, consent(id="con_3")], **request()).consent_id == "con_3"


def test_a_revoked_consent_does_not_permit_even_before_its_revocation():
    # The engine judges consents as they stand, it does not replay history.
    revoked = revoke(consent(), "patient:pat_1", NOW + DAY)
    assert decide([revoked], **request()).reason == reasons.REVOKED


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        decide([consent()], **request(at=NOW.replace(tzinfo=None)))


def test_an_accessor_that_is_not_a_grantee_is_refused():
    with pytest.raises(TypeError):
        decide([consent()], **request(accessor="hosp_1"))


def test_labels_given_as_one_string_are_refused():
    with pytest.raises(TypeError):
        decide([consent()], **request(sensitive_labels="hiv"))
