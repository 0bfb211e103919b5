"""Pushes at their edges (from mutation testing): a transaction that amends the hospital's own
record of the same patient, what a Patient entry says of the person, the trail and notices of a
push, a retry with its keys reordered, resources not kept, and sealed content bound to its
hospital."""
import json

import pytest

from models.db import get_db
from security.crypto import DecryptionError
from tests import factories
from tests.factories import bundle, diagnosis, lab_result, push


def records_of(client, account):
    response = client.get("/v1/me/records", headers=account.auth)
    assert response.status_code == 200, response.json
    return response.json["items"]


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
    observation = lab_result(patient.national_id)
    observation["subject"] = {"reference": "urn:uuid:7f1c0f4e-0000-4000-8000-000000000002"}
    body = bundle(observation)
    body["entry"].insert(0, {"fullUrl": "urn:uuid:7f1c0f4e-0000-4000-8000-000000000002",
                             "resource": {"resourceType": "Patient", "identifier": [
                                 {"system": factories.NATIONAL_ID_SYSTEM,
                                  "value": patient.national_id}],
                                 "name": [{"text": "Lê Văn Tám"}], "birthDate": "1985-03-02"}})
    assert push(client, hospital, body).status_code == 200
    exported = client.get("/v1/me/export", headers=patient.auth).json
    [person] = [e["resource"] for e in exported["entry"]
                if e["resource"]["resourceType"] == "Patient"]
    assert person["name"] == [{"text": "Lê Văn Tám"}] and person["birthDate"] == "1985-03-02"


def test_a_push_is_on_each_patients_trail_with_its_bundle_and_count(app, client, hospital,
                                                                    patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id),
                                  lab_result(other.national_id, "lab-2")))
    with app.app_context():
        entries = list(get_db().audit_log.find({"action": "records.push"}))
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
        [later] = [e for e in get_db().audit_log.find({"action": "records.push"})
                   if e["target"]["bundle_id"] != bundle_id]
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
