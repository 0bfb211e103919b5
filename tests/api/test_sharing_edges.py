"""Shared reads at their edges (from mutation testing): what a caregiver hears about a patient id
that names nobody, and under which consent a page of shared records is logged and told."""
import pytest

from tests import factories
from tests.api.test_consents import grant
from tests.factories import bundle, diagnosis, lab_result, owner_id, person, push, shared_records
from tests.factories import current_ctx

HIV_CODE = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}


def consents_logged(app, carer_id):
    """The consents the trail names for the caregiver's reads, in order."""
    with app.app_context():
        return [e.get("consent_id") for e in current_ctx().db.audit_log.find(
            {"action": "records.list", "actor.id": carer_id}).sort("seq", 1)]


def consents_told(client, patient):
    return sorted(n["data"]["consent_id"] for n in
                  client.get("/v1/me/notifications", headers=patient.auth).json["items"]
                  if n["kind"] == "first_access_under_consent")


def test_a_caregiver_hears_the_same_403_for_a_patient_id_that_names_nobody(client, hospital,
                                                                           patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    nothing_shared = shared_records(client, carer, owner_id(client, patient))
    for nobody in ("pat_doesnotexist0000", "not-a-patient-id"):
        unknown = shared_records(client, carer, nobody)
        assert unknown.status_code == nothing_shared.status_code == 403
        assert unknown.json == nothing_shared.json


@pytest.fixture
def carer_with_two_consents(client, hospital, patient, clock):
    """The patient shares diagnoses under one consent and lab results under another; two
    diagnoses are newer than the lab result."""
    carer = factories.signed_in_patient(client, hospital, clock)
    dx = grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving").json["id"]
    lab = grant(client, patient, person(carer), ["lab"], purpose="caregiving").json["id"]
    return carer, dx, lab


def test_a_page_is_logged_and_told_under_the_consents_of_the_records_it_shows(
        app, client, hospital, patient, carer_with_two_consents):
    carer, dx, lab = carer_with_two_consents
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-06-03"),
                                  diagnosis(patient.national_id, "dx-b", when="2026-06-02"),
                                  lab_result(patient.national_id, when="2026-01-01T08:00:00Z")))
    patient_id, carer_id = owner_id(client, patient), owner_id(client, carer)
    first = shared_records(client, carer, patient_id, limit=2).json
    assert [r["resource"]["id"] for r in first["items"]] == ["dx-a", "dx-b"]
    assert consents_logged(app, carer_id) == [dx]
    assert consents_told(client, patient) == [dx]
    second = shared_records(client, carer, patient_id, limit=2, cursor=first["next_cursor"]).json
    assert [r["resource"]["id"] for r in second["items"]] == ["lab-1"]
    assert second["next_cursor"] is None
    assert consents_logged(app, carer_id) == [dx, lab]
    assert consents_told(client, patient) == sorted([dx, lab])


# A defect found by mutation testing, fixed (docs/mutation.md, "Defects found").
def test_a_page_filled_past_a_hidden_record_names_only_the_consents_of_what_it_shows(
        app, client, hospital, patient, carer_with_two_consents):
    carer, dx, lab = carer_with_two_consents
    hidden = diagnosis(patient.national_id, "dx-hidden", when="2026-06-02")
    hidden["code"] = HIV_CODE
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-06-03"),
                                  hidden,
                                  diagnosis(patient.national_id, "dx-b", when="2026-06-01"),
                                  lab_result(patient.national_id, when="2026-01-01T08:00:00Z")))
    page = shared_records(client, carer, owner_id(client, patient), limit=2).json
    assert [r["resource"]["id"] for r in page["items"]] == ["dx-a", "dx-b"]
    assert consents_logged(app, owner_id(client, carer)) == [dx]
    assert consents_told(client, patient) == [dx]


def test_listing_who_shared_with_me_is_on_each_sharers_access_log(client, hospital, patient,
                                                                  clock):
    """shared-with-me answers each sharing patient's name: a read of their data."""
    carer = factories.signed_in_patient(client, hospital, clock)
    granted = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": factories.person(carer), "categories": ["lab"], "purpose": "caregiving"})
    assert [p["patient_id"] for p in client.get("/v1/me/shared-with-me",
                                               headers=carer.auth).json] == [
        factories.owner_id(client, patient)]
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    [entry] = [e for e in log if e["action"] == "profile.read" and e["actor"]["type"] == "patient"
               and e["consent_id"] is not None]
    assert entry["consent_id"] == granted.json["id"]
