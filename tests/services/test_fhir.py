"""services.fhir as plain values: a hospital's Bundle in, record candidates out. No app.
The Synthea exports, the record categories, and the parser's purity."""
import copy
import json
import subprocess
import sys
import time
from datetime import timezone
from pathlib import Path

import fhir.resources.R4B.fhirtypes as r4b_types
import pytest

from consent.vocabulary import CATEGORIES as RECORD_CATEGORIES
from services.fhir import (NATIONAL_ID_SYSTEM, STORED_TYPES, parse_bundle,
                           warm_up)
from services.fhir.resource_types import R4B_TYPES
from tests.samples import SYNTHEA, needs_samples, sample
from tests.services.fhir_builders import MINIMAL, NID, minimal, named, observation, only

NOT_STORED_IN_SAMPLES = {"Claim", "ExplanationOfBenefit", "Organization", "Practitioner",
                         "CarePlan", "Patient"}


# -- The Synthea exports: each sample is read and parsed once for the module ----------------

@pytest.fixture(scope="module")
def warm_up_seconds():
    """Load the R4B models first, as start-up would, so the samples' times are parse times."""
    started = time.perf_counter()
    warm_up()
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def samples(warm_up_seconds):
    """name -> (body with the national ID added, a copy of it, ParsedBundle, seconds)."""
    if SYNTHEA is None:
        pytest.skip("PHR_FHIR_SAMPLES is unset (tests/samples.py)")
    found = {}
    for path in sorted(SYNTHEA.glob("*.json")):
        body = json.loads(path.read_text())
        for item in body["entry"]:
            if item["resource"]["resourceType"] == "Patient":
                item["resource"]["identifier"].append({"system": NATIONAL_ID_SYSTEM, "value": NID})
        sent = copy.deepcopy(body)
        started = time.perf_counter()
        parsed = parse_bundle(body, max_entries=200, max_attachment_bytes=1 << 20)
        found[path.name.split("_")[0]] = (body, sent, parsed, time.perf_counter() - started)
    return found


SAMPLE_NAMES = ["Buster", "Clemente", "Liz"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_synthea_export_is_taken_with_every_record_ok_and_nothing_invalid(samples, name):
    body, sent, parsed, _ = samples[name]
    assert parsed.bundle_type == "transaction"
    assert len(parsed.candidates) == len(body["entry"])
    assert [c.status for c in parsed.candidates if c.status == "invalid"] == []
    for candidate, item in zip(parsed.candidates, body["entry"]):
        resource = item["resource"]
        assert candidate.resource is resource and candidate.full_url == item["fullUrl"]
        if resource["resourceType"] in STORED_TYPES:
            assert candidate.status == "ok", candidate.issues
            assert candidate.national_id == NID and candidate.source_id == resource["id"]
            assert candidate.category and candidate.summary.get("display")
            assert candidate.effective_at.tzinfo is timezone.utc
        else:
            assert resource["resourceType"] in NOT_STORED_IN_SAMPLES
            assert candidate.status == "not_stored" and candidate.issues
    assert body == sent  # parsing never changes what was sent
    assert [p.national_id for p in parsed.patients] == [NID]


def test_synthea_samples_hold_every_kind_the_brief_names(samples):
    kinds = {c.resource_type for _, _, parsed, _ in samples.values() for c in parsed.candidates}
    assert {"Observation", "Condition", "Encounter", "Immunization", "DiagnosticReport",
            "Procedure", "MedicationRequest", "Claim", "ExplanationOfBenefit", "Organization",
            "Practitioner"} <= kinds


def test_synthea_parse_times(samples, warm_up_seconds):
    """Prints the parse time of each sample (pytest -s), after warm_up loaded the models."""
    print(f"\nwarm_up (R4B models of the validated types): {warm_up_seconds:.3f} s")
    for name in SAMPLE_NAMES:
        body, _, _, seconds = samples[name]
        print(f"{name}: {len(body['entry'])} entries parsed in {seconds:.3f} s")
        assert seconds < 5


@needs_samples
def test_synthea_patient_without_the_national_id_leaves_every_record_invalid():
    body = json.loads(sample("Buster").read_text())
    parsed = parse_bundle(body, max_entries=200, max_attachment_bytes=1 << 20)
    records = [c for c in parsed.candidates if c.resource_type in STORED_TYPES]
    assert records and {c.status for c in records} == {"invalid"}
    assert "not named by a national ID" in records[0].issues[0]
    assert parsed.patients == []


# -- Categories -----------------------------------------------------------------------------

OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"


def category(system, code) -> list:
    return [{"coding": [{"system": system, "code": code} if system else {"code": code}]}]


@pytest.mark.parametrize("categories, expected", [
    (category(OBS_CATEGORY, "laboratory"), "lab"),
    (category(OBS_CATEGORY, "vital-signs"), "vitals"),
    (category(OBS_CATEGORY, "imaging"), "imaging"),
    (category(OBS_CATEGORY, "survey"), "observation"),
    (category(None, "laboratory"), "lab"),
    (category("http://example.org/local", "laboratory"), "observation"),
    (None, "observation"),
])
def test_observation_category_maps_to_record_category(categories, expected):
    resource = observation(**({"category": categories} if categories else {}))
    assert only(resource).category == expected


@pytest.mark.parametrize("categories, expected", [
    (category(V2_0074, "RAD"), "imaging"),
    (category(V2_0074, "CT"), "imaging"),
    (category("http://loinc.org", "LP29684-5"), "imaging"),
    (category(None, "RAD"), "imaging"),
    (category(OBS_CATEGORY, "imaging"), "imaging"),
    (category(V2_0074, "LAB"), "lab"),
    (category(V2_0074, "HM"), "lab"),
    (category("http://loinc.org", "LP7839-6"), "lab"),
    (category("http://loinc.org", "LP29708-2"), "report"),
    (category(V2_0074, "EC"), "report"),
    (category(V2_0074, "LAB") + category(V2_0074, "RAD"), "imaging"),
    (None, "report"),
])
def test_diagnostic_report_category_maps_to_record_category(categories, expected):
    resource = {"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
                "code": {"text": "Chest X-ray"}, "subject": named()}
    if categories:
        resource["category"] = categories
    assert only(resource).category == expected


def test_stored_types_are_the_brief_s_and_every_resource_name_is_an_r4b_type():
    assert set(STORED_TYPES) == {*MINIMAL, "Observation", "DiagnosticReport"}
    assert {*STORED_TYPES, "Patient", "Claim", "Organization"} <= R4B_TYPES
    assert [name for name in sorted(R4B_TYPES) if not hasattr(r4b_types, name + "Type")] == []


@pytest.mark.parametrize("resource_type", sorted(MINIMAL))
def test_each_stored_type_maps_to_its_category(resource_type):
    candidate = only(minimal(resource_type))
    assert (candidate.status, candidate.category) == ("ok", MINIMAL[resource_type][1])
    assert candidate.category in RECORD_CATEGORIES
    assert candidate.national_id == NID and candidate.source_id == "x1"
    assert candidate.summary["code"] == "1234" and candidate.summary["display"] == "Thing"


def test_the_parser_runs_without_flask_or_a_database():
    probe = ("import sys, services.fhir; "
             "print(sorted(m for m in ('flask', 'pymongo', 'mongomock', 'api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
