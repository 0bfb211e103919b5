"""Sensitivity labels from a record's codes and security labels (words: test_sensitive_text.py)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent import SENSITIVE_LABELS, fhir_codings, labels_of, sensitive_labels_for
from consent.vocabulary import FHIR_SECURITY_LABELS
from consent.sensitivity import TEXT_SYSTEM
from tests.consent.strategies import PROPERTY

ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_VN = "http://terminology.hl7.org/CodeSystem/icd10"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"


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
    (ICD10, "O98.7", {"hiv", "reproductive"}),        # HIV complicating pregnancy
    (ICD10, "F02.4", {"hiv", "mental-health"}),       # dementia in HIV disease
    (ICD10, "Z83.0", {"hiv"}),                        # family history of HIV
    (ICD10, "O80", {"reproductive"}),                 # single spontaneous delivery
    (ICD10, "O9A.1", {"reproductive"}),               # ICD-10-CM's O9A block
    (ICD10, "Z30.0", {"reproductive"}),               # contraceptive management
    (ICD10, "Z34", {"reproductive"}),                 # supervision of normal pregnancy
    (ICD10, "N97.9", {"reproductive"}),               # female infertility
    (ICD10, "N98.1", {"reproductive"}),               # complication of artificial fertilisation
    (ICD10, "Z64.0", {"reproductive"}),               # unwanted pregnancy
    # Termination of pregnancy and its neighbours: O00-O08 pregnancy with abortive outcome.
    (ICD10, "O00.1", {"reproductive"}),               # tubal pregnancy
    (ICD10, "O03.9", {"reproductive"}),               # spontaneous abortion
    (ICD10, "O04", {"reproductive"}),                 # medical abortion
    (ICD10, "O04.9", {"reproductive"}),
    (ICD10, "O05", {"reproductive"}),                 # other abortion
    (ICD10, "O06.4", {"reproductive"}),               # unspecified abortion
    (ICD10, "O07", {"reproductive"}),                 # failed attempted abortion
    (ICD10, "O08.0", {"reproductive"}),               # complication following abortion
    (ICD10_CM, "Z33.2", {"reproductive"}),            # elective termination of pregnancy
    (ICD10, "N96", {"reproductive"}),                 # habitual aborter
    # Infections with a predominantly sexual mode of transmission: A50-A64, now "sti" alone.
    (ICD10, "A50", {"sti"}),                          # congenital syphilis
    (ICD10, "A54.0", {"sti"}),                        # gonococcal infection
    (ICD10, "A56.0", {"sti"}),                        # chlamydial infection
    (ICD10, "A60.0", {"sti"}),                        # anogenital herpes
    (ICD10, "A63.0", {"sti"}),                        # anogenital warts
    (ICD10, "A64", {"sti"}),                          # unspecified STD
    (ICD10, "Z11.3", {"sti"}),                        # STI screening
    (ICD10, "Z20.2", {"sti"}),                        # exposure to an STI
    (ICD10, "O98.1", {"sti", "reproductive"}),        # syphilis complicating pregnancy
    (ICD10, "Z72.5", {"sti", "reproductive"}),        # high-risk sexual behaviour
    (ICD10, "R45.851", {"mental-health"}),            # ICD-10-CM suicidal ideations
    (ICD10, "T14.91", {"mental-health"}),             # ICD-10-CM suicide attempt
    (ICD10, "R78.1", {"substance-use"}),              # opiate drug in blood
    (ICD10, "Z72.2", {"substance-use"}),              # drug use
    (ICD10, "Z31.5", {"genetic", "reproductive"}),    # genetic counselling (Z30-Z39 too)
    (ICD10_CM, "Z15.01", {"genetic"}),                # genetic susceptibility, breast cancer
    (ICD10, "R45.0", set()),                          # nervousness, not R45.851
    (ICD10, "R78.6", set()),                          # steroid in blood
    (ICD10, "Z72.0", set()),                          # tobacco use
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
    (LOINC, "2106-3", {"reproductive"}),              # urine pregnancy test
    (LOINC, "80385-8", {"reproductive"}),             # serum pregnancy test, rapid (VSAC)
    (LOINC, "43304-5", {"sti"}),                      # Chlamydia trachomatis rRNA (VSAC)
    (LOINC, "20507-0", {"sti"}),                      # reagin Ab by RPR (syphilis)
    (LOINC, "24111-7", {"sti"}),                      # Neisseria gonorrhoeae DNA
    (LOINC, "10351-5", {"hiv"}),                      # HIV 1 RNA viral load (VSAC)
    (LOINC, "11083-3", set()),                        # HPV in cervix: left out on purpose
    (SNOMED, "105629000", {"sti"}),                   # chlamydial infection
    (SNOMED, "76272004", {"sti"}),                    # syphilis
    (SNOMED, "57797005", {"reproductive"}),           # termination of pregnancy
    (SNOMED, "17369002", {"reproductive"}),           # miscarriage
    (SNOMED, "287664005", {"reproductive"}),          # bilateral tubal ligation (Synthea)
    (SNOMED, "47505003", {"mental-health"}),          # posttraumatic stress disorder
    (SNOMED, "226034001", {"substance-use"}),         # injecting drug user
    (SNOMED, "41040004", {"genetic"}),                # complete trisomy 21
    (LOINC, "51969-4", {"genetic"}),                  # genetic analysis report
    (LOINC, "2345-7", set()),                         # glucose
    (ATC, "J05AR20", {"hiv"}),                        # an HIV combination
    (ATC, "J05AF07", set()),                          # tenofovir alone: hepatitis B too
    (ATC, "N06AB06", {"mental-health"}),              # sertraline
    (ATC, "N07BC02", {"substance-use"}),              # methadone
    (ATC, "G03AA07", {"reproductive"}),               # a combined oral contraceptive
    (ATC, "G03XB01", {"reproductive"}),               # mifepristone
    (ATC, "G02AD06", {"reproductive"}),               # misoprostol
    (ATC, "N06BA04", {"mental-health"}),              # methylphenidate
    (ATC, "n05ah03", {"mental-health"}),              # olanzapine, lower case
    (ATC, "C09AA02", set()),                          # enalapril
    (ACT_CODE, "HIV", {"hiv"}),
    (ACT_CODE, "ETH", {"substance-use"}),
    (ACT_CODE, "PSY", {"mental-health"}),
    (ACT_CODE, "MH", {"mental-health"}),
    (ACT_CODE, "BH", {"mental-health"}),
    (ACT_CODE, "PSYTHPN", {"mental-health"}),
    (ACT_CODE, "SUD", {"substance-use"}),
    (ACT_CODE, "STD", {"sti"}),
    (ACT_CODE, "SEX", {"reproductive"}),
    (ACT_CODE, "GDIS", {"genetic"}),
    (ACT_CODE, "SDV", {"restricted"}),
    (ACT_CODE, "sex", {"reproductive"}),              # lower case
    (ACT_CODE, "AMB", set()),                         # an encounter class, not a sensitivity
    (CONFIDENTIALITY, "R", {"restricted"}),
    (CONFIDENTIALITY, "V", {"restricted"}),
    (CONFIDENTIALITY, "N", set()),
    (CONFIDENTIALITY, "U", set()),
    # Systems whose codes name no condition: US Core race "2106-3" (White) is no pregnancy test.
    ("urn:oid:2.16.840.1.113883.6.238", "2106-3", set()),
    ("http://unitsofmeasure.org", "mg", set()),
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
    codes = [pair for pair in found if pair[0] != TEXT_SYSTEM]
    assert sorted(codes, key=str) == sorted([
        (ACT_CODE, "PSY"), (SNOMED, "38341003"), (None, "problem-list-item"), (ICD10, "B20"),
        (LOINC, "2106-3")], key=str)
    assert (TEXT_SYSTEM, "hypertension") in found
    assert sensitive_labels_for(found) == {"mental-health", "hiv", "reproductive"}
    assert labels_of(condition) == sensitive_labels_for(found)


@pytest.mark.parametrize("system", [42, ["http://loinc.org"], {"url": "x"}])
def test_a_system_that_is_not_a_string_is_read_as_no_system(system):
    assert sensitive_labels_for([(system, "B20")]) == {"hiv"}


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
