"""POST /v1/hospital/bundles: batch and transaction, amendments, idempotency, ownership, limits."""
import copy
import json

import pytest

from tests import factories, samples
from tests.factories import (bundle, bundle_with_patient_entry, diagnosis, lab_result, push,
                             records_of)
from tests.samples import needs_samples



def test_a_batch_stores_the_valid_entries_and_answers_each(client, hospital, patient):
    broken = lab_result(patient.national_id, "lab-2")
    del broken["status"]
    response = push(client, hospital, bundle(lab_result(patient.national_id), broken,
                                             diagnosis(patient.national_id)))
    assert response.status_code == 200
    assert response.json["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in response.json["entry"]]
    assert statuses[0].startswith("201") and statuses[1].startswith("400")
    assert statuses[2].startswith("201")
    outcome = response.json["entry"][1]["response"]["outcome"]
    assert outcome["resourceType"] == "OperationOutcome" and "status" in json.dumps(outcome)
    assert {r["category"] for r in records_of(client, patient)} == {"lab", "diagnosis"}


def test_a_transaction_with_one_invalid_entry_stores_nothing(client, hospital, patient):
    broken = lab_result(patient.national_id, "lab-2")
    del broken["status"]
    response = push(client, hospital, bundle(lab_result(patient.national_id), broken,
                                             bundle_type="transaction"))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == ["entry[1]"]
    assert response.json["outcome"]["resourceType"] == "OperationOutcome"
    assert records_of(client, patient) == []
    ok = push(client, hospital, bundle(lab_result(patient.national_id),
                                       bundle_type="transaction"))
    assert ok.status_code == 200 and ok.json["type"] == "transaction-response"


@needs_samples
@pytest.mark.parametrize("sample", samples.sample_names())
def test_real_exports_are_accepted_as_they_are(client, hospital, patient, sample):
    body = json.loads((samples.SYNTHEA / sample).read_text())
    person = next(e["resource"] for e in body["entry"]
                  if e["resource"]["resourceType"] == "Patient")
    person.setdefault("identifier", []).append(
        {"system": factories.NATIONAL_ID_SYSTEM, "value": patient.national_id})
    response = push(client, hospital, body)
    assert response.status_code == 200, response.json
    statuses = [e["response"]["status"] for e in response.json["entry"]]
    assert not [s for s in statuses if s.startswith("4")]
    stored = sum(s.startswith("201") for s in statuses)
    supported = {"Observation", "DiagnosticReport", "Condition", "MedicationRequest", "Procedure",
                 "MedicationStatement", "Encounter", "DocumentReference", "AllergyIntolerance",
                 "Immunization"}
    assert stored == sum(e["resource"]["resourceType"] in supported for e in body["entry"])
    listed = client.get("/v1/me/records", headers=patient.auth, query_string={"limit": 100})
    # And the visit the hospital pushed before the patient's activation code.
    assert len(listed.json["items"]) == min(stored + 1, 100)


def test_pushing_the_same_resource_again_is_an_amendment_with_history(client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id, value=5.4)))
    again = push(client, hospital, bundle(lab_result(patient.national_id, value=5.4)))
    assert again.json["entry"][0]["response"]["status"].startswith("200")
    amended = push(client, hospital, bundle(lab_result(patient.national_id, value=6.1)))
    assert amended.json["entry"][0]["response"]["location"].endswith("/_history/2")
    [record] = records_of(client, patient)
    assert record["version"] == 2 and record["resource"]["valueQuantity"]["value"] == 6.1
    detail = client.get(f"/v1/me/records/{record['id']}", headers=patient.auth).json
    assert [v["resource"]["valueQuantity"]["value"] for v in detail["history"]] == [5.4, 6.1]


def test_one_hospital_never_changes_anothers_records(client, app, hospital, patient):
    with app.app_context():
        other = factories.create_hospital("Other Hospital")
    push(client, hospital, bundle(lab_result(patient.national_id, value=5.4)))
    push(client, other, bundle(lab_result(patient.national_id, value=9.9)))
    values = sorted((r["hospital_id"], r["resource"]["valueQuantity"]["value"], r["version"])
                    for r in records_of(client, patient))
    assert values == sorted([(hospital["hospital_id"], 5.4, 1), (other["hospital_id"], 9.9, 1)])


def test_the_same_idempotency_key_and_body_answers_the_same_and_stores_once(client, hospital,
                                                                             patient):
    body = bundle(lab_result(patient.national_id), diagnosis(patient.national_id))
    first = push(client, hospital, body, key="push-0001")
    second = push(client, hospital, body, key="push-0001")
    assert first.status_code == second.status_code == 200 and first.json == second.json
    assert [r["version"] for r in records_of(client, patient)] == [1, 1]
    changed = copy.deepcopy(body)
    changed["entry"][0]["resource"]["valueQuantity"]["value"] = 1.0
    reused = push(client, hospital, changed, key="push-0001")
    assert reused.status_code == 422
    assert reused.json["type"].endswith("idempotency-key-reused")
    assert [r["version"] for r in records_of(client, patient)] == [1, 1]


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "tab\tkey"])
def test_a_malformed_idempotency_key_is_refused(client, hospital, patient, key):
    headers = factories.bearer(factories.hospital_token(client, hospital))
    headers["Idempotency-Key"] = key
    response = client.post("/v1/hospital/bundles", headers=headers,
                           json=bundle(lab_result(patient.national_id)))
    assert response.status_code == 422


def test_records_of_an_unregistered_patient_appear_when_they_register(client, hospital, clock):
    national_id = factories.next_national_id()
    assert push(client, hospital, bundle(lab_result(national_id))).status_code == 200
    account = factories.Account(national_id=national_id)
    code = factories.activation_code(client, hospital, national_id)
    assert client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code,
        "password": account.password}).status_code == 201
    factories.enroll_totp(client, account, clock)
    assert [r["category"] for r in records_of(client, account)] == ["lab"]


def test_a_patient_named_by_reference_to_a_patient_entry(client, hospital, patient):
    body = bundle_with_patient_entry(lab_result(patient.national_id), patient.national_id,
                                     "urn:uuid:7f1c0f4e-0000-4000-8000-000000000001")
    assert push(client, hospital, body).status_code == 200
    assert [r["category"] for r in records_of(client, patient)] == ["lab"]


@pytest.mark.parametrize("body", [{"resourceType": "Bundle", "type": "collection", "entry": []},
                                  {"resourceType": "Observation"}, [], {"entry": "x"}])
def test_what_is_not_a_batch_or_transaction_bundle_is_refused(client, hospital, body):
    response = push(client, hospital, body)
    assert response.status_code == 422 and response.json["type"].endswith("invalid-input")


def test_too_many_entries_are_refused(make_app, clock):
    app = make_app(BUNDLE_MAX_ENTRIES=2)
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    body = bundle(*[lab_result("001234567890", f"lab-{i}") for i in range(3)])
    assert push(client, hospital, body).status_code == 422


def test_only_the_bundle_route_takes_large_bodies(make_app):
    app = make_app(MAX_CONTENT_LENGTH=2000, BUNDLE_MAX_BYTES=20000)
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    padded = lab_result("001234567890")
    padded["note"] = [{"text": "x" * 5000}]
    assert push(client, hospital, bundle(padded)).status_code == 200
    login = client.post("/v1/auth/login", json={"national_id": "001234567890",
                                                "password": "x" * 1000, "username": "y" * 1500})
    assert login.status_code == 413
    padded["note"] = [{"text": "x" * 25000}]
    assert push(client, hospital, bundle(padded)).status_code == 413


def test_pushing_needs_a_hospital_token_with_the_write_scope(client, app, patient):
    with app.app_context():
        reader = factories.create_hospital("Reader", scopes=["records:read"])
    body = bundle(lab_result(patient.national_id))
    assert push(client, reader, body).status_code == 403
    assert client.post("/v1/hospital/bundles", json=body,
                       headers=patient.auth).status_code == 403
    assert client.post("/v1/hospital/bundles", json=body).status_code == 401


def test_a_transaction_that_would_reuse_another_patients_record_stores_nothing(client, hospital,
                                                                               patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(diagnosis(other.national_id, "dx-shared")))
    body = bundle(lab_result(patient.national_id), diagnosis(patient.national_id, "dx-shared"),
                  bundle_type="transaction")
    response = push(client, hospital, body)
    assert response.status_code == 422 and list(response.json["errors"]) == ["entry[1]"]
    assert records_of(client, patient) == []
    batch = push(client, hospital, bundle(diagnosis(patient.national_id, "dx-shared")))
    assert batch.json["entry"][0]["response"]["status"].startswith("409")


def test_issues_never_quote_a_national_id_back(client, hospital, patient):
    observation = lab_result(patient.national_id)
    observation["subject"] = {"reference": f"Patient?identifier=cccd|{patient.national_id}"}
    response = push(client, hospital, bundle(observation))
    assert response.json["entry"][0]["response"]["status"].startswith("400")
    assert patient.national_id not in response.get_data(as_text=True)


def test_a_resource_too_large_to_store_is_refused_before_anything_is_stored(client, hospital,
                                                                            patient, monkeypatch):
    from services.records import ingest
    monkeypatch.setattr(ingest, "MAX_RESOURCE_BYTES", 2000)
    big = lab_result(patient.national_id, "lab-big")
    big["note"] = [{"text": "x" * 3000}]
    response = push(client, hospital, bundle(big, diagnosis(patient.national_id)))
    statuses = [e["response"]["status"][:3] for e in response.json["entry"]]
    assert statuses == ["400", "201"]
    assert [r["category"] for r in records_of(client, patient)] == ["diagnosis"]


def test_bundles_may_be_sent_as_application_fhir_json(client, hospital, patient):
    import json as _json
    response = client.post("/v1/hospital/bundles", data=_json.dumps(bundle(
        lab_result(patient.national_id))), content_type="application/fhir+json",
        headers=factories.bearer(factories.hospital_token(client, hospital)))
    assert response.status_code == 200
    assert response.json["entry"][0]["response"]["status"].startswith("201")
