"""visible_categories, active_consents_for, standing, and the Consent type's own checks."""
import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent import (ALL, CAREGIVING, CATEGORIES, IN_FORCE, TREATMENT, Consent, Grantee,
                     active_consents_for, decide, reasons, revoke, standing, visible_categories)
from tests.consent.builders import CARER, DAY, HOSPITAL, NOW, PATIENT, consent
from tests.consent.strategies import PROPERTY, consents, grantees, moments, patient_ids, purposes

CARER_SCOPE = dict(patient_id=PATIENT, accessor=CARER, purpose=CAREGIVING, at=NOW)


def carer(**fields):
    return consent(**{"grantee": CARER, "purpose": CAREGIVING, **fields})


def test_visible_categories_unite_the_consents_in_force():
    found = [carer(id="c1", categories={"lab"}), carer(id="c2", categories={"imaging"}),
             carer(id="c3", categories={"medication"}, period_end=NOW - DAY),
             revoke(carer(id="c4", categories={"allergy"}), "patient:pat_1", NOW - DAY),
             carer(id="c5", categories={"vitals"}, purpose=TREATMENT),
             carer(id="c6", categories={"diagnosis"}, patient_id="pat_2")]
    assert visible_categories(found, **CARER_SCOPE) == {"lab", "imaging"}


def test_visible_categories_of_all_are_every_category():
    assert visible_categories([carer(categories=ALL)], **CARER_SCOPE) == CATEGORIES


def test_visible_categories_without_consent_are_none():
    assert visible_categories([], **CARER_SCOPE) == frozenset()


@PROPERTY
@given(st.lists(consents(), max_size=6), patient_ids, grantees, purposes, moments)
def test_a_visible_category_is_one_decide_permits_for_a_plain_record(
        found, patient_id, accessor, purpose, at):
    scope = dict(patient_id=patient_id, accessor=accessor, purpose=purpose, at=at)
    permitted = {c for c in CATEGORIES if decide(found, category=c, **scope).permitted}
    assert visible_categories(found, **scope) == permitted


@PROPERTY
@given(st.lists(consents(), max_size=6), moments)
def test_active_consents_are_those_in_force_earliest_first(found, at):
    active = active_consents_for(found, at=at)
    assert list(active) == sorted((c for c in found if standing(c, at) == IN_FORCE),
                                  key=lambda c: (c.recorded_at, c.id))


def test_active_consents_narrow_to_patient_grantee_and_purpose():
    mine = carer(id="c1")
    found = [mine, carer(id="c2", patient_id="pat_2"), consent(id="c3"),
             carer(id="c4", period_start=NOW + DAY)]
    assert active_consents_for(found, at=NOW, patient_id=PATIENT, grantee=CARER,
                               purpose=CAREGIVING) == (mine,)
    # By grantee alone: the patients who shared with this person ("shared with me").
    assert [c.patient_id for c in active_consents_for(found, at=NOW, grantee=CARER)] == \
        [PATIENT, "pat_2"]


def test_standing_names_why_a_consent_cannot_permit():
    assert standing(consent(), NOW) == IN_FORCE
    assert standing(revoke(consent(), "patient:pat_1", NOW), NOW) == reasons.REVOKED
    assert standing(consent(status="proposed"), NOW) == reasons.NOT_ACTIVE
    assert standing(consent(period_start=NOW + DAY), NOW) == reasons.NOT_YET_VALID
    assert standing(consent(period_end=NOW), NOW) == reasons.EXPIRED


@pytest.mark.parametrize("fields", [
    {"period_start": NOW.replace(tzinfo=None)},
    {"period_end": NOW.replace(tzinfo=None)},
    {"recorded_at": NOW.replace(tzinfo=None)},
    {"status": "approved"},
    {"source": "fax"},
    {"source": "staff", "evidence": None},
    {"source": "staff", "evidence": ""},
    {"revoked_at": NOW},                                   # without revoked_by
    {"revoked_at": NOW, "revoked_by": "patient:pat_1"},   # but still active
    {"categories": "lab"},
    {"categories": ["all", "lab"]},
    {"sensitive": "hiv"},
    {"grantee": "hosp_1"},
])
def test_a_consent_of_impossible_shape_does_not_construct(fields):
    with pytest.raises(ValueError):
        consent(**fields)


def test_a_grantee_of_unknown_kind_or_empty_key_does_not_construct():
    with pytest.raises(ValueError):
        Grantee("insurer", "x")
    with pytest.raises(ValueError):
        Grantee.hospital("")


def test_a_plaintext_national_id_is_refused_as_a_person_key():
    with pytest.raises(ValueError):
        Grantee.person("001234567890")


def test_the_stored_all_is_read_as_the_all_marker():
    assert consent(categories=["all"]).categories is ALL
    assert consent(categories=ALL).categories is ALL


def test_consents_are_immutable_values():
    made = consent()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status = "inactive"
    assert made == consent() and hash(made) == hash(consent())
    assert isinstance(made.categories, frozenset) and Consent is type(made)
    assert HOSPITAL == Grantee.hospital("hosp_1")
