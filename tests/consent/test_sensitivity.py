"""Sensitivity labels from a record's codes."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent import SENSITIVE_LABELS, fhir_codings, sensitive_labels_for
from consent.vocabulary import FHIR_SECURITY_LABELS
from consent.sensitivity import TEXT_SYSTEM
from tests.consent.strategies import PROPERTY

ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_VN = "http://terminology.hl7.org/CodeSystem/icd10"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


@pytest.mark.parametrize("system, code, labels", [
    (ICD10, "F32.1", {"mental-health"}),              # moderate depressive episode
    (ICD10, "F00", {"mental-health"}),
    (ICD10, "F99", {"mental-health"}),
    (ICD10_VN, "F20.0", {"mental-health"}),           # VN Core's ICD-10 system
    (ICD10, "X70", {"mental-health"}),                # intentional self-harm
    (ICD10, "F10.2", {"mental-health", "substance-use"}),  # alcohol dependence
    (ICD10, "F19", {"mental-health", "substance-use"}),
    (ICD10, "Z50.2", {"substance-use"}),              # alcohol rehabilitation
    (ICD10, "B20", {"hiv"}),
    (ICD10, "B24", {"hiv"}),
    (ICD10, "Z21", {"hiv"}),                          # asymptomatic HIV status
    (ICD10, "Z20.6", {"hiv"}),                        # exposure to HIV
    (ICD10, "O98.7", {"hiv", "sexual-reproductive"}),  # HIV complicating pregnancy
    (ICD10, "O80", {"sexual-reproductive"}),          # single spontaneous delivery
    (ICD10, "O9A.1", {"sexual-reproductive"}),        # ICD-10-CM's O9A block
    (ICD10, "Z30.0", {"sexual-reproductive"}),        # contraceptive management
    (ICD10, "Z34", {"sexual-reproductive"}),          # supervision of normal pregnancy
    (ICD10, "A54.0", {"sexual-reproductive"}),        # gonococcal infection
    (ICD10, "N97.9", {"sexual-reproductive"}),        # female infertility
    (ICD10, "Q90.9", {"genetic"}),                    # Down syndrome
    (ICD10, "f32.1", {"mental-health"}),              # lower case, as some exports send it
    (ICD10, " F321 ", {"mental-health"}),             # no dot, stray spaces
    (ICD10, "E11.9", set()),                          # type 2 diabetes
    (ICD10, "J45", set()),                            # asthma
    (ICD10, "B18.1", set()),                          # chronic hepatitis B
    (ICD10, "A49", set()),                            # just below the STI block
    (ICD10, "A65", set()),                            # just above it
    (ICD10, "F", set()),                              # malformed
    (SNOMED, "86406008", {"hiv"}),                    # HIV infection
    (SNOMED, "35489007", {"mental-health"}),          # depressive disorder
    (SNOMED, "38341003", set()),                      # hypertension (the demo diagnosis)
    (LOINC, "7917-8", {"hiv"}),                       # HIV 1 Ab
    (LOINC, "44261-6", {"mental-health"}),            # PHQ-9 total score
    (LOINC, "2106-3", {"sexual-reproductive"}),       # urine pregnancy test
    (LOINC, "51969-4", {"genetic"}),                  # genetic analysis report
    (LOINC, "2345-7", set()),                         # glucose
    (ATC, "J05AR20", {"hiv"}),                        # an HIV combination
    (ATC, "J05AF07", set()),                          # tenofovir alone: hepatitis B too
    (ATC, "N06AB06", {"mental-health"}),              # sertraline
    (ATC, "N07BC02", {"substance-use"}),              # methadone
    (ATC, "G03AA07", {"sexual-reproductive"}),        # a combined oral contraceptive
    (ATC, "C09AA02", set()),                          # enalapril
    (ACT_CODE, "HIV", {"hiv"}),
    (ACT_CODE, "ETH", {"substance-use"}),
    (ACT_CODE, "PSY", {"mental-health"}),
    ("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R", {"restricted"}),
    ("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "N", set()),
    # An unknown (or misspelt) system is read in every vocabulary: a label too many only hides.
    ("http://example.org/local-codes", "F32.1", {"mental-health"}),
    ("http://hl7.org/fhir/sid/icd-10/", "B20", {"hiv"}),
    ("https://HL7.org/fhir/sid/icd-10", "B20", {"hiv"}),
])
def test_sample_codes_carry_their_labels(system, code, labels):
    assert sensitive_labels_for([(system, code)]) == labels


@pytest.mark.parametrize("system", [None, "", "  "])
def test_a_code_without_system_is_read_in_every_vocabulary(system):
    assert sensitive_labels_for([(system, "B20")]) == {"hiv"}
    assert sensitive_labels_for([(system, "7917-8")]) == {"hiv"}
    assert sensitive_labels_for([(system, "E11")]) == set()


def test_a_record_carries_the_labels_of_all_its_codes():
    assert sensitive_labels_for([(ICD10, "E11"), (LOINC, "7917-8"), (ICD10, "F32")]) == {
        "hiv", "mental-health"}


def test_missing_or_blank_codes_carry_nothing():
    assert sensitive_labels_for([(ICD10, None), (ICD10, ""), (ICD10, 42)]) == set()
    assert sensitive_labels_for([]) == frozenset()


def test_every_code_in_a_resource_is_found_wherever_it_sits():
    condition = {
        "resourceType": "Condition",
        "meta": {"security": [{"system": ACT_CODE, "code": "PSY"}]},
        "code": {"coding": [{"system": SNOMED, "code": "38341003"}], "text": "hypertension"},
        "category": [{"coding": [{"code": "problem-list-item"}]}],
        "evidence": [{"code": [{"coding": [{"system": ICD10, "code": "B20"}]}]}],
        "contained": [{"resourceType": "Observation",
                       "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "2106-3"}]}}],
    }
    found = fhir_codings(condition)
    assert sorted(found, key=str) == sorted([
        (ACT_CODE, "PSY"), (SNOMED, "38341003"), (None, "problem-list-item"), (ICD10, "B20"),
        (LOINC, "2106-3"), (TEXT_SYSTEM, "hypertension")], key=str)
    assert sensitive_labels_for(found) == {"mental-health", "hiv", "sexual-reproductive"}


def test_the_words_of_displays_and_concept_texts_are_read_for_names_of_conditions():
    """A hospital's local code, or a LOINC test the tables miss, still names HIV in words."""
    observation = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "https://lab.example.vn/codes", "code": "XN-0042",
                             "display": "Xét nghiệm HIV nhanh"}]},
        "valueCodeableConcept": {"text": "Human immunodeficiency virus: non-reactive"},
        "note": [{"text": "HIV counselling offered", "authorString": "Dr. B"}],  # not a concept
    }
    found = fhir_codings(observation)
    assert (TEXT_SYSTEM, "Xét nghiệm HIV nhanh") in found
    assert (TEXT_SYSTEM, "Human immunodeficiency virus: non-reactive") in found
    assert (TEXT_SYSTEM, "HIV counselling offered") not in found
    assert sensitive_labels_for([(TEXT_SYSTEM, "Xét nghiệm HIV nhanh")]) == {"hiv"}
    assert sensitive_labels_for([(TEXT_SYSTEM, "human immuno-deficiency virus")]) == {"hiv"}


@pytest.mark.parametrize("words", ["HIV1 RNA # SerPl NAA+probe", "HIV1+2 Ab SerPl Ql", "HIV-2 Ab",
                                   "ADN VIH-1, PCR", "hiv"])
def test_the_ways_labs_write_hiv_are_read(words):
    assert sensitive_labels_for([(TEXT_SYSTEM, words)]) == {"hiv"}


@pytest.mark.parametrize("words", ["Archive result", "Shivering", "hypertension", "AIDS to daily"
                                   " living", "Vitamin D", "Hives", "Chivalry"])
def test_words_that_only_contain_the_letters_name_nothing(words):
    assert sensitive_labels_for([(TEXT_SYSTEM, words)]) == set()


def test_a_deeply_nested_resource_does_not_exhaust_the_stack():
    node = {"system": ICD10, "code": "B20"}
    for _ in range(5000):
        node = {"extension": [node]}
    assert sensitive_labels_for(fhir_codings(node)) == {"hiv"}


def test_every_label_has_a_fhir_security_label_to_export_as():
    assert set(FHIR_SECURITY_LABELS) == SENSITIVE_LABELS


@PROPERTY
@given(st.lists(st.tuples(st.none() | st.text(max_size=30), st.text(max_size=12)), max_size=8))
def test_labels_are_always_known_ones_and_never_raise(codes):
    assert sensitive_labels_for(codes) <= SENSITIVE_LABELS
