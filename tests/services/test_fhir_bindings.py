"""The required value-set bindings of FHIR R4, checked without an app: the committed data file
(services/fhir/required_bindings.json) and binding_issues, alone and inside parse_bundle."""
import json
import os
from pathlib import Path

import pytest

from services.fhir import STORED_TYPES
from services.fhir.bindings import DATA_FILE, Binding, binding_issues, bindings_of, issues_for
from services.fhir.validation import validation_issues
from tests.services.fhir_builders import minimal, observation, only

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
EVERY_BINDING = [(t, b) for t in sorted(STORED_TYPES) for b in bindings_of(t)]


def condition(**fields) -> dict:
    return minimal("Condition", **fields)


def clinical(*codings) -> dict:
    return {"coding": [{"system": s, "code": c} for s, c in codings]}


# -- The data file ----------------------------------------------------------------------------

def test_the_data_file_names_its_source_first():
    assert next(iter(DATA)) == "source"
    assert DATA["source"]["package"] == "hl7.fhir.r4.core"
    assert DATA["source"]["version"] == "4.0.1"
    assert DATA["source"]["package_url"] == "https://packages.fhir.org/hl7.fhir.r4.core/4.0.1"
    assert "tests.fhir_bindings_build" in DATA["source"]["regenerate"]


def test_the_data_file_covers_every_stored_type_and_its_required_bindings():
    assert set(DATA["bindings"]) == set(STORED_TYPES)
    paths = {b.path for _, b in EVERY_BINDING}
    assert {"Observation.status", "Condition.clinicalStatus", "Condition.verificationStatus",
            "Encounter.status", "Encounter.statusHistory.status", "MedicationRequest.status",
            "MedicationRequest.intent", "Immunization.status", "DiagnosticReport.status",
            "Procedure.status", "MedicationStatement.status", "DocumentReference.status",
            "AllergyIntolerance.clinicalStatus", "AllergyIntolerance.verificationStatus",
            "AllergyIntolerance.category"} <= paths
    # Bindings that are not required (Observation.category is extensible) stay out.
    assert not {"Observation.category", "Observation.interpretation", "Encounter.class",
                "Condition.severity"} & paths
    assert all(b.codes and all(b.codes.values()) for _, b in EVERY_BINDING)


def test_the_value_sets_hold_the_r4_codes():
    assert bindings_of("Observation")[0].codes == {"http://hl7.org/fhir/observation-status": {
        "registered", "preliminary", "final", "amended", "corrected", "cancelled",
        "entered-in-error", "unknown"}}
    # Immunization.status takes three codes of event-status, not the whole code system.
    [immunization] = bindings_of("Immunization")
    assert immunization.codes == {"http://hl7.org/fhir/event-status": {
        "completed", "entered-in-error", "not-done"}}


@pytest.mark.skipif(not os.environ.get("PHR_FHIR_R4_CORE"),
                    reason="PHR_FHIR_R4_CORE names no hl7.fhir.r4.core 4.0.1 package")
def test_the_data_file_is_what_the_generator_makes_from_the_package():
    from tests import fhir_bindings_build as build
    made = build.render(build.build(Path(os.environ["PHR_FHIR_R4_CORE"]), STORED_TYPES))
    assert made == DATA_FILE.read_text(encoding="utf-8")


# -- Plain codes ------------------------------------------------------------------------------

@pytest.mark.parametrize("resource_type, binding", EVERY_BINDING,
                         ids=[b.path for _, b in EVERY_BINDING])
def test_every_code_of_a_bound_value_set_is_taken_and_another_is_not(resource_type, binding):
    kind = binding.types[0]
    for system, codes in binding.codes.items():
        for code in codes:
            assert issues_for(_carrying(binding, _coded(kind, system, code)), binding) == []
    system = next(iter(binding.codes))
    [issue] = issues_for(_carrying(binding, _coded(kind, system, "not-a-code")), binding)
    resource, *steps, last = binding.path.split(".")
    assert issue.startswith(".".join([resource, *(f"{s}[0]" for s in steps), last]))
    assert resource == resource_type and binding.value_set in issue


def _coded(kind: str, system: str, code: str):
    return {"code": code, "CodeableConcept": {"coding": [{"system": system, "code": code}]},
            "Coding": {"system": system, "code": code}}[kind]


def _carrying(binding: Binding, value) -> dict:
    """A resource holding `value` at the binding's path (in a one-item list at each step)."""
    resource_type, *steps, last = binding.path.split(".")
    node = resource = {"resourceType": resource_type}
    for step in steps:
        node[step] = [{}]
        node = node[step][0]
    node[last] = value
    return resource


def test_an_unknown_observation_status_is_refused_with_the_element_named():
    resource = observation(status="not-a-status")
    assert validation_issues(resource) == [
        "Observation.status: 'not-a-status' is not a code of the required value set "
        "http://hl7.org/fhir/ValueSet/observation-status|4.0.1 (amended | cancelled | corrected"
        " | entered-in-error | final | preliminary | registered | unknown)"]
    candidate = only(resource)
    assert candidate.status == "invalid" and candidate.issues[0].startswith("Observation.status")


def test_codes_in_arrays_and_backbone_elements_are_each_checked():
    allergy = minimal("AllergyIntolerance", category=["food", "pollen", "medication"],
                      reaction=[{"manifestation": [{"text": "rash"}], "severity": "mild"},
                                {"manifestation": [{"text": "rash"}], "severity": "awful"}])
    assert [i.split(":")[0] for i in binding_issues(allergy)] == [
        "AllergyIntolerance.category[1]", "AllergyIntolerance.reaction[1].severity"]


def test_absent_optional_elements_and_other_types_are_not_checked():
    assert binding_issues(minimal("Condition")) == []
    assert binding_issues(minimal("MedicationRequest")) == []  # priority is optional
    assert binding_issues({"resourceType": "Patient", "gender": "not-a-gender"}) == []
    assert binding_issues({"resourceType": "Claim", "status": "whatever"}) == []


def test_bindings_that_are_not_required_accept_any_code():
    resource = observation(category=[{"coding": [{"system": "urn:local", "code": "x"}]}],
                           interpretation=[{"coding": [{"system": "urn:local", "code": "H+"}]}])
    assert validation_issues(resource) == []


def test_the_model_speaks_first():
    """A resource the R4B model refuses is answered with the model's issues alone."""
    issues = validation_issues(observation(status="not-a-status", valueQuantity="five"))
    assert issues and all("valueQuantity" in i for i in issues)


# -- CodeableConcepts -------------------------------------------------------------------------

def test_a_clinical_status_in_its_code_system_is_taken():
    assert binding_issues(condition(clinicalStatus=clinical((CLINICAL, "active")))) == []
    translated = clinical(("urn:local", "A1"), (CLINICAL, "remission"))
    assert binding_issues(condition(clinicalStatus=translated)) == []


def test_a_clinical_status_code_outside_the_value_set_is_refused_even_beside_a_good_one():
    for concept in (clinical((CLINICAL, "cured")),
                    clinical((CLINICAL, "active"), (CLINICAL, "cured"))):
        [issue] = binding_issues(condition(clinicalStatus=concept))
        assert issue.startswith("Condition.clinicalStatus.coding[")
        assert "'cured'" in issue and "condition-clinical|4.0.1" in issue


def test_a_clinical_status_with_no_coding_of_the_value_set_is_refused():
    for concept in (clinical(("urn:local", "active")), {"text": "active"},
                    clinical(("http://hl7.org/fhir/condition-clinical", "active"))):
        [issue] = binding_issues(condition(clinicalStatus=concept))
        assert issue.startswith("Condition.clinicalStatus: no coding from the required value set")


def test_a_coding_without_a_system_is_read_in_the_value_sets_system():
    assert binding_issues(condition(clinicalStatus={"coding": [{"code": "active"}]})) == []
    assert binding_issues(condition(clinicalStatus={"coding": [{"code": "cured"}]})) != []


def test_the_verification_status_is_checked_as_well():
    concept = clinical(("http://terminology.hl7.org/CodeSystem/condition-ver-status", "maybe"))
    [issue] = binding_issues(condition(verificationStatus=concept))
    assert issue.startswith("Condition.verificationStatus.coding[0]: code 'maybe'")


# -- Choice elements and Codings (no stored type binds one as required in R4) ------------------

STATUS = {"urn:s": frozenset({"on", "off"})}


def test_a_choice_element_is_checked_under_each_coded_name():
    binding = Binding("Basic.value[x]", ("code", "Coding", "CodeableConcept", "string"),
                      "urn:vs", STATUS)
    assert issues_for({"valueCode": "on", "valueString": "anything"}, binding) == []
    assert [i.split(":")[0] for i in issues_for(
        {"valueCode": "up", "valueCoding": {"system": "urn:s", "code": "down"},
         "valueCodeableConcept": {"coding": [{"system": "urn:s", "code": "on"}]}},
        binding)] == ["Basic.valueCode", "Basic.valueCoding"]


def test_a_coding_must_be_of_the_value_set():
    binding = Binding("Basic.mode", ("Coding",), "urn:vs", STATUS)
    assert issues_for({"mode": {"system": "urn:s", "code": "on"}}, binding) == []
    assert issues_for({"mode": {"code": "off"}}, binding) == []
    assert issues_for({"mode": {"system": "urn:other", "code": "on"}}, binding) != []
