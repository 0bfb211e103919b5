"""POST/GET /v1/me/requests: a patient files a data-subject request and follows it; the
deadlines come with it; another patient's is a 404; a bad request names its field."""
from datetime import datetime, timezone

import pytest

from tests import factories
from tests.factories import bundle, current_ctx, lab_result, push, records_of


def file(client, patient, **body):
    return client.post("/v1/me/requests", headers=patient.auth,
                       json={"kind": "access", "details": "Tôi muốn xem toàn bộ dữ liệu", **body})


def test_a_request_is_received_with_its_deadlines_and_followed(app, client, hospital, clock):
    clock.move_to(datetime(2026, 12, 11, 3, 0, tzinfo=timezone.utc))  # Friday 10:00 in Hanoi
    patient = factories.signed_in_patient(client, hospital, clock)
    filed = file(client, patient, kind="deletion", details="Xóa số đo tôi tự nhập")
    assert filed.status_code == 201
    request = filed.json
    assert (request["status"], request["kind"]) == ("received", "deletion")
    assert (request["acknowledge_by"], request["complete_by"]) == ("2026-12-15", "2026-12-31")
    assert request["overdue"] is False and request["extension_reason"] is None
    listed = client.get("/v1/me/requests", headers=patient.auth).json
    assert [r["id"] for r in listed["items"]] == [request["id"]]
    assert client.get(f"/v1/me/requests/{request['id']}", headers=patient.auth).json == request
    clock.move_to(datetime(2026, 12, 15, 17, 0, tzinfo=timezone.utc))  # Wednesday 00:00 Hanoi
    factories.sign_in(client, patient, clock)
    late = client.get(f"/v1/me/requests/{request['id']}", headers=patient.auth).json
    assert late["overdue"] is True  # not acknowledged by Tuesday
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert "request.file" in {entry["action"] for entry in log}
    with app.app_context():  # the details are sealed at rest
        stored = current_ctx().db.data_requests.find_one({"_id": request["id"]})
    assert "Xóa" not in str(stored)


def test_another_patients_request_is_a_404(client, hospital, patient, clock):
    mine = file(client, patient).json["id"]
    stranger = factories.signed_in_patient(client, hospital, clock)
    assert client.get(f"/v1/me/requests/{mine}", headers=stranger.auth).status_code == 404
    assert client.get("/v1/me/requests", headers=stranger.auth).json["items"] == []


def test_a_correction_names_one_of_the_patients_own_records(client, hospital, patient, clock):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    [record] = [r for r in records_of(client, patient) if r["category"] == "lab"]
    corrected = file(client, patient, kind="correction", details="Sai kết quả",
                     record_id=record["id"])
    assert corrected.status_code == 201 and corrected.json["record_id"] == record["id"]
    stranger = factories.signed_in_patient(client, hospital, clock)
    refused = file(client, stranger, kind="correction", details="x", record_id=record["id"])
    assert refused.status_code == 422 and "record_id" in refused.json["errors"]


@pytest.mark.parametrize("body, field", [
    ({"kind": "erasure"}, "kind"),
    ({"kind": "correction"}, "record_id"),                    # a correction names its record
    ({"kind": "access", "record_id": "rec_x"}, "record_id"),  # no other kind does
    ({"kind": "access", "consent_ids": ["cns_x"]}, "consent_ids"),
    ({"details": ""}, "details"),
    ({"details": {"$ne": None}}, "details"),
    ({"extra": 1}, "extra"),
])
def test_a_bad_request_names_its_field(client, patient, body, field):
    refused = file(client, patient, **body)
    assert refused.status_code in (400, 422) and field in refused.json["errors"]


def test_a_withdrawal_names_only_the_patients_own_consents(client, hospital, patient, clock):
    stranger = factories.signed_in_patient(client, hospital, clock)
    granted = client.post("/v1/me/consents", headers=stranger.auth, json={
        "grantee": factories.person(patient), "categories": ["lab"],
        "purpose": "caregiving"}).json["id"]
    refused = file(client, patient, kind="withdrawal", details="x", consent_ids=[granted])
    assert refused.status_code == 422 and "consent_ids" in refused.json["errors"]
    mine = file(client, stranger, kind="withdrawal", details="Rút lại", consent_ids=[granted])
    assert mine.status_code == 201 and mine.json["consent_ids"] == [granted]
