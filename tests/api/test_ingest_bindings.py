"""POST /v1/hospital/bundles refuses an entry that breaks a required value-set binding of FHIR R4
(a status, an intent, a clinical status outside its value set), as it refuses other invalid
entries: 400 for that entry of a batch, the whole transaction with 422."""
from tests.factories import bundle, diagnosis, lab_result, push, records_of

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def diagnostics(outcome: dict) -> str:
    return " ".join(issue.get("diagnostics", "") for issue in outcome["issue"])


def test_a_batch_answers_400_for_an_observation_with_an_unknown_status(client, hospital,
                                                                       patient):
    broken = lab_result(patient.national_id, "lab-2", value=7.0)
    broken["status"] = "not-a-status"
    response = push(client, hospital, bundle(lab_result(patient.national_id), broken))
    assert response.status_code == 200
    first, second = response.json["entry"]
    assert first["response"]["status"].startswith("201")
    assert second["response"]["status"] == "400 Bad Request"
    outcome = second["response"]["outcome"]
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["severity"] == "error" and outcome["issue"][0]["code"] == "invalid"
    text = diagnostics(outcome)
    assert text.startswith("Observation.status: 'not-a-status' is not a code")
    assert "http://hl7.org/fhir/ValueSet/observation-status|4.0.1" in text
    [stored] = records_of(client, patient)
    assert stored["resource"]["id"] == "lab-1"


def test_a_transaction_with_one_entry_breaking_a_binding_stores_nothing(client, hospital,
                                                                        patient):
    broken = lab_result(patient.national_id, "lab-2")
    broken["status"] = "not-a-status"
    response = push(client, hospital, bundle(lab_result(patient.national_id),
                                             diagnosis(patient.national_id), broken,
                                             bundle_type="transaction"))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == ["entry[2]"]
    assert "entry[2]: Observation.status:" in diagnostics(response.json["outcome"])
    assert records_of(client, patient) == []


def test_an_amendment_with_a_bad_status_is_refused_and_the_final_result_stays(client, hospital,
                                                                              patient):
    assert push(client, hospital, bundle(lab_result(patient.national_id, value=5.4))).json[
        "entry"][0]["response"]["status"].startswith("201")
    amendment = lab_result(patient.national_id, value=9.9)
    amendment["status"] = "not-a-status"
    answer = push(client, hospital, bundle(amendment)).json["entry"][0]["response"]
    assert answer["status"] == "400 Bad Request"
    assert "Observation.status" in diagnostics(answer["outcome"])
    [record] = records_of(client, patient)
    assert record["version"] == 1
    assert record["resource"]["status"] == "final"
    assert record["resource"]["valueQuantity"]["value"] == 5.4
    detail = client.get(f"/v1/me/records/{record['id']}", headers=patient.auth).json
    assert [v["resource"]["status"] for v in detail["history"]] == ["final"]


def test_a_condition_with_a_clinical_status_outside_its_value_set_is_refused(client, hospital,
                                                                             patient):
    bad = diagnosis(patient.national_id, "dx-bad")
    bad["clinicalStatus"] = {"coding": [{"system": CLINICAL, "code": "cured"}]}
    good = diagnosis(patient.national_id, "dx-good")
    good["clinicalStatus"] = {"coding": [{"system": CLINICAL, "code": "resolved"}]}
    response = push(client, hospital, bundle(bad, good))
    first, second = (e["response"] for e in response.json["entry"])
    assert first["status"] == "400 Bad Request"
    text = diagnostics(first["outcome"])
    assert text.startswith("Condition.clinicalStatus.coding[0]: code 'cured'")
    assert "http://hl7.org/fhir/ValueSet/condition-clinical|4.0.1" in text
    assert second["status"].startswith("201")
    assert [r["resource"]["id"] for r in records_of(client, patient)] == ["dx-good"]


def test_medication_request_intent_and_encounter_history_are_checked_too(client, hospital,
                                                                         patient):
    subject = lab_result(patient.national_id)["subject"]
    order = {"resourceType": "MedicationRequest", "id": "rx-1", "status": "active",
             "intent": "prescription", "subject": subject,
             "medicationCodeableConcept": {"text": "Metformin 500 mg"}}
    visit = {"resourceType": "Encounter", "id": "enc-1", "status": "finished",
             "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                       "code": "AMB"}, "subject": subject,
             "statusHistory": [{"status": "arrived", "period": {"start": "2026-10-01"}},
                               {"status": "done", "period": {"start": "2026-10-01"}}]}
    answers = [e["response"] for e in push(client, hospital, bundle(order, visit)).json["entry"]]
    assert [a["status"] for a in answers] == ["400 Bad Request"] * 2
    assert diagnostics(answers[0]["outcome"]).startswith("MedicationRequest.intent: ")
    assert diagnostics(answers[1]["outcome"]).startswith("Encounter.statusHistory[1].status: ")
