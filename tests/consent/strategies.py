"""Hypothesis strategies for the consent engine: consents, accessors and requests drawn from small
pools, so that patients, grantees and ids collide often enough to matter."""
import dataclasses
from datetime import datetime, timedelta, timezone

from hypothesis import settings
from hypothesis import strategies as st

from consent import (ACTIVE, ALL, CATEGORIES, DRAFT, INACTIVE, PROPOSED, PURPOSES,
                     SENSITIVE_LABELS, STATUSES, Consent, Grantee, revoke)

# No deadline: the first examples run while imports warm up, and CI machines are slow.
PROPERTY = settings(max_examples=200, deadline=None)

PATIENTS = ("pat_a", "pat_b", "pat_c")
HOSPITAL_IDS = ("hosp_1", "hosp_2")
PERSON_KEYS = ("nid_hash_1", "nid_hash_2")
CONSENT_IDS = tuple(f"con_{n}" for n in range(6))
ZONES = (timezone.utc, timezone(timedelta(hours=7)), timezone(timedelta(hours=-5)))

patient_ids = st.sampled_from(PATIENTS)
purposes = st.sampled_from(sorted(PURPOSES))
categories = st.sampled_from(sorted(CATEGORIES))
labels = st.frozensets(st.sampled_from(sorted(SENSITIVE_LABELS)), max_size=3)
hospitals = st.builds(Grantee.hospital, st.sampled_from(HOSPITAL_IDS))
persons = st.builds(Grantee.person, st.sampled_from(PERSON_KEYS))
grantees = st.one_of(hospitals, persons)
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.sampled_from(ZONES))
category_grants = st.one_of(st.just(ALL),
                            st.frozensets(st.sampled_from(sorted(CATEGORIES)), min_size=1))
NEVER_PERMITTING_STATES = sorted(STATUSES - {ACTIVE})


@st.composite
def consents(draw, *, status=None, revoked=None):
    """Any consent the type accepts: any state, any period (even one ending before it starts),
    revoked or not. `status`/`revoked` pin those when given."""
    source = draw(st.sampled_from(["app", "staff"]))
    # A staff consent: unapproved, approved by another account, or "approved" by its recorder.
    approver = draw(st.sampled_from([None, "staff:y", "staff:x"])) if source == "staff" else None
    consent = Consent(
        id=draw(st.sampled_from(CONSENT_IDS)), patient_id=draw(patient_ids),
        grantee=draw(grantees), categories=draw(category_grants), sensitive=draw(labels),
        purpose=draw(purposes), period_start=draw(moments),
        period_end=draw(st.none() | moments),
        status=status or draw(st.sampled_from([ACTIVE, DRAFT, PROPOSED])),
        source=source, evidence="form-1.pdf" if source == "staff" else None,
        recorded_by="staff:x" if source == "staff" else "patient:x", recorded_at=draw(moments),
        approved_by=approver, approved_at=draw(moments) if approver else None)
    if revoked is None:
        revoked = status is None and draw(st.booleans())
    if revoked:
        consent = revoke(consent, "patient:x", draw(moments))
    elif status is None and draw(st.booleans()):
        # Terminal states other than a revocation: rejected, inactive, entered in error.
        consent = dataclasses.replace(
            consent, status=draw(st.sampled_from(["rejected", INACTIVE, "entered-in-error"])))
    return consent


@st.composite
def requests(draw):
    """Keyword arguments of one decide() call."""
    return dict(patient_id=draw(patient_ids), accessor=draw(grantees), purpose=draw(purposes),
                category=draw(categories), sensitive_labels=draw(labels), at=draw(moments))


@st.composite
def permitting(draw, request):
    """A consent that permits exactly `request`: active, in force, covering it."""
    at = request["at"]
    start = at - draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
    end = draw(st.none() | st.timedeltas(min_value=timedelta(milliseconds=1),
                                         max_value=timedelta(days=400)).map(lambda d: at + d))
    grant = draw(st.one_of(st.just(ALL), st.frozensets(categories).map(
        lambda extra: extra | {request["category"]})))
    return Consent(
        id=draw(st.sampled_from(CONSENT_IDS)), patient_id=request["patient_id"],
        grantee=request["accessor"], categories=grant,
        sensitive=request["sensitive_labels"] | draw(labels), purpose=request["purpose"],
        period_start=start, period_end=end, status=ACTIVE, source="app", evidence=None,
        recorded_by="patient:x", recorded_at=draw(moments))


def permits_alone(consent, request) -> bool:
    """The engine's rule written out plainly, as the oracle the properties compare against."""
    at = request["at"]
    return (consent.patient_id == request["patient_id"]
            and consent.grantee == request["accessor"]
            and consent.status == ACTIVE and consent.revoked_at is None
            and (consent.source != "staff"
                 or consent.approved_by not in (None, consent.recorded_by))
            and consent.period_start <= at
            and (consent.period_end is None or at < consent.period_end)
            and consent.purpose == request["purpose"]
            and (consent.categories is ALL or request["category"] in consent.categories)
            and set(request["sensitive_labels"]) <= consent.sensitive)


@st.composite
def mixed(draw, request, *, min_permitting=0):
    """Arbitrary consents with some that permit `request` among them, in any order: random
    consents alone rarely permit, and the properties about permits need some that do."""
    found = draw(st.lists(consents(), max_size=5))
    found += draw(st.lists(permitting(request), min_size=min_permitting, max_size=3))
    return draw(st.permutations(found))
