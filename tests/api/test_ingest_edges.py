"""Pushes at their edges (from mutation testing): a transaction amending the hospital's own
record, what a Patient entry says of the person, a push on the trail and in the notices, a retry
with its keys reordered, resources not kept, sealed content bound to its hospital, the push each
exported version came in, the size and attachment limits at their edges, the clinical time of a
result with only an issued time, an amendment after a crashed one, whose an Idempotency-Key
is, and a batch entry that names another patient's record."""
import base64
import json

import pytest

from security.crypto import DecryptionError
from tests import factories
from tests.factories import (bundle, bundle_with_patient_entry, diagnosis, lab_result, push,
                             records_of)
from tests.factories import current_ctx


def test_a_transaction_amends_the_hospitals_own_record_of_the_same_patient(client, hospital,
                                                                          patient):
    first = push(client, hospital, bundle(lab_result(patient.national_id, value=5.0),
                                          bundle_type="transaction"))
    assert first.status_code == 200
    amended = push(client, hospital, bundle(lab_result(patient.national_id, value=6.5),
                                            diagnosis(patient.national_id),
                                            bundle_type="transaction"))
    assert amended.status_code == 200, amended.json
    assert amended.json["type"] == "transaction-response"
    [lab, dx] = [e["response"] for e in amended.json["entry"]]
    assert (lab["status"], lab["etag"]) == ("200 OK", 'W/"2"')
    assert dx["status"] == "201 Created"
    [record] = [r for r in records_of(client, patient) if r["category"] == "lab"]
    assert record["version"] == 2 and record["resource"]["valueQuantity"]["value"] == 6.5


def test_a_patient_entry_names_the_patient_and_their_birth_date(client, hospital, patient):
    body = bundle_with_patient_entry(lab_result(patient.national_id), patient.national_id,
                                     "urn:uuid:7f1c0f4e-0000-4000-8000-000000000002",
                                     name=[{"text": "Lê Văn Tám"}], birthDate="1985-03-02")
    assert push(client, hospital, body).status_code == 200
    exported = client.get("/v1/me/export", headers=patient.auth).json
    [person] = [e["resource"] for e in exported["entry"]
                if e["resource"]["resourceType"] == "Patient"]
    assert person["name"] == [{"text": "Lê Văn Tám"}] and person["birthDate"] == "1985-03-02"


def test_a_push_is_on_each_patients_trail_with_its_bundle_and_count(app, client, hospital,
                                                                    patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    with app.app_context():  # the visits pushed before each patient's activation code
        visits = {e["_id"] for e in current_ctx().db.audit_log.find({"action": "records.push"})}
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id),
                                  lab_result(other.national_id, "lab-2")))
    with app.app_context():
        entries = [e for e in current_ctx().db.audit_log.find({"action": "records.push"})
                   if e["_id"] not in visits]
    by_patient = {e["patient_id"]: e["target"] for e in entries}
    me = client.get("/v1/me", headers=patient.auth).json["id"]
    them = client.get("/v1/me", headers=other.auth).json["id"]
    assert set(by_patient) == {me, them} and len(entries) == 2
    assert by_patient[me]["count"] == 2 and by_patient[them]["count"] == 1
    bundle_id = by_patient[me]["bundle_id"]
    assert isinstance(bundle_id, str) and bundle_id == by_patient[them]["bundle_id"]
    for account in (patient, other):
        kinds = [n["kind"] for n in
                 client.get("/v1/me/notifications", headers=account.auth).json["items"]]
        assert kinds.count("record_available") == 1
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-3")))
    with app.app_context():
        [later] = [e for e in current_ctx().db.audit_log.find({"action": "records.push"})
                   if e["target"]["bundle_id"] != bundle_id and e["_id"] not in visits]
    assert later["target"]["count"] == 1


def test_the_same_content_with_its_keys_in_another_order_is_recognised(client, hospital,
                                                                       patient):
    """Sent as the hospital wrote it (the test client's `json=` would sort the keys)."""
    first = lab_result(patient.national_id)
    again = dict(reversed(list(first.items())))
    again["valueQuantity"] = dict(reversed(list(first["valueQuantity"].items())))
    headers = {**factories.bearer(factories.hospital_token(client, hospital)),
               "Content-Type": "application/json"}

    def send(resource):
        return client.post("/v1/hospital/bundles", headers=headers,
                           data=json.dumps(bundle(resource))).json["entry"][0]["response"]
    assert send(first)["status"] == "201 Created"
    retried = send(again)
    assert (retried["status"], retried["etag"]) == ("200 OK", 'W/"1"')
    assert retried["location"] == "Observation/lab-1/_history/1"
    [record] = records_of(client, patient)
    assert record["version"] == 1


def test_a_resource_not_kept_is_answered_as_information_not_an_error(client, hospital, patient):
    claim = {"resourceType": "Claim", "id": "claim-1", "status": "active"}
    response = push(client, hospital, bundle(claim, lab_result(patient.national_id)))
    assert response.status_code == 200
    [not_kept, stored] = [e["response"] for e in response.json["entry"]]
    assert not_kept["status"] == "200 OK"
    assert {(i["severity"], i["code"]) for i in not_kept["outcome"]["issue"]} == {
        ("information", "informational")}
    assert stored["status"] == "201 Created"


CANARY = "CANARY-repointed-hospital"


def test_a_record_repointed_to_another_hospital_in_the_database_does_not_open(app, client,
                                                                             hospital,
                                                                             patient):
    with app.app_context():
        other = factories.create_hospital("Other Hospital")
    result = lab_result(patient.national_id)
    result["note"] = [{"text": CANARY}]
    push(client, hospital, bundle(result))
    record_id = records_of(client, patient)[0]["id"]
    db = app.extensions["mongo_db"]
    db.records.update_many({}, {"$set": {"hospital_id": other["hospital_id"]}})
    db.record_versions.update_many({}, {"$set": {"hospital_id": other["hospital_id"]}})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for path in ("/v1/me/records", f"/v1/me/records/{record_id}", "/v1/me/export"):
        attempt = client.get(path, headers=patient.auth)
        assert CANARY not in attempt.get_data(as_text=True)


def test_versions_repointed_to_another_hospital_in_the_database_stay_out_of_its_export(
        app, client, hospital, patient):
    with app.app_context():
        other = factories.create_hospital("Other Hospital")
    result = lab_result(patient.national_id)
    result["note"] = [{"text": CANARY}]
    push(client, hospital, bundle(result))
    db = app.extensions["mongo_db"]
    db.record_versions.update_many({}, {"$set": {"hospital_id": other["hospital_id"]}})
    token = factories.hospital_token(client, other)
    with pytest.raises(DecryptionError):  # the export breaks off at that version
        client.get("/v1/hospital/export", headers=factories.bearer(token)).get_data()


def test_the_hospital_export_names_the_push_each_version_came_in(app, client, hospital,
                                                                 patient):
    push(client, hospital, bundle(lab_result(patient.national_id, value=5.0),
                                  diagnosis(patient.national_id)))
    push(client, hospital, bundle(lab_result(patient.national_id, value=6.0)))
    with app.app_context():  # the first: the visit pushed before the patient's code
        visit, *pushes = [e["target"]["bundle_id"] for e in
                          current_ctx().db.audit_log.find({"action": "records.push"}).sort("seq", 1)]
    exported = client.get("/v1/hospital/export", headers=factories.bearer(
        factories.hospital_token(client, hospital))).get_data(as_text=True).splitlines()
    lines = [json.loads(line) for line in exported[:-1]]
    assert [x["bundle_id"] for x in lines if factories.is_visit(x, patient.national_id)] == [visit]
    lines = [x for x in lines if not factories.is_visit(x, patient.national_id)]
    came_in = {(x["source_id"], x["version"]): x["bundle_id"] for x in lines}
    assert came_in == {("lab-1", 1): pushes[0], ("dx-1", 1): pushes[0],
                       ("lab-1", 2): pushes[1]}
    assert pushes[0] != pushes[1]


def test_a_body_that_is_no_bundle_names_the_bundle_as_the_field_at_fault(client, hospital):
    response = push(client, hospital, {"resourceType": "Observation"})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["bundle"] and response.json["errors"]["bundle"]


def test_the_apps_inline_attachment_limit_applies_to_pushes(make_app, clock):
    app = make_app(ATTACHMENT_MAX_BYTES=16)
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()

    def document(resource_id, size):
        return {"resourceType": "DocumentReference", "id": resource_id, "status": "current",
                "subject": factories.subject("001234567890"),
                "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5",
                                     "display": "Discharge summary"}]},
                "content": [{"attachment": {"contentType": "application/pdf",
                                            "data": base64.b64encode(b"x" * size).decode()}}]}
    response = push(client, hospital, bundle(document("doc-small", 16), document("doc-big", 17)))
    assert response.status_code == 200, response.json
    assert [e["response"]["status"] for e in response.json["entry"]] == [
        "201 Created", "400 Bad Request"]


def test_a_resource_exactly_at_the_size_limit_is_stored(client, hospital, patient,
                                                        monkeypatch):
    from services.records import ingest
    result = lab_result(patient.national_id)
    monkeypatch.setattr(ingest, "MAX_RESOURCE_BYTES", len(json.dumps(result)))
    over = lab_result(patient.national_id, "lab-2")
    over["note"] = [{"text": "x"}]
    response = push(client, hospital, bundle(result, over))
    assert [e["response"]["status"] for e in response.json["entry"]] == [
        "201 Created", "400 Bad Request"]


def test_a_result_without_a_clinical_time_is_listed_by_when_it_was_issued(client, hospital,
                                                                          patient):
    """Newest first by clinical time: the effective time, else the time it was issued."""
    examined = lab_result(patient.national_id, "lab-examined", when="2026-05-01T08:00:00Z")
    examined["issued"] = "2026-05-02T08:00:00Z"
    issued_only = lab_result(patient.national_id, "lab-issued-only")
    del issued_only["effectiveDateTime"]
    issued_only["issued"] = "2026-04-01T08:00:00Z"
    push(client, hospital, bundle(issued_only, examined))
    assert [r["resource"]["id"] for r in records_of(client, patient)] == [
        "lab-examined", "lab-issued-only"]


def test_an_amendment_after_a_crashed_one_takes_the_next_version_and_keeps_both(
        client, hospital, patient, monkeypatch):
    """A crash between a version and its record's pointer leaves version 2 unpointed; a later
    amendment with other content finds number 2 taken and is stored as version 3."""
    from models import records as record_store
    push(client, hospital, bundle(lab_result(patient.national_id, value=5.0)))

    def crash(*args, **kwargs):
        raise RuntimeError("advance failed (injected)")
    monkeypatch.setattr(record_store.Records, "advance_many", crash)
    assert push(client, hospital, bundle(lab_result(patient.national_id, value=6.0))) \
        .status_code == 500
    monkeypatch.undo()
    amended = push(client, hospital, bundle(lab_result(patient.national_id, value=7.0)))
    response = amended.json["entry"][0]["response"]
    assert (response["status"], response["etag"]) == ("200 OK", 'W/"3"')
    [record] = records_of(client, patient)
    assert record["version"] == 3 and record["resource"]["valueQuantity"]["value"] == 7.0
    history = client.get(f"/v1/me/records/{record['id']}", headers=patient.auth).json["history"]
    assert [(v["version"], v["resource"]["valueQuantity"]["value"]) for v in history] == [
        (1, 5.0), (2, 6.0), (3, 7.0)]


def test_idempotency_keys_belong_to_one_hospital_and_one_push(app, client, hospital, patient):
    with app.app_context():
        other = factories.create_hospital("Other Hospital")
    answers = [push(client, hospital, bundle(lab_result(patient.national_id, "lab-a")),
                    key="push-0001"),
               push(client, hospital, bundle(lab_result(patient.national_id, "lab-b")),
                    key="push-0002"),
               push(client, other, bundle(lab_result(patient.national_id, "lab-c")),
                    key="push-0001")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json["entry"][0]["response"]["status"] for a in answers] == ["201 Created"] * 3
    assert sorted(r["resource"]["id"] for r in records_of(client, patient)) == [
        "lab-a", "lab-b", "lab-c"]


def test_a_batch_entry_naming_another_patients_record_is_a_conflict(client, hospital, patient,
                                                                   clock):
    other = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(diagnosis(other.national_id, "dx-shared")))
    response = push(client, hospital, bundle(diagnosis(patient.national_id, "dx-shared"),
                                             lab_result(patient.national_id)))
    [conflict, stored] = [e["response"] for e in response.json["entry"]]
    assert conflict["status"] == "409 Conflict"
    assert [(i["severity"], i["code"]) for i in conflict["outcome"]["issue"]] == [
        ("error", "conflict")]
    assert stored["status"] == "201 Created"
    assert [r["category"] for r in records_of(client, patient)] == ["lab"]
