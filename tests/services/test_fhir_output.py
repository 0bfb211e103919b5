"""services.fhir: clinical times, list-view summaries, and the FHIR resources we answer with."""
import json
from datetime import datetime, timezone

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from services.fhir import (STORED_TYPES, ExportedRecord, collection_bundle, operation_outcome,
                           response_bundle)
from services.fhir.dates import to_utc
from tests import fhir_links
from tests.samples import needs_samples, sample
from tests.services.fhir_builders import minimal, observation, only, utc



# -- Times -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2024", utc(2024, 1, 1)),
    ("2024-03", utc(2024, 3, 1)),
    ("2024-03-15", utc(2024, 3, 15)),
    ("2024-03-15T10:30:00+07:00", utc(2024, 3, 15, 3, 30)),
    ("2024-03-15T10:30:00Z", utc(2024, 3, 15, 10, 30)),
    ("2024-03-15T23:30:00.123456789-05:00", utc(2024, 3, 16, 4, 30, 0, 123456)),
    ("2016-12-31T23:59:60Z", utc(2017, 1, 1)),
    ("2024-03-15T10:30:00", None),
    ("2024-02-30", None),
    (20240315, None),
])
def test_fhir_times_become_aware_utc(value, expected):
    found = to_utc(value)
    assert found == expected and (found is None or found.tzinfo is timezone.utc)


@pytest.mark.parametrize("resource, effective, issued", [
    (observation(effectivePeriod={"start": "2024-03-15T08:00:00+07:00"},
                 issued="2024-03-15T09:00:00+07:00"), utc(2024, 3, 15, 1), utc(2024, 3, 15, 2)),
    (observation(effectiveInstant="2024-03-15T01:00:00Z", meta={
        "lastUpdated": "2024-03-16T00:00:00Z"}), utc(2024, 3, 15, 1), utc(2024, 3, 16)),
    (observation(), None, None),
    (minimal("Condition", onsetDateTime="2024-03-15", recordedDate="2024-03-20"),
     utc(2024, 3, 15), utc(2024, 3, 20)),
    (minimal("Condition", onsetPeriod={"start": "2024-03"}), utc(2024, 3, 1), None),
    (minimal("Condition", recordedDate="2024-03-20T10:00:00+07:00"), utc(2024, 3, 20, 3),
     utc(2024, 3, 20, 3)),
    (minimal("MedicationRequest", authoredOn="2024-03-15"), utc(2024, 3, 15), utc(2024, 3, 15)),
    (minimal("MedicationStatement", effectivePeriod={"start": "2024-01-01"},
             dateAsserted="2024-02-01"), utc(2024, 1, 1), utc(2024, 2, 1)),
    (minimal("Procedure", performedPeriod={"start": "2024-03-15T10:00:00Z",
                                           "end": "2024-03-15T11:00:00Z"}), utc(2024, 3, 15, 10), None),
    (minimal("Procedure", performedDateTime="2024-03-15"), utc(2024, 3, 15), None),
    (minimal("Encounter", period={"start": "2024-03-15T10:00:00+07:00"}), utc(2024, 3, 15, 3), None),
    (minimal("Immunization", recorded="2024-03-02"), utc(2024, 3, 1), utc(2024, 3, 2)),
    (minimal("AllergyIntolerance", onsetDateTime="2010", recordedDate="2024-03-02"),
     utc(2010, 1, 1), utc(2024, 3, 2)),
    (minimal("DocumentReference", date="2024-03-15T10:00:00+07:00"), utc(2024, 3, 15, 3),
     utc(2024, 3, 15, 3)),
    (minimal("DocumentReference", context={"period": {"start": "2024-03-14"}},
             date="2024-03-15T10:00:00Z"), utc(2024, 3, 14), utc(2024, 3, 15, 10)),
])
def test_clinical_and_issued_times_per_type(resource, effective, issued):
    candidate = only(resource)
    assert candidate.status == "ok", candidate.issues
    assert (candidate.effective_at, candidate.issued_at) == (effective, issued)


# -- Summaries -------------------------------------------------------------------------------

def test_summary_of_a_measurement_and_a_panel():
    value = only(observation(valueQuantity={"value": 13.5, "unit": "g/dL"})).summary
    assert value == {"code": "718-7", "display": "Hemoglobin", "value": "13.5", "unit": "g/dL",
                     "status": "final"}
    part = {"code": {"coding": [{"code": "8480-6", "display": "Systolic"}]},
            "valueQuantity": {"value": 120, "code": "mm[Hg]"}}
    panel = only(observation(component=[part])).summary
    assert panel["components"] == [{"code": "8480-6", "display": "Systolic", "value": "120",
                                    "unit": "mm[Hg]"}]
    coded = only(observation(valueCodeableConcept={"text": "Never smoker"})).summary
    assert coded["value"] == "Never smoker"
    long_text = only(observation(valueString="x" * 5000)).summary["value"]
    assert len(long_text) == 200


def test_summary_reads_clinical_status_and_medication_names():
    condition = minimal("Condition", clinicalStatus={"coding": [{"code": "active"}]})
    assert only(condition).summary["status"] == "active"
    by_reference = minimal("MedicationRequest", medicationReference={"display": "Paracetamol 500 mg"})
    del by_reference["medicationCodeableConcept"]
    assert only(by_reference).summary == {"display": "Paracetamol 500 mg", "status": "active"}


# -- What we answer with ----------------------------------------------------------------------

def test_operation_outcome_shape():
    outcome = operation_outcome(["Observation.status: required", "second"])
    assert outcome == {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid", "diagnostics": "Observation.status: required"},
        {"severity": "error", "code": "invalid", "diagnostics": "second"}]}
    informational = operation_outcome([], severity="information", code="informational")
    assert informational["issue"] == [{"severity": "information", "code": "informational"}]
    for resource in (outcome, informational):
        OperationOutcome.model_validate(resource)


@pytest.mark.parametrize("kind, answer", [("batch", "batch-response"),
                                          ("transaction", "transaction-response")])
def test_response_bundle_shape(kind, answer):
    entries = [{"status": "201 Created", "location": "Observation/abc/_history/1",
                "lastModified": datetime(2024, 3, 15, 10, tzinfo=timezone.utc),
                "outcome": operation_outcome(["stored"], "information", "informational")},
               {"status": "200 OK", "outcome": operation_outcome(
                   ["Claim is not stored"], "information", "informational")},
               {"status": "400 Bad Request", "outcome": operation_outcome(["bad"])}]
    bundle = response_bundle(kind, entries)
    assert bundle["type"] == answer and len(bundle["entry"]) == 3
    assert bundle["entry"][0]["response"]["lastModified"] == "2024-03-15T10:00:00.000Z"
    assert bundle["entry"][2] == {"response": {"status": "400 Bad Request",
                                               "outcome": operation_outcome(["bad"])}}
    Bundle.model_validate(bundle)


def test_response_bundle_refuses_what_it_cannot_answer():
    with pytest.raises(ValueError):
        response_bundle("collection", [])
    with pytest.raises(ValueError):
        response_bundle("batch", [{"status": "200 OK", "Location": "x"}])
    assert "entry" not in response_bundle("batch", [])


@needs_samples
def test_collection_bundle_shape():
    resources = [item["resource"] for item in json.loads(sample("Liz").read_text())["entry"]]
    person = next(r for r in resources if r["resourceType"] == "Patient")
    records = [ExportedRecord(f"rec_{i}", ("hosp_1", None), r)
               for i, r in enumerate(resources) if r["resourceType"] in STORED_TYPES]
    bundle = collection_bundle("pat_1", person, records, timestamp=utc(2026, 11, 25, 9))
    assert bundle["type"] == "collection" and bundle["timestamp"] == "2026-11-25T09:00:00.000Z"
    exported = [e["resource"] for e in bundle["entry"]]
    assert [(r["resourceType"], r["id"]) for r in exported[1:]] == [
        (r.resource["resourceType"], r.resource["id"]) for r in records]
    assert exported[0]["name"] == person["name"]
    Bundle.model_validate(bundle)
    assert fhir_links.invalid_ids(bundle) == [] and fhir_links.unresolved(bundle) == []
