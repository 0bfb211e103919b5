"""Four eyes in the pure engine: a consent staff record is proposed, permits nothing, and is in
force only once another staff account approves it; the recorder can neither approve nor reject
it, and no stored status can skip the approval."""
import dataclasses

import pytest

from consent import (ACTIVE, PROPOSED, REJECTED, NotPending, SelfApproval, approve, decide,
                     new_consent, reject, revoke, standing)
from consent import reasons as r
from tests.consent.builders import DAY, HOSPITAL, NOW, PATIENT, consent, request

RECORDER, SECOND = "staff:stf_1", "staff:stf_2"


def recorded(**fields):
    return new_consent(id="con_9", patient_id=PATIENT, patient_key="nid_hash_patient",
                       grantee=HOSPITAL, categories=["lab"], purpose="treatment",
                       expires_at=None, source="staff", recorded_by=RECORDER,
                       at=NOW - DAY, evidence="Phiếu 12/2026", **fields)


def test_a_consent_recorded_by_staff_is_proposed_and_permits_nothing():
    proposed = recorded()
    assert proposed.status == PROPOSED
    assert not decide([proposed], **request()).permitted


def test_a_consent_from_the_app_is_active_at_once():
    granted = new_consent(id="con_8", patient_id=PATIENT, patient_key="k", grantee=HOSPITAL,
                          categories=["lab"], purpose="treatment", expires_at=None,
                          source="app", recorded_by=f"patient:{PATIENT}", at=NOW - DAY)
    assert granted.status == ACTIVE and decide([granted], **request()).permitted


def test_approval_by_a_second_account_puts_it_in_force_from_then():
    approved = approve(recorded(), SECOND, NOW)
    assert (approved.status, approved.approved_by, approved.period_start) == (ACTIVE, SECOND,
                                                                             NOW)
    assert decide([approved], **request()).permitted
    assert not decide([approved], **request(at=NOW - DAY / 2)).permitted  # not before approval


@pytest.mark.parametrize("decision", [approve, reject])
def test_the_recorder_can_neither_approve_nor_reject(decision):
    with pytest.raises(SelfApproval):
        decision(recorded(), RECORDER, NOW)


def test_a_rejected_consent_never_permits_and_cannot_be_approved_later():
    rejected = reject(recorded(), SECOND, NOW)
    assert rejected.status == REJECTED and rejected.rejected_by == SECOND
    assert not decide([rejected], **request()).permitted
    with pytest.raises(NotPending):
        approve(rejected, "staff:stf_3", NOW)


@pytest.mark.parametrize("state", ["approved", "withdrawn", "from the app"])
def test_only_a_proposed_consent_awaits_a_decision(state):
    base = {"approved": approve(recorded(), SECOND, NOW),
            "withdrawn": revoke(recorded(), RECORDER, NOW),
            "from the app": consent()}[state]
    with pytest.raises(NotPending):
        approve(base, "staff:stf_3", NOW)


@pytest.mark.parametrize("approver", [None, RECORDER])
def test_a_staff_consent_stored_active_without_a_second_approver_is_not_in_force(approver):
    """A bug or a hand-edited document saying "active" cannot skip the four eyes."""
    forged = dataclasses.replace(recorded(), status=ACTIVE, approved_by=approver,
                                 approved_at=NOW - DAY if approver else None)
    assert standing(forged, NOW) == r.NOT_ACTIVE
    assert not decide([forged], **request()).permitted


def test_a_decision_needs_who_made_it_and_an_aware_time():
    with pytest.raises(ValueError):
        approve(recorded(), "", NOW)
    with pytest.raises(ValueError):
        approve(recorded(), SECOND, NOW.replace(tzinfo=None))
