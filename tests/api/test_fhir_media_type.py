"""FHIR answers honour `Accept: application/fhir+json`; plain JSON stays the default."""
import pytest

from tests.factories import bearer, bundle, hospital_token, lab_result

ASKED = [(None, "application/json"), ("*/*", "application/json"),
         ("application/json", "application/json"),
         ("application/fhir+json", "application/fhir+json"),
         ("application/fhir+json, application/json;q=0.5", "application/fhir+json")]


@pytest.mark.parametrize("accept, served", ASKED)
def test_a_push_answers_in_the_media_type_asked_for(client, hospital, patient, accept, served):
    headers = {**bearer(hospital_token(client, hospital)),
               **({"Accept": accept} if accept else {})}
    answer = client.post("/v1/hospital/bundles", json=bundle(lab_result(patient.national_id)),
                         headers=headers)
    assert answer.status_code == 200 and answer.mimetype == served
    assert answer.get_json(force=True)["type"] == "batch-response"


@pytest.mark.parametrize("accept, served", ASKED)
def test_the_patients_export_answers_in_the_media_type_asked_for(client, patient, accept,
                                                                  served):
    headers = {**patient.auth, **({"Accept": accept} if accept else {})}
    answer = client.get("/v1/me/export", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == served
    assert answer.get_json(force=True)["resourceType"] == "Bundle"


def test_an_error_stays_problem_json_whatever_was_asked(client, hospital):
    answer = client.post("/v1/hospital/bundles", json={"resourceType": "Bundle"},
                         headers={**bearer(hospital_token(client, hospital)),
                                  "Accept": "application/fhir+json"})
    assert answer.status_code in (400, 422) and answer.mimetype == "application/problem+json"
