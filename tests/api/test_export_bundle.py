"""GET /v1/me/export is a FHIR R4 Bundle that stands on its own (issue 17): it validates with the
R4B models, every id is a valid FHIR id (the patient's own measurements too, also those stored
with the ids of before), the Patient has an id, and every reference resolves to an entry."""
import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from security.codes import opaque_id
from services.records import measurements
from tests import factories, fhir_links, samples
from tests.factories import (bundle, bundle_with_patient_entry, diagnosis, lab_result, push,
                             subject, visit_id)
from tests.samples import needs_samples

PATIENT_ENTRY = "urn:uuid:7f1c0f4e-0000-4000-8000-000000000017"


def report(national_id: str, report_id: str = "rep-1", result: str = "Observation/lab-1") -> dict:
    return {"resourceType": "DiagnosticReport", "id": report_id, "status": "final",
            "code": {"text": "Glucose panel"}, "subject": subject(national_id),
            "result": [{"reference": result}],
            "performer": [{"reference": "Practitioner/dr-7", "display": "BS. Trần Văn An"}]}


def immunization(national_id: str) -> dict:
    return {"resourceType": "Immunization", "id": "imm-1", "status": "completed",
            "vaccineCode": {"text": "Viêm gan B"}, "patient": subject(national_id),
            "occurrenceDateTime": "2026-08-01"}


def add_measurement(client, patient) -> str:
    added = client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "weight", "measured_at": "2026-11-20T07:30:00+07:00", "value": 61.5,
        "unit": "kg"})
    assert added.status_code == 201, added.json
    return added.json["id"]


def export(client, account) -> dict:
    response = client.get("/v1/me/export", headers=account.auth)
    assert response.status_code == 200, response.json
    return response.json


def of_type(exported: dict, resource_type: str) -> list[dict]:
    return [r for r in fhir_links.resources(exported) if r["resourceType"] == resource_type]


def patient_url(exported: dict) -> str:
    [entry] = [e for e in exported["entry"] if e["resource"]["resourceType"] == "Patient"]
    return entry["fullUrl"]


@pytest.fixture
def full_history(client, hospital, patient):
    """Hospital records of several kinds, named by identifier and by a Patient entry of the
    push, one referencing another by the hospital's own id; and a measurement."""
    lab = lab_result(patient.national_id)
    lab["encounter"] = {"reference": f"Encounter/{visit_id(patient.national_id)}"}
    lab["performer"] = [{"reference": "Practitioner/dr-7"}]
    assert push(client, hospital, bundle_with_patient_entry(
        lab, patient.national_id, PATIENT_ENTRY)).status_code == 200
    assert push(client, hospital, bundle(
        diagnosis(patient.national_id), report(patient.national_id),
        immunization(patient.national_id))).status_code == 200
    add_measurement(client, patient)
    return patient


def test_the_export_validates_as_an_r4_bundle_with_valid_ids_and_resolving_references(
        client, full_history):
    exported = export(client, full_history)
    Bundle.model_validate(exported)
    kinds = sorted(r["resourceType"] for r in fhir_links.resources(exported))
    assert kinds == ["Condition", "DiagnosticReport", "Encounter", "Immunization",
                     "Observation", "Observation", "Patient"]
    assert fhir_links.invalid_ids(exported) == []
    [person] = of_type(exported, "Patient")
    assert fhir_links.FHIR_ID.fullmatch(person["id"])
    assert len(fhir_links.references(exported)) >= 9  # a subject on each, result, performers
    assert fhir_links.unresolved(exported) == []
    assert len({e["fullUrl"] for e in exported["entry"]}) == len(exported["entry"])


def test_every_record_names_the_exports_patient_however_its_author_named_them(client,
                                                                             full_history):
    exported = export(client, full_history)
    me = patient_url(exported)
    records = [r for r in fhir_links.resources(exported) if r["resourceType"] != "Patient"]
    assert [r.get("subject", r.get("patient"))["reference"] for r in records] == [me] * 6
    [measurement] = [r for r in of_type(exported, "Observation") if "meta" in r]
    assert measurement["performer"] == [{"reference": me}]  # the patient measured it


def test_references_by_the_hospitals_own_ids_link_its_records_and_the_rest_keep_their_display(
        client, full_history):
    exported = export(client, full_history)
    [rep] = of_type(exported, "DiagnosticReport")
    lab = fhir_links.entry_of(exported, rep["result"][0]["reference"])
    assert (lab["id"], lab["valueQuantity"]["value"]) == ("lab-1", 5.4)
    assert fhir_links.entry_of(exported, lab["encounter"]["reference"])["resourceType"] == (
        "Encounter")
    # The hospital's Practitioners are not stored: the text stays, the dangling link goes.
    assert rep["performer"] == [{"display": "BS. Trần Văn An"}]
    assert lab["performer"] == [{"display": "Practitioner/dr-7"}]


def test_no_id_or_full_url_carries_the_national_id(client, full_history):
    exported = export(client, full_history)
    names = [*fhir_links.resource_ids(exported), *(e["fullUrl"] for e in exported["entry"])]
    assert not [n for n in names if full_history.national_id in n]
    [person] = of_type(exported, "Patient")
    assert person["identifier"] == [{"system": factories.NATIONAL_ID_SYSTEM,
                                     "value": full_history.national_id}]


def test_the_same_record_has_the_same_ids_in_every_export(client, hospital, full_history):
    first = export(client, full_history)
    push(client, hospital, bundle(lab_result(full_history.national_id, "lab-2")))
    second = export(client, full_history)
    assert first["entry"][0] == second["entry"][0]  # the Patient
    urls = {e["fullUrl"]: e["resource"]["id"] for e in second["entry"]}
    assert {e["fullUrl"]: e["resource"]["id"] for e in first["entry"]}.items() <= urls.items()


def test_new_measurements_are_stored_with_a_valid_fhir_id(client, patient):
    record_id = add_measurement(client, patient)
    stored = client.get(f"/v1/me/records/{record_id}", headers=patient.auth).json["resource"]
    assert fhir_links.FHIR_ID.fullmatch(stored["id"]) and stored["id"].startswith("obs-")


def test_measurements_stored_with_the_ids_of_before_export_with_a_stable_valid_id(
        client, patient, monkeypatch):
    monkeypatch.setattr(measurements, "resource_id", opaque_id)  # the ids of before issue 17
    record_id = add_measurement(client, patient)
    stored = client.get(f"/v1/me/records/{record_id}", headers=patient.auth).json["resource"]
    assert stored["id"].startswith("obs_")  # what the app shows stays as stored
    exports = [export(client, patient) for _ in range(2)]
    ids = [[r["id"] for r in of_type(e, "Observation")] for e in exports]
    assert ids[0] == ids[1] and len(ids[0]) == 1
    assert fhir_links.FHIR_ID.fullmatch(ids[0][0])
    Bundle.model_validate(exports[0])


def test_two_hospitals_using_the_same_ids_each_link_their_own_records(client, app, hospital,
                                                                      patient):
    with app.app_context():
        other = factories.create_hospital("Other Hospital")
    for sender, value in ((hospital, 5.4), (other, 9.9)):
        assert push(client, sender, bundle(lab_result(patient.national_id, value=value),
                                           report(patient.national_id))).status_code == 200
    exported = export(client, patient)
    assert fhir_links.unresolved(exported) == []
    values = sorted(fhir_links.entry_of(exported, r["result"][0]["reference"])
                    ["valueQuantity"]["value"] for r in of_type(exported, "DiagnosticReport"))
    assert values == [5.4, 9.9]


@needs_samples
@pytest.mark.parametrize("sample", samples.sample_names())
def test_a_real_hospital_export_comes_back_linked(client, hospital, patient, sample):
    body = json.loads((samples.SYNTHEA / sample).read_text())
    person = next(e["resource"] for e in body["entry"]
                  if e["resource"]["resourceType"] == "Patient")
    person.setdefault("identifier", []).append(
        {"system": factories.NATIONAL_ID_SYSTEM, "value": patient.national_id})
    assert push(client, hospital, body).status_code == 200
    exported = export(client, patient)
    Bundle.model_validate(exported)
    assert fhir_links.invalid_ids(exported) == [] and fhir_links.unresolved(exported) == []
    # Synthea names entries urn:uuid:<id>: a report's results and a record's visit stay linked.
    linked = [r for r in fhir_links.references(exported) if r != patient_url(exported)]
    sent = sum(1 for e in body["entry"] if e["resource"]["resourceType"] in (
        "Observation", "DiagnosticReport", "Procedure", "Condition", "Immunization",
        "MedicationRequest") and "encounter" in e["resource"])
    assert len(linked) >= sent > 0
