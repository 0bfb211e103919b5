"""GET /v1/staff/requests and its steps: support staff see every request earliest due day
first with overdue flags, acknowledge, extend once with a reason the patient reads, complete or
refuse; each step is on the patient's log and in their inbox; two steps cannot both win."""
from datetime import datetime, timezone

import pytest

from tests import factories


@pytest.fixture
def staff(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.requests"), clock)


def file(client, patient, kind="access", **body):
    return client.post("/v1/me/requests", headers=patient.auth, json={
        "kind": kind, "details": "Tôi muốn nhận bản sao hồ sơ", **body}).json


def step(client, staff, request_id, name, **body):
    return client.post(f"/v1/staff/requests/{request_id}/{name}", headers=staff.auth,
                       json=body or None)


def test_the_queue_shows_every_request_earliest_due_first_with_overdue_flags(
        client, hospital, staff, clock):
    clock.move_to(datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc))    # Monday in Hanoi
    first = factories.signed_in_patient(client, hospital, clock)
    owners = {factories.owner_id(client, first)}
    early = file(client, first)                                         # due Wednesday 9th
    clock.move_to(datetime(2026, 12, 10, 3, 0, tzinfo=timezone.utc))   # Thursday
    second = factories.signed_in_patient(client, hospital, clock)
    owners.add(factories.owner_id(client, second))
    late = file(client, second)                                         # due Monday 14th
    factories.sign_in(client, staff, clock)
    items = client.get("/v1/staff/requests", headers=staff.auth).json["items"]
    assert [(i["id"], i["overdue"]) for i in items] == [(early["id"], True), (late["id"], False)]
    assert {i["patient_id"] for i in items} == owners
    done = step(client, staff, early["id"], "acknowledge")
    assert done.status_code == 200 and done.json["status"] == "acknowledged"
    received = client.get("/v1/staff/requests", headers=staff.auth,
                          query_string={"status": "received"}).json["items"]
    assert [i["id"] for i in received] == [late["id"]]


def test_each_step_reaches_the_patient_and_their_log(client, patient, staff):
    request = file(client, patient, kind="deletion")
    assert step(client, staff, request["id"], "acknowledge").status_code == 200
    extended = step(client, staff, request["id"], "extend", reason="Cần đối chiếu thêm")
    assert extended.status_code == 200
    assert extended.json["complete_by"] > request["complete_by"]
    assert step(client, staff, request["id"], "extend", reason="lần hai").status_code == 409
    seen = client.get(f"/v1/me/requests/{request['id']}", headers=patient.auth).json
    assert (seen["extension_reason"], seen["complete_by"]) == ("Cần đối chiếu thêm",
                                                               extended.json["complete_by"])
    refused = step(client, staff, request["id"], "refuse", reason="Hồ sơ còn trong hạn lưu trữ")
    assert refused.status_code == 200 and refused.json["status"] == "refused"
    assert step(client, staff, request["id"], "complete", outcome="x").status_code == 409
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert {"request.acknowledge", "request.extend", "request.refuse"} <= {
        e["action"] for e in log}
    inbox = client.get("/v1/me/notifications", headers=patient.auth).json["items"]
    assert [n["kind"] for n in inbox].count("request_updated") == 3
    assert client.get(f"/v1/me/requests/{request['id']}",
                      headers=patient.auth).json["answer"] == "Hồ sơ còn trong hạn lưu trữ"


@pytest.mark.parametrize("name, body", [("acknowledge", {}), ("complete", {"outcome": "x"}),
                                        ("refuse", {"reason": "x"}), ("extend", {"reason": "x"})])
def test_a_missing_request_is_a_404(client, staff, name, body):
    assert step(client, staff, "dsr_missing", name, **body).status_code == 404


def test_a_correction_is_not_completed_by_staff(client, hospital, patient, staff):
    factories.push(client, hospital, factories.bundle(factories.lab_result(patient.national_id)))
    record = factories.records_of(client, patient)[0]
    request = file(client, patient, kind="correction", record_id=record["id"])
    assert step(client, staff, request["id"], "complete", outcome="x").status_code == 409


def test_staff_never_see_a_clinical_value_in_the_queue(client, hospital, patient, staff):
    factories.push(client, hospital, factories.bundle(factories.lab_result(
        patient.national_id, value=7.77)))
    record = factories.records_of(client, patient)[0]
    file(client, patient, kind="correction", record_id=record["id"])
    assert b"7.77" not in client.get("/v1/staff/requests", headers=staff.auth).data
