"""Legal representatives of children (Law 91/2025 Art 24), recorded by staff under four eyes: a
link permits nothing until a second staff account approves it, then lets the representative
read all the child's records, sensitive ones included, until the birthday that ends
representation (judged at every read, not by a job); the child's access log shows every read."""
import base64
from datetime import date, datetime, timedelta, timezone

import pytest

from tests import factories
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx

HIV = {"resourceType": "Condition", "id": "dx-hiv", "code": {"coding": [
    {"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}, "onsetDateTime": "2026-01-05"}
TODAY = date(2026, 11, 25)  # the clock fixture's day
PNG = b"\x89PNG\r\n\x1a\n a scanned birth certificate"


@pytest.fixture
def recorder(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.recorder"), clock)


@pytest.fixture
def approver(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.approver"), clock)


@pytest.fixture
def parent(client, hospital, clock):
    return factories.signed_in_patient(client, hospital, clock)


@pytest.fixture
def child(client, hospital):
    """A child the hospital pushed a lab result and an HIV diagnosis for; not registered."""
    national_id = factories.next_national_id()
    push(client, hospital, bundle(lab_result(national_id),
                                  {**HIV, "subject": factories.subject(national_id)}))
    return national_id


def child_id(client, staff, national_id) -> str:
    return client.post("/v1/staff/patients/search", headers=staff.auth,
                       json={"national_id": national_id}).json[0]["id"]


def record(client, staff, patient_id, representative, born=date(2015, 6, 1), **extra):
    return client.post(f"/v1/staff/patients/{patient_id}/representatives", headers=staff.auth,
                       json={"representative_national_id": representative.national_id,
                             "relationship": "parent", "child_birth_date": born.isoformat(),
                             "evidence": "Giấy khai sinh 123/2015", **extra})


def approve(client, staff, item_id):
    return client.post(f"/v1/staff/approvals/{item_id}/approve", headers=staff.auth)


def test_a_link_permits_nothing_until_approved_then_shows_everything(
        client, recorder, approver, parent, child):
    kid = child_id(client, recorder, child)
    recorded = record(client, recorder, kid, parent)
    assert recorded.status_code == 202 and recorded.json["status"] == "pending-approval"
    assert recorded.json["representative_national_id"] == "********" + parent.national_id[-4:]
    assert factories.shared_records(client, parent, kid).status_code == 403
    assert client.get("/v1/me/shared-with-me", headers=parent.auth).json == []
    assert approve(client, recorder, recorded.json["id"]).status_code == 403  # four eyes
    approved = approve(client, approver, recorded.json["id"])
    assert approved.status_code == 200
    assert approved.json["representative"]["status"] == "active"
    [shared] = client.get("/v1/me/shared-with-me", headers=parent.auth).json
    assert shared["patient_id"] == kid and shared["legal_representative"] is True
    read = factories.shared_records(client, parent, kid)
    assert read.status_code == 200
    assert sorted(r["category"] for r in read.json["items"]) == ["diagnosis", "lab"]  # HIV too


def test_representation_ends_on_the_birthday_at_midnight_in_vietnam(
        client, recorder, approver, parent, child, clock):
    kid = child_id(client, recorder, child)
    eighteen_tomorrow = date(2008, 11, 26)
    item = record(client, recorder, kid, parent, born=eighteen_tomorrow).json["id"]
    approve(client, approver, item)
    assert factories.shared_records(client, parent, kid).status_code == 200
    # 2026-11-26 00:00 in Vietnam is 2026-11-25 17:00 UTC; the clock stands at 09:00 UTC.
    clock.tick(timedelta(hours=7, minutes=59))
    factories.sign_in(client, parent, clock)  # at 16:59:30 UTC
    assert factories.shared_records(client, parent, kid).status_code == 200
    clock.tick(timedelta(seconds=30))
    assert factories.shared_records(client, parent, kid).status_code == 403
    assert client.get("/v1/me/shared-with-me", headers=parent.auth).json == []


@pytest.mark.parametrize("born, reason", [
    (date(2008, 11, 25), "makes the person an adult"),     # 18 today
    (date(1990, 1, 1), "makes the person an adult"),
    (TODAY + timedelta(days=1), "lies ahead"),
])
def test_a_birth_date_that_makes_no_child_is_refused(client, recorder, parent, child, born,
                                                      reason):
    kid = child_id(client, recorder, child)
    refused = record(client, recorder, kid, parent, born=born)
    assert refused.status_code == 422
    assert reason in refused.json["errors"]["child_birth_date"][0]


def test_a_child_cannot_be_their_own_representative(client, recorder, child):
    kid = child_id(client, recorder, child)
    refused = record(client, recorder, kid, factories.Account(national_id=child))
    assert refused.status_code == 422 and "representative_national_id" in refused.json["errors"]


def test_every_read_by_the_representative_is_on_the_childs_trail(
        client, hospital, recorder, approver, parent, child, clock):
    kid = child_id(client, recorder, child)
    item = record(client, recorder, kid, parent).json["id"]
    approve(client, approver, item)
    factories.shared_records(client, parent, kid)
    code = factories.activation_code(client, hospital, child)
    account = factories.Account(national_id=child)
    client.post("/v1/auth/register", json={"national_id": child, "activation_code": code,
                                           "password": account.password})
    factories.enroll_totp(client, account, clock)
    log = client.get("/v1/me/access-log", headers=account.auth).json["items"]
    reads = [e for e in log if e["action"] == "records.list" and e["actor"]["type"] == "patient"]
    assert [e["consent_id"] for e in reads] == [item]
    assert {"representative.propose", "representative.approve"} <= {e["action"] for e in log}
    kinds = [n["kind"] for n in client.get("/v1/me/notifications",
                                           headers=account.auth).json["items"]]
    assert kinds.count("representative_changed_by_staff") == 2


def test_a_rejected_link_never_permits(client, recorder, approver, parent, child):
    kid = child_id(client, recorder, child)
    item = record(client, recorder, kid, parent).json["id"]
    rejected = client.post(f"/v1/staff/approvals/{item}/reject", headers=approver.auth)
    assert rejected.status_code == 200
    assert rejected.json["representative"]["status"] == "rejected"
    assert factories.shared_records(client, parent, kid).status_code == 403
    assert approve(client, approver, item).status_code == 409


@pytest.mark.parametrize("edit", ["approved without a second account", "pointed at another",
                                  "another child"])
def test_a_link_written_in_the_database_permits_nothing(app, client, hospital, recorder,
                                                        approver, parent, child, clock, edit):
    """A database operator holds no server key: a link made active, or pointed at another
    representative or child, by writing to the database no longer matches its seal."""
    from services import patients
    kid = child_id(client, recorder, child)
    item = record(client, recorder, kid, parent).json["id"]
    intruder = factories.signed_in_patient(client, hospital, clock)
    if edit != "approved without a second account":
        approve(client, approver, item)
    with app.app_context():
        change = {"approved without a second account": {
                      "status": "active", "approved_by": "staff:nobody",
                      "approved_at": factories.now()},
                  "pointed at another": {
                      "representative_key": patients.national_id_hash(current_ctx(), intruder.national_id)},
                  "another child": {"child_id": factories.owner_id(client, intruder)}}[edit]
        current_ctx().db.representatives.update_one({"_id": item}, {"$set": change})
    reader = intruder if edit == "pointed at another" else parent
    read = factories.owner_id(client, intruder) if edit == "another child" else kid
    assert factories.shared_records(client, reader, read).status_code == 403
    assert client.get("/v1/me/shared-with-me", headers=reader.auth).json == []


def test_a_withdrawn_link_permits_nothing_is_told_and_cannot_be_withdrawn_twice(
        client, hospital, recorder, approver, parent, child, clock):
    kid = child_id(client, recorder, child)
    item = record(client, recorder, kid, parent).json["id"]
    approve(client, approver, item)
    path = f"/v1/staff/patients/{kid}/representatives/{item}/revoke"
    withdrawn = client.post(path, headers=recorder.auth, json={"evidence": "Quyết định 45/2026"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "inactive"
    assert factories.shared_records(client, parent, kid).status_code == 403
    again = client.post(path, headers=approver.auth, json={"evidence": "Quyết định 45/2026"})
    assert again.status_code == 409
    code = factories.activation_code(client, hospital, child)
    account = factories.Account(national_id=child)
    client.post("/v1/auth/register", json={"national_id": child, "activation_code": code,
                                           "password": account.password})
    factories.enroll_totp(client, account, clock)
    kinds = [n["kind"] for n in client.get("/v1/me/notifications",
                                           headers=account.auth).json["items"]]
    assert kinds.count("representative_changed_by_staff") == 3  # recorded, approved, withdrawn
    [shown] = client.get("/v1/me/representatives", headers=account.auth).json
    assert (shown["id"], shown["status"]) == (item, "inactive")
    assert shown["representative_national_id"] == "********" + parent.national_id[-4:]


def test_the_childs_log_names_the_link_of_each_step_and_which_decision(
        app, client, hospital, recorder, approver, parent, child, clock):
    kid = child_id(client, recorder, child)
    first = record(client, recorder, kid, parent).json
    approved, by_recorder = first["id"], first["recorded_by"].removeprefix("staff:")
    rejected = record(client, recorder, kid, factories.Account(
        national_id=factories.next_national_id())).json["id"]
    decided = approve(client, approver, approved)
    assert decided.status_code == 200
    by_approver = decided.json["representative"]["approved_by"].removeprefix("staff:")
    assert client.post(f"/v1/staff/approvals/{rejected}/reject",
                       headers=approver.auth).status_code == 200
    code = factories.activation_code(client, hospital, child)
    account = factories.Account(national_id=child)
    client.post("/v1/auth/register", json={"national_id": child, "activation_code": code,
                                           "password": account.password})
    factories.enroll_totp(client, account, clock)
    log = client.get("/v1/me/access-log", headers=account.auth).json["items"]
    steps = sorted((e["action"], e["consent_id"]) for e in log
                   if e["action"].startswith("representative."))
    assert steps == sorted([("representative.propose", approved),
                            ("representative.propose", rejected),
                            ("representative.approve", approved),
                            ("representative.reject", rejected)])
    with app.app_context():
        events = sorted((e["event"], e["details"]["representative_id"], e["details"]["staff_id"])
                        for e in current_ctx().repos.security_events.list_for(factories.owner_id(client, account))
                        if e["event"].startswith("representative_"))
    assert events == sorted([("representative_recorded_by_staff", approved, by_recorder),
                             ("representative_recorded_by_staff", rejected, by_recorder),
                             ("representative_approved_by_staff", approved, by_approver),
                             ("representative_rejected_by_staff", rejected, by_approver)])


def test_the_day_a_child_is_born_is_todays_date_in_vietnam(client, recorder, parent, child,
                                                          clock):
    kid = child_id(client, recorder, child)
    clock.tick(timedelta(hours=8, minutes=59))
    factories.sign_in(client, recorder, clock)  # 2026-11-25 17:59:30 UTC, 00:59:30 on the 26th
    assert record(client, recorder, kid, parent, born=date(2026, 11, 26)).status_code == 202
    refused = record(client, recorder, kid, parent, born=date(2026, 11, 27))
    assert refused.status_code == 422
    assert "lies ahead" in refused.json["errors"]["child_birth_date"][0]


def test_a_child_is_an_adult_from_the_first_second_of_the_birthday_in_vietnam(
        client, recorder, parent, child, clock):
    kid = child_id(client, recorder, child)
    eighteen_at_midnight = date(2008, 11, 26)  # 2026-11-26 00:00 in Vietnam, 17:00 UTC before
    clock.tick(timedelta(hours=7, minutes=59))
    factories.sign_in(client, recorder, clock)  # 16:59:30 UTC
    assert record(client, recorder, kid, parent, born=eighteen_at_midnight).status_code == 202
    clock.tick(timedelta(seconds=30))  # 17:00:00 UTC: midnight in Vietnam
    refused = record(client, recorder, kid, parent, born=eighteen_at_midnight)
    assert refused.status_code == 422
    assert "makes the person an adult" in refused.json["errors"]["child_birth_date"][0]


def test_a_child_born_on_29_february_is_represented_until_1_march(client, recorder, parent,
                                                                 child):
    kid = child_id(client, recorder, child)
    recorded = record(client, recorder, kid, parent, born=date(2012, 2, 29))
    assert recorded.status_code == 202
    assert datetime.fromisoformat(recorded.json["ends_at"]) == \
        datetime(2030, 3, 1, tzinfo=timezone(timedelta(hours=7)))
    assert recorded.json["child_birth_date"] == "2012-02-29"


def test_staff_see_who_decided_a_link_and_when_and_whether_its_form_was_scanned(
        client, recorder, approver, parent, child, clock):
    kid = child_id(client, recorder, child)
    scan = {"content_type": "image/png", "data": base64.b64encode(PNG).decode()}
    scanned = record(client, recorder, kid, parent, evidence_scan=scan).json
    plain = record(client, recorder, kid, parent).json
    assert (scanned["evidence_scan"], plain["evidence_scan"]) == (True, False)
    assert (scanned["relationship"], scanned["evidence"]) == ("parent", "Giấy khai sinh 123/2015")
    clock.tick(timedelta(seconds=5))
    approved = approve(client, approver, scanned["id"]).json["representative"]
    rejected = client.post(f"/v1/staff/approvals/{plain['id']}/reject",
                           headers=approver.auth).json["representative"]
    decided_at = datetime(2026, 11, 25, 9, 0, 5, tzinfo=timezone.utc)
    assert approved["approved_by"].startswith("staff:")
    assert approved["approved_by"] != scanned["recorded_by"]
    assert rejected["rejected_by"] == approved["approved_by"]
    assert datetime.fromisoformat(approved["approved_at"]) == decided_at
    assert datetime.fromisoformat(rejected["rejected_at"]) == decided_at
    assert (approved["rejected_by"], approved["rejected_at"]) == (None, None)
    assert (rejected["approved_by"], rejected["approved_at"]) == (None, None)
    assert approved["evidence_scan"] is True and rejected["evidence_scan"] is False
