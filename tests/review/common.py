"""Helpers shared by the review's attack tests (issue 15)."""
from tests import factories
from tests.factories import bundle, push, subject

HIV_CODED = {"resourceType": "Condition", "id": "dx-hiv", "code": {"coding": [
    {"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}, "onsetDateTime": "2026-01-05"}


def hiv_diagnosis(national_id: str) -> dict:
    return {**HIV_CODED, "subject": subject(national_id)}


def staff(app, client, clock, username: str):
    return factories.enroll_totp(client, factories.create_staff(app, username), clock)


def record_consent(client, who, patient_id, grantee, **extra):
    return client.post(f"/v1/staff/patients/{patient_id}/consents", headers=who.auth, json={
        "grantee": grantee, "categories": ["all"], "purpose": "caregiving",
        "sensitive": ["hiv"], "evidence": "Phiếu đồng ý số 12/2026", **extra})


def decide(client, who, item_id, verb="approve"):
    return client.post(f"/v1/staff/approvals/{item_id}/{verb}", headers=who.auth)


def patient_id_of(client, who, national_id) -> str:
    return client.post("/v1/staff/patients/search", headers=who.auth,
                       json={"national_id": national_id}).json[0]["id"]


def record_ids(response) -> list[str]:
    return [item["resource"]["id"] for item in response.json["items"]]


def push_hiv(client, hospital, national_id):
    response = push(client, hospital, bundle(hiv_diagnosis(national_id)))
    assert response.status_code == 200, response.json


def grant(client, patient, grantee, categories, sensitive=()):
    """The patient grants a caregiving consent in the app; its id."""
    response = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": grantee, "categories": categories, "purpose": "caregiving",
        "sensitive": list(sensitive)})
    assert response.status_code == 201, response.json
    return response.json["id"]


def access_log(client, patient) -> list[dict]:
    response = client.get("/v1/me/access-log", headers=patient.auth,
                          query_string={"limit": 100})
    assert response.status_code == 200, response.json
    return response.json["items"]
