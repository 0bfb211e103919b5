"""Four eyes for staff (found by an insider review: one support account could make a friend the
patient's caregiver, HIV records included, and the patient never learnt it). A consent staff
record from a signed form answers 202 pending-approval and permits nothing until a second
support account approves it; the recorder can neither approve nor reject it; the patient is
told at every step, and a patient who has not registered finds it all on registering (the queue
itself: test_staff_approval_queue.py; the scanned forms: test_staff_evidence_scans.py)."""
import base64
import json

import mongomock
import pytest

from tests import factories
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx

HIV = {"resourceType": "Condition", "id": "dx-hiv", "code": {"coding": [
    {"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}, "onsetDateTime": "2026-01-05"}


@pytest.fixture(autouse=True)
def cursors_as_a_real_server_takes_them(monkeypatch):
    """The embedded database reads `limit(None)` as no limit and a sort direction of 2 as
    ascending; pymongo refuses the first and MongoDB the second. Here they are refused too, so
    a queue query that would fail in production fails here."""
    cursor = mongomock.collection.Cursor
    lenient_limit, lenient_sort = cursor.limit, cursor.sort

    def limit(self, count):
        if not isinstance(count, int):
            raise TypeError(f"limit must be an integer, not {type(count)}")
        return lenient_limit(self, count)

    def sort(self, key_or_list, direction=None):
        pairs = [(key_or_list, direction or 1)] if isinstance(key_or_list, str) else key_or_list
        if any(d not in (1, -1) for _, d in pairs):
            raise ValueError(f"bad sort specification {pairs}")
        return lenient_sort(self, key_or_list, direction)
    monkeypatch.setattr(cursor, "limit", limit)
    monkeypatch.setattr(cursor, "sort", sort)


@pytest.fixture
def recorder(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.recorder"), clock)


@pytest.fixture
def approver(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.approver"), clock)


@pytest.fixture
def friend(client, hospital, clock):
    """An account the recording staff member controls."""
    return factories.signed_in_patient(client, hospital, clock)


def record(client, staff, patient_id, grantee, **extra):
    return client.post(f"/v1/staff/patients/{patient_id}/consents", headers=staff.auth, json={
        "grantee": grantee, "categories": ["all"], "purpose": "caregiving",
        "sensitive": ["hiv"], "evidence": "Phiếu đồng ý số 12/2026", **extra})


def decide(client, staff, item_id, verb):
    return client.post(f"/v1/staff/approvals/{item_id}/{verb}", headers=staff.auth)


def kinds_in_inbox(client, account) -> list[str]:
    return [n["kind"] for n in client.get("/v1/me/notifications",
                                          headers=account.auth).json["items"]]


def test_a_consent_staff_record_permits_nothing_until_a_colleague_approves_it(
        client, hospital, patient, recorder, approver, friend):
    push(client, hospital, bundle(lab_result(patient.national_id), {**HIV, "subject": factories
                                  .subject(patient.national_id)}))
    owner = factories.owner_id(client, patient)
    recorded = record(client, recorder, owner, factories.person(friend))
    assert recorded.status_code == 202 and recorded.json["status"] == "pending-approval"
    assert factories.shared_records(client, friend, owner).status_code == 403
    assert client.get("/v1/me/shared-with-me", headers=friend.auth).json == []
    # The recorder can neither approve nor reject their own item.
    assert decide(client, recorder, recorded.json["id"], "approve").status_code == 403
    assert decide(client, recorder, recorded.json["id"], "reject").status_code == 403
    assert factories.shared_records(client, friend, owner).status_code == 403
    approved = decide(client, approver, recorded.json["id"], "approve")
    assert approved.status_code == 200
    assert approved.json["consent"]["status"] == "active"
    assert approved.json["consent"]["approved_by"].startswith("staff:")
    read = factories.shared_records(client, friend, owner)
    assert read.status_code == 200
    assert "dx-hiv" in [r["resource"]["id"] for r in read.json["items"]]  # everything, HIV too
    # The patient was told when it was recorded and when it was approved (and of the first
    # read), and the access log names both staff steps.
    assert kinds_in_inbox(client, patient).count("consent_changed_by_staff") == 2
    assert "first_access_under_consent" in kinds_in_inbox(client, patient)
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert {"consent.propose", "consent.approve"} <= {e["action"] for e in log
                                                      if e["actor"]["type"] == "staff"}


def test_a_rejected_consent_never_permits_and_cannot_be_approved_afterwards(
        app, client, patient, recorder, approver, friend, clock):
    owner = factories.owner_id(client, patient)
    item = record(client, recorder, owner, factories.person(friend)).json["id"]
    rejected = decide(client, approver, item, "reject")
    assert rejected.status_code == 200 and rejected.json["consent"]["status"] == "rejected"
    third = factories.enroll_totp(client, factories.create_staff(app, "support.third"), clock)
    assert decide(client, third, item, "approve").status_code == 409
    assert factories.shared_records(client, friend, owner).status_code == 403
    [mine] = client.get("/v1/me/consents", headers=patient.auth).json
    assert mine["status"] == "rejected" and mine["rejected_by"].startswith("staff:")


def test_a_consent_withdrawn_while_pending_cannot_be_approved(client, patient, recorder,
                                                              approver, friend):
    owner = factories.owner_id(client, patient)
    item = record(client, recorder, owner, factories.person(friend)).json["id"]
    withdrawn = client.post(f"/v1/me/consents/{item}/revoke", headers=patient.auth, json={})
    assert withdrawn.status_code == 200
    assert decide(client, approver, item, "approve").status_code == 409
    assert factories.shared_records(client, friend, owner).status_code == 403


@pytest.mark.parametrize("item_id", ["cns_unknown", "rep_unknown", "xyz_1", "ntf_1"])
def test_an_unknown_item_is_not_found(client, approver, item_id):
    assert decide(client, approver, item_id, "approve").status_code == 404


def test_a_privacy_officer_alone_cannot_approve(app, client, patient, recorder, friend, clock):
    officer = factories.enroll_totp(client, factories.create_staff(
        app, "privacy.one", roles=["privacy_officer"]), clock)
    owner = factories.owner_id(client, patient)
    item = record(client, recorder, owner, factories.person(friend)).json["id"]
    assert decide(client, officer, item, "approve").status_code == 403
    assert client.get("/v1/staff/approvals", headers=officer.auth).status_code == 403


def test_a_patient_not_yet_registered_finds_every_notice_on_registering(
        client, hospital, recorder, approver, friend, clock):
    """The review's case: no notice was created for an unregistered patient and the first-read
    flag was used up silently, so the patient never learnt, even after registering."""
    national_id = factories.next_national_id()
    push(client, hospital, bundle(lab_result(national_id)))
    [found] = client.post("/v1/staff/patients/search", headers=recorder.auth,
                          json={"national_id": national_id}).json
    assert found["registered"] is False
    item = record(client, recorder, found["id"], factories.person(friend)).json["id"]
    decide(client, approver, item, "approve")
    assert factories.shared_records(client, friend, found["id"]).status_code == 200
    code = factories.activation_code(client, hospital, national_id)
    account = factories.Account(national_id=national_id)
    assert client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code,
        "password": account.password}).status_code == 201
    factories.enroll_totp(client, account, clock)
    kinds = kinds_in_inbox(client, account)
    assert kinds.count("consent_changed_by_staff") == 2
    assert kinds.count("first_access_under_consent") == 1
    assert "record_available" not in kinds  # results before registration are not news


def register(client, national_id, code):
    return client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code, "password": factories.PASSWORD})


def test_a_staff_code_for_an_unregistered_person_works_only_once_a_colleague_approves(
        client, hospital, recorder, approver):
    """One support account alone could issue a code for a person who never registered,
    register as them and read every hospital's records (review finding)."""
    national_id = factories.next_national_id()
    push(client, hospital, bundle(lab_result(national_id)))
    issued = client.post("/v1/staff/activation-codes", headers=recorder.auth,
                         json={"national_id": national_id})
    assert issued.status_code == 201 and issued.json["status"] == "pending-approval"
    code = issued.json["activation_code"]
    assert register(client, national_id, code).status_code == 400  # not yet
    queue = client.get("/v1/staff/approvals", headers=approver.auth).json["items"]
    assert [(i["id"], i["kind"]) for i in queue] == [(issued.json["id"], "activation_code")]
    assert code not in str(queue)  # the code itself is never shown again
    assert decide(client, recorder, issued.json["id"], "approve").status_code == 403
    assert decide(client, approver, issued.json["id"], "approve").status_code == 200
    assert register(client, national_id, code).status_code == 201


def test_a_rejected_staff_code_never_works(client, hospital, recorder, approver):
    national_id = factories.next_national_id()
    push(client, hospital, bundle(lab_result(national_id)))
    issued = client.post("/v1/staff/activation-codes", headers=recorder.auth,
                         json={"national_id": national_id}).json
    rejected = decide(client, approver, issued["id"], "reject")
    assert rejected.status_code == 200
    assert rejected.json["activation_code"]["status"] == "rejected"
    assert decide(client, approver, issued["id"], "approve").status_code == 409
    assert register(client, national_id, issued["activation_code"]).status_code == 400


def test_a_staff_code_for_a_registered_patient_needs_no_approval(client, patient, recorder):
    """With it alone nothing opens: a reset needs the second factor too, and the patient is
    told of it."""
    issued = client.post("/v1/staff/activation-codes", headers=recorder.auth,
                         json={"national_id": patient.national_id})
    assert issued.status_code == 201 and issued.json["status"] == "active"
    assert client.get("/v1/staff/approvals", headers=recorder.auth).json["items"] == []


def test_each_decision_is_a_security_event_of_the_patient_saying_which(
        app, client, patient, recorder, approver, friend):
    owner = factories.owner_id(client, patient)
    approved = record(client, recorder, owner, factories.person(friend)).json["id"]
    rejected = record(client, recorder, owner, factories.person(friend)).json["id"]
    assert decide(client, approver, approved, "approve").status_code == 200
    assert decide(client, approver, rejected, "reject").status_code == 200
    with app.app_context():
        events = sorted((e["event"], e["details"]["consent_id"])
                        for e in current_ctx().repos.security_events.list_for(owner)
                        if e["event"] in ("consent_approved_by_staff", "consent_rejected_by_staff"))
    assert events == [("consent_approved_by_staff", approved),
                      ("consent_rejected_by_staff", rejected)]


def test_the_patients_receipt_is_signed_again_for_the_decision(client, patient, recorder,
                                                               approver, friend):
    owner = factories.owner_id(client, patient)
    approved = record(client, recorder, owner, factories.person(friend)).json["id"]
    rejected = record(client, recorder, owner, factories.person(friend)).json["id"]
    decide(client, approver, approved, "approve")
    decide(client, approver, rejected, "reject")
    terms = {}
    for consent in client.get("/v1/me/consents", headers=patient.auth).json:
        payload = consent["receipt"]["payload"]
        terms[consent["id"]] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(
            payload) % 4)))
    assert (terms[approved]["status"], terms[rejected]["status"]) == ("active", "rejected")
    assert terms[approved]["approved_by"] == terms[rejected]["rejected_by"]
    assert terms[approved]["approved_by"].startswith("staff:")
