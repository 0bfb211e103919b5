"""Properties of decide() over generated consents and requests."""
import dataclasses
import random
from datetime import timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from consent import (ALL, CATEGORIES, PERSON, SENSITIVE_LABELS, Grantee, decide, reasons,
                     revoke)
from tests.consent.strategies import (NEVER_PERMITTING_STATES, PROPERTY, consents, grantees,
                                      mixed, moments, patient_ids, permits_alone, permitting,
                                      requests)

consent_lists = st.lists(consents(), max_size=6)


@PROPERTY
@given(st.data(), requests())
def test_decide_permits_exactly_when_one_consent_alone_permits(data, request):
    consents_ = data.draw(mixed(request))
    decision = decide(consents_, **request)
    assert decision.permitted == any(permits_alone(c, request) for c in consents_)
    if decision.permitted:
        assert decision.reason == reasons.GRANTED
        assert any(c.id == decision.consent_id and permits_alone(c, request) for c in consents_)
    else:
        assert decision.consent_id is None and decision.reason in reasons.DENY_REASONS


@PROPERTY
@given(requests())
def test_no_consents_deny(request):
    decision = decide([], **request)
    assert not decision.permitted and decision.reason == reasons.NO_CONSENT


@PROPERTY
@given(st.data(), requests())
def test_a_permitting_consent_permits(data, request):
    # The generators behind the other properties can build a permit, so their denials mean
    # something.
    consent = data.draw(permitting(request))
    assert decide([consent], **request).consent_id == consent.id


@PROPERTY
@given(st.data(), requests())
def test_revoked_consents_never_permit(data, request):
    consent = data.draw(permitting(request))
    revoked = revoke(consent, "patient:x", data.draw(moments))
    decision = decide([revoked], **request)
    assert not decision.permitted and decision.reason == reasons.REVOKED


@PROPERTY
@given(st.data(), requests(), st.sampled_from(NEVER_PERMITTING_STATES))
def test_consents_not_active_never_permit(data, request, status):
    consent = data.draw(permitting(request))
    decision = decide([dataclasses.replace(consent, status=status)], **request)
    assert not decision.permitted and decision.reason == reasons.NOT_ACTIVE


@PROPERTY
@given(st.data(), requests(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)))
def test_expired_consents_never_permit(data, request, since_end):
    consent = data.draw(permitting(request))
    ended = dataclasses.replace(consent, period_end=request["at"] - since_end,
                                period_start=request["at"] - since_end - timedelta(days=1))
    decision = decide([ended], **request)
    assert not decision.permitted and decision.reason == reasons.EXPIRED


@PROPERTY
@given(st.data(), requests(),
       st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=900)))
def test_consents_not_yet_started_never_permit(data, request, until_start):
    consent = data.draw(permitting(request))
    later = dataclasses.replace(consent, period_start=request["at"] + until_start, period_end=None)
    decision = decide([later], **request)
    assert not decision.permitted and decision.reason == reasons.NOT_YET_VALID


@PROPERTY
@given(st.data(), requests())
def test_a_category_outside_the_grant_never_permits(data, request):
    consent = data.draw(permitting(request))
    others = CATEGORIES - {request["category"]}
    narrowed = dataclasses.replace(
        consent, categories=data.draw(st.frozensets(st.sampled_from(sorted(others)), min_size=1)))
    decision = decide([narrowed], **request)
    assert not decision.permitted and decision.reason == reasons.CATEGORY_NOT_COVERED


@PROPERTY
@given(st.data(), requests(), grantees)
def test_a_grant_to_one_grantee_never_permits_another(data, request, other):
    assume(other != request["accessor"])
    consent = dataclasses.replace(data.draw(permitting(request)), grantee=other)
    decision = decide([consent], **request)
    assert not decision.permitted and decision.reason == reasons.NO_CONSENT


@PROPERTY
@given(st.data(), requests())
def test_a_hospital_and_a_person_with_the_same_key_are_different_grantees(data, request):
    accessor = request["accessor"]
    twin = Grantee("hospital" if accessor.kind == PERSON else PERSON, accessor.key)
    consent = dataclasses.replace(data.draw(permitting(request)), grantee=twin)
    assert not decide([consent], **request).permitted


@PROPERTY
@given(st.data(), requests(), patient_ids)
def test_a_consent_of_another_patient_never_permits(data, request, other_patient):
    assume(other_patient != request["patient_id"])
    consent = dataclasses.replace(data.draw(permitting(request)), patient_id=other_patient)
    decision = decide([consent], **request)
    assert not decision.permitted and decision.reason == reasons.NO_CONSENT


@PROPERTY
@given(st.data(), requests(), st.sampled_from(sorted(SENSITIVE_LABELS)))
def test_no_grantee_sees_a_sensitive_label_its_consent_does_not_name(data, request, label):
    # Persons by the rule of the brief, hospitals by the rule chosen in consent.engine.
    request = {**request, "sensitive_labels": request["sensitive_labels"] | {label}}
    consents_ = data.draw(mixed(request))
    naming = [c for c in consents_ if label in c.sensitive]
    decision = decide(consents_, **request)
    assert decision.permitted == any(permits_alone(c, request) for c in naming)
    if decision.permitted:
        assert decision.consent_id in {c.id for c in naming}
    assert not decide([c for c in consents_ if c not in naming], **request).permitted


@PROPERTY
@given(st.data(), requests(), st.sampled_from(sorted(SENSITIVE_LABELS)))
def test_dropping_a_label_from_the_consent_denies_that_record(data, request, label):
    request = {**request, "sensitive_labels": request["sensitive_labels"] | {label}}
    consent = data.draw(permitting(request))
    unnamed = dataclasses.replace(consent, sensitive=consent.sensitive - {label})
    decision = decide([unnamed], **request)
    assert not decision.permitted and decision.reason == reasons.SENSITIVE_NOT_COVERED


@PROPERTY
@given(st.data(), requests(), st.randoms(use_true_random=False))
def test_decide_is_deterministic_whatever_the_order(data, request, rnd: random.Random):
    consents_ = data.draw(mixed(request))
    first = decide(consents_, **request)
    shuffled = list(consents_)
    rnd.shuffle(shuffled)
    assert decide(shuffled, **request) == first == decide(consents_, **request)
    assert decide(iter(shuffled), **request) == first  # any iterable, read once


@PROPERTY
@given(st.data(), requests())
def test_the_earliest_recorded_permitting_consent_is_named(data, request):
    consents_ = data.draw(mixed(request, min_permitting=1))
    permitting_ = [c for c in consents_ if permits_alone(c, request)]
    earliest = min(permitting_, key=lambda c: (c.recorded_at, c.id))
    assert decide(consents_, **request).consent_id == earliest.id


@PROPERTY
@given(st.data(), requests())
def test_adding_a_revoked_or_expired_consent_never_turns_a_deny_into_a_permit(data, request):
    consents_ = data.draw(mixed(request))
    extra = data.draw(st.one_of(
        consents(revoked=True),
        consents(status="active", revoked=False).map(lambda c: dataclasses.replace(
            c, period_start=request["at"] - timedelta(days=30), period_end=request["at"]))))
    before, after = decide(consents_, **request), decide(consents_ + [extra], **request)
    assert after.permitted == before.permitted
    assert after.consent_id == before.consent_id


@PROPERTY
@given(st.data(), requests())
def test_adding_a_consent_never_turns_a_permit_into_a_deny(data, request):
    consents_ = data.draw(mixed(request, min_permitting=1))
    assert decide(consents_, **request).permitted
    assert decide(consents_ + [data.draw(consents())], **request).permitted


@PROPERTY
@given(st.data(), requests())
def test_all_covers_every_category_but_no_sensitive_label(data, request):
    consent = data.draw(permitting(request))
    everything = dataclasses.replace(consent, categories=ALL, sensitive=frozenset())
    for category in CATEGORIES:
        plain = {**request, "category": category, "sensitive_labels": frozenset()}
        assert decide([everything], **plain).permitted
    for label in SENSITIVE_LABELS:
        assert not decide([everything], **{**request, "sensitive_labels": {label}}).permitted
