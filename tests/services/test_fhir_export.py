"""services.fhir.export: the patient's collection Bundle, linked inside itself, from plain values.
The HTTP side (what a registered patient downloads) is tests/api/test_export_bundle.py."""
import copy

from fhir.resources.R4B.bundle import Bundle

from services.fhir import ExportedRecord, collection_bundle, export_id
from tests import fhir_links
from tests.services.fhir_builders import NID, minimal, named, observation

HOSPITAL = ("hosp_1", None)
PERSON = {"resourceType": "Patient", "identifier": [named()["identifier"]]}


def report(rid: str, *references: str) -> dict:
    return {"resourceType": "DiagnosticReport", "id": rid, "status": "final",
            "code": {"text": "Panel"}, "subject": named(),
            "result": [{"reference": reference} for reference in references]}


def exported(*resources, author=HOSPITAL) -> dict:
    records = [ExportedRecord(f"rec_{i}", author, r) for i, r in enumerate(resources)]
    bundle = collection_bundle("pat_1", PERSON, records)
    Bundle.model_validate(bundle)
    assert fhir_links.invalid_ids(bundle) == [] and fhir_links.unresolved(bundle) == []
    return bundle


def record(bundle: dict, index: int = 0) -> dict:
    return bundle["entry"][index + 1]["resource"]


def me(bundle: dict) -> str:
    return bundle["entry"][0]["fullUrl"]


def test_export_id_keeps_a_valid_id_and_makes_a_stable_valid_one_of_any_other():
    assert export_id("lab-1.v2") == "lab-1.v2"
    made = [export_id(value) for value in ("obs_x1Lw-9", "obs-x1Lw_9", "a" * 65)]
    assert all(fhir_links.FHIR_ID.fullmatch(m) for m in made) and len(set(made)) == 3
    assert made[0] == export_id("obs_x1Lw-9")


def test_the_patients_id_is_made_from_our_patient_id_never_from_what_the_resource_says():
    bundle = exported(observation())
    patient = bundle["entry"][0]["resource"]
    assert patient["id"] == me(bundle).removeprefix("urn:uuid:") and NID not in patient["id"]
    claiming = collection_bundle("pat_1", {**PERSON, "id": NID}, [])
    assert claiming["entry"][0]["resource"]["id"] == patient["id"]
    assert collection_bundle("pat_2", PERSON, [])["entry"][0]["resource"]["id"] != patient["id"]


def test_a_contained_patient_gives_way_to_the_exports_patient():
    contained = {"resourceType": "Patient", "id": "p", "identifier": [named()["identifier"]]}
    resource = observation(subject={"reference": "#p"}, contained=[contained])
    result = record(exported(resource))
    assert result["subject"] == {"reference": me(exported(resource))}
    assert "contained" not in result  # no empty array, no contained resource nothing refers to


def test_contained_ids_that_are_no_fhir_ids_are_made_valid_with_their_references():
    long_id = "m" * 70
    medication = {"resourceType": "Medication", "id": long_id, "code": {"text": "Metformin"}}
    resource = minimal("MedicationRequest", medicationReference={"reference": f"#{long_id}"},
                       contained=[medication])
    del resource["medicationCodeableConcept"]
    result = record(exported(resource))
    assert result["contained"][0]["id"] == export_id(long_id) != long_id
    assert result["medicationReference"] == {"reference": f"#{export_id(long_id)}"}


def test_a_contained_resource_may_refer_to_the_one_containing_it():
    provenance = {"resourceType": "Provenance", "id": "prov", "target": [{"reference": "#"}],
                  "recorded": "2026-01-01T00:00:00Z", "agent": [{"who": {"display": "Lab"}}]}
    resource = observation(contained=[provenance],
                           derivedFrom=[{"reference": "#prov"}, {"reference": "#gone"}])
    result = record(exported(resource))
    assert result["contained"][0]["target"] == [{"reference": "#"}]
    assert result["derivedFrom"] == [{"reference": "#prov"}, {"display": "#gone"}]


def test_an_authors_own_ids_link_its_records_also_pinned_to_a_version():
    lab = observation("lab-1")
    references = ("Observation/lab-1", "Observation/lab-1/_history/3", "urn:uuid:lab-1")
    reports = [report(f"r{i}", reference) for i, reference in enumerate(references)]
    bundle = exported(lab, *reports)
    assert {record(bundle, i)["result"][0]["reference"] for i in (1, 2, 3)} == {
        bundle["entry"][1]["fullUrl"]}


def test_another_authors_id_is_not_linked():
    lab = ExportedRecord("rec_lab", ("hosp_2", None), observation("lab-1"))
    theirs = ExportedRecord("rec_rep", HOSPITAL, report("r1", "Observation/lab-1"))
    bundle = collection_bundle("pat_1", PERSON, [lab, theirs])
    assert record(bundle, 1)["result"] == [{"display": "Observation/lab-1"}]


def test_a_urn_uuid_two_records_of_one_author_answer_links_neither():
    same = [observation("u-1"), minimal("Encounter", "u-1")]
    bundle = exported(*same, report("r1", "urn:uuid:u-1", "Observation/u-1"))
    assert record(bundle, 2)["result"] == [{"display": "urn:uuid:u-1"},
                                           {"reference": bundle["entry"][1]["fullUrl"]}]


def test_an_unresolved_reference_keeps_its_identifier_and_display_and_nothing_made_up():
    organization = {"system": "http://hospital.example/org", "value": "org-7"}
    resource = observation(performer=[
        {"reference": "Organization/org-7", "identifier": organization},
        {"reference": "https://h.example/fhir/Practitioner/9", "display": "BS. An"}])
    assert record(exported(resource))["performer"] == [{"identifier": organization},
                                                       {"display": "BS. An"}]


def test_the_records_given_are_not_changed():
    resource = observation("obs_old", subject={"reference": "Patient/pat_1"},
                           performer=[{"reference": "Practitioner/1"}])
    kept = copy.deepcopy(resource)
    result = record(exported(resource, author=(None, "pat_1")))
    assert resource == kept and result["id"] == export_id("obs_old")
