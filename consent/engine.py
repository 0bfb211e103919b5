"""The decision: may this accessor see this patient's record, for this purpose, now?

Deny by default: access is permitted only when one consent, on its own, permits all of it. A
consent permits when it is

  - the patient's (patient_id) and given to this accessor (kind and key equal);
  - for this purpose (exact match) and covering the record's category (or ALL);
  - naming every sensitivity label the record carries;
  - active, not revoked, and started and not ended at `at` (start inclusive, end exclusive);
  - when staff recorded it, approved by another staff account (four eyes).

Sensitive records, for every grantee. A record carrying a sensitivity label is shown only under
a consent that names that label, to a hospital under a treatment consent as much as to a
person. The alternative (hospitals treating the patient see sensitive records unless the patient
excluded them) was rejected: Law 91/2025 asks consent to be explicit and per purpose, and an
opt-out is not explicit; a patient who consents so a hospital can set a broken arm has not
thereby agreed to show it an HIV status or a psychiatric history; and under the exclusion rule a
patient who never heard of the exclusion list leaks by default, while under this rule a patient
who forgot to name a label only withholds, which the app can ask about at grant time. Emergency
access without consent is not the engine's to grant.

Consents are judged one by one, never combined: a category from one consent and a purpose from
another do not add up to a permit. When several permit, the earliest recorded (then the lowest
id) is the one named, so a decision does not depend on the order the consents were loaded in,
and an access already going on keeps citing the same consent when a newer one is added.

The engine judges the consents as they stand; it does not replay history: a revoked consent
never permits, whatever `at` is.
"""
from collections.abc import Iterable
from datetime import datetime

from consent import reasons as r
from consent import vocabulary as v
from consent.model import DENY, PERMIT, Consent, Decision, Grantee, require_aware

IN_FORCE = "in_force"  # standing() of a consent that can permit now


def decide(consents: Iterable[Consent], *, patient_id: str, accessor: Grantee, purpose: str,
           category: str, sensitive_labels: Iterable[str] = frozenset(),
           at: datetime) -> Decision:
    """Permit or deny one access to one record (see the module docstring for the rule).
    Raises TypeError for an accessor that is not a Grantee or labels given as one string, and
    ValueError for a naive `at`."""
    _check_accessor(accessor)
    require_aware("at", at)
    labels = _labels(sensitive_labels)
    closest = (r.CLOSENESS[r.NO_CONSENT], r.NO_CONSENT)
    for consent in in_order(consents):
        failure = _failure(consent, patient_id, accessor, purpose, category, labels, at)
        if failure is None:
            return Decision(PERMIT, r.GRANTED, r.TEXTS[r.GRANTED], consent.id)
        # The reason name breaks ties between equally close consents, so that reordering the
        # input cannot change the reason either.
        closest = max(closest, (r.CLOSENESS[failure], failure))
    return Decision(DENY, closest[1], r.TEXTS[closest[1]])


def visible_categories(consents: Iterable[Consent], *, patient_id: str, accessor: Grantee,
                       purpose: str, at: datetime) -> frozenset:
    """The record categories the accessor may list for this patient and purpose at `at`: what a
    caregiver's record list is filtered by before it is read. A sensitive record in a visible
    category may still be hidden: ask decide() for each record with its labels.
    Raises as decide() does."""
    _check_accessor(accessor)
    require_aware("at", at)
    visible = set()
    for consent in active_consents_for(consents, at=at, patient_id=patient_id,
                                       grantee=accessor, purpose=purpose):
        visible |= v.CATEGORIES if consent.categories is v.ALL else consent.categories
    return frozenset(visible & v.CATEGORIES)


def active_consents_for(consents: Iterable[Consent], *, at: datetime,
                        patient_id: str | None = None, grantee: Grantee | None = None,
                        purpose: str | None = None) -> tuple:
    """The consents in force at `at`, earliest recorded first, narrowed to a patient, a grantee
    and a purpose when given: a patient's active grants, or (by grantee) the patients who
    shared with a person. Raises ValueError for a naive `at`."""
    require_aware("at", at)
    return tuple(c for c in in_order(consents)
                 if (patient_id is None or c.patient_id == patient_id)
                 and (grantee is None or c.grantee == grantee)
                 and (purpose is None or c.purpose == purpose)
                 and standing(c, at) == IN_FORCE)


def standing(consent: Consent, at: datetime) -> str:
    """IN_FORCE, or why the consent cannot permit anything at `at`: REVOKED, NOT_ACTIVE,
    NOT_YET_VALID or EXPIRED (the codes of consent.reasons), e.g. for listing a patient's
    consents. Raises ValueError for a naive `at`."""
    require_aware("at", at)
    if consent.revoked:
        return r.REVOKED
    # A consent staff recorded is in force only once a second staff account approved it,
    # whatever its stored status says (a bug or a hand-edited status cannot skip the four eyes).
    if consent.status != v.ACTIVE or not consent.second_pair_of_eyes:
        return r.NOT_ACTIVE
    if at < consent.period_start:
        return r.NOT_YET_VALID
    if consent.period_end is not None and at >= consent.period_end:
        return r.EXPIRED
    return IN_FORCE


def in_order(consents: Iterable[Consent]) -> list:
    """Earliest recorded first, then by id: the engine's one deterministic order."""
    return sorted(consents, key=lambda c: (c.recorded_at, c.id))


def _failure(consent: Consent, patient_id: str, accessor: Grantee, purpose: str, category: str,
             labels: frozenset, at: datetime) -> str | None:
    """The first reason this consent does not permit the access, None when it does. What the
    consent is about is checked before whether it is in force; see consent.reasons."""
    if consent.patient_id != patient_id or consent.grantee != accessor:
        return r.NO_CONSENT
    if consent.purpose != purpose:
        return r.WRONG_PURPOSE
    if not consent.covers_category(category):
        return r.CATEGORY_NOT_COVERED
    if not labels <= consent.covered_labels:
        return r.SENSITIVE_NOT_COVERED
    state = standing(consent, at)
    return None if state == IN_FORCE else state


def _labels(sensitive_labels: Iterable[str]) -> frozenset:
    # One string would otherwise be read as a set of letters, none of them a label we know.
    if isinstance(sensitive_labels, str):
        raise TypeError("sensitive_labels is a collection of labels, not one string")
    return frozenset(sensitive_labels)


def _check_accessor(accessor) -> None:
    if not isinstance(accessor, Grantee):
        raise TypeError("the accessor must be a Grantee")
