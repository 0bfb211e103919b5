"""Sensitivity labels from a record's words: which texts are read, how they are matched."""
import pytest

from consent import fhir_codings, labels_of, sensitive_labels_for
from consent.sensitivity import TEXT_SYSTEM
from consent.text_terms import TermMatcher, fold, parse_term, term_matches, words

ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOCAL = "http://bv-abc.vn/ma-benh"


def condition(code: dict, **fields) -> dict:
    return {"resourceType": "Condition", "code": code, **fields}


def text_labels(text: str) -> frozenset:
    return sensitive_labels_for([(TEXT_SYSTEM, text)])


# The examples: diagnoses sent as text only, or under a hospital's own code system.
@pytest.mark.parametrize("code, labels", [
    ({"text": "Major depressive disorder"}, {"mental-health"}),
    ({"text": "Tâm thần phân liệt"}, {"mental-health"}),
    ({"text": "Giang mai"}, {"sti"}),
    ({"coding": [{"system": LOCAL, "code": "TC01", "display": "Rối loạn trầm cảm"}]},
     {"mental-health"}),
    ({"text": "Chlamydial infection"}, {"sti"}),                  # the stem chlamydi*
    ({"text": "Trầm cảm nặng"}, {"mental-health"}),               # a word form
    ({"text": "Tam than phan liet"}, {"mental-health"}),          # without diacritics
    ({"text": "TÂM THẦN PHÂN LIỆT"}, {"mental-health"}),          # upper case
    ({"text": "TRAM CAM"}, {"mental-health"}),
    ({"text": "Đình chỉ thai nghén"}, {"reproductive"}),          # termination of pregnancy
    ({"text": "DINH CHI THAI NGHEN"}, {"reproductive"}),          # đ read as d
    ({"text": "Phá thai"}, {"reproductive"}),
    ({"text": "Nghiện rượu mạn tính"}, {"substance-use"}),
    ({"text": "Xét nghiệm gen BRCA1"}, {"genetic"}),
    ({"text": "HIV/AIDS"}, {"hiv"}),
    ({"coding": [{"system": LOCAL, "code": "GM02", "display": "Giang mai kỳ II"}],
      "text": "Giang mai"}, {"sti"}),
    # Negatives: ordinary records stay ordinary.
    ({"text": "Type 2 diabetes mellitus"}, set()),
    ({"text": "Glucose"}, set()),
    ({"text": "Hives"}, set()),
    ({"text": "Viêm phổi"}, set()),
    ({"text": "Bệnh viện Đa khoa Thái Bình"}, set()),
    ({"coding": [{"system": ICD10, "code": "E11.9", "display": "Type 2 diabetes mellitus"}]},
     set()),
])
def test_a_diagnosis_sent_as_text_or_a_local_code_carries_its_label(code, labels):
    assert labels_of(condition(code)) == labels


def test_labels_are_a_union_text_that_names_nothing_keeps_the_codes_label():
    record = condition({"coding": [{"system": ICD10, "code": "B20"}], "text": "Chronic illness"},
                       note=[{"text": "Stable, reviewed"}])
    assert labels_of(record) == {"hiv"}
    assert labels_of(condition({"coding": [{"system": ICD10, "code": "F32.1"}],
                                "text": "Giang mai"})) == {"mental-health", "sti"}


XHTML = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Chẩn đoán: <b>Giang</b> <i>mai</i></p></div>'


@pytest.mark.parametrize("record, label", [
    ({"resourceType": "Observation", "code": {"text": "Kết luận"},
      "valueString": "Rối loạn lo âu lan tỏa"}, "mental-health"),
    ({"resourceType": "DiagnosticReport", "code": {"text": "Siêu âm"},
      "conclusion": "Thai 12 tuần, tim thai đều"}, "reproductive"),
    ({"resourceType": "Condition", "code": {"text": "Khám"},
      "note": [{"text": "Bệnh nhân có ý định tự tử", "authorString": "BS. B"}]}, "mental-health"),
    ({"resourceType": "DocumentReference", "description": "Giấy ra viện khoa tâm thần"},
     "mental-health"),
    ({"resourceType": "Encounter", "text": {"status": "generated", "div": XHTML}}, "sti"),
    ({"resourceType": "Encounter", "text": {"status": "generated", "div":  # entities decoded
        "<div><p>B&#7879;nh vi&#7879;n T&#226;m th&#7847;n</p></div>"}}, "mental-health"),
    ({"resourceType": "Encounter", "serviceProvider": {
        "reference": "Organization/123", "display": "Bệnh viện Tâm thần Trung ương"}},
     "mental-health"),
    ({"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "Thuốc A"},
      "dosageInstruction": [{"text": "Uống tối, điều trị trầm cảm"}]}, "mental-health"),
    ({"resourceType": "Observation", "code": {"text": "Kết luận"}, "extension": [{
        "url": "http://bv-abc.vn/ket-luan", "valueString": "Nghi tâm thần phân liệt"}]},
     "mental-health"),
    ({"resourceType": "Observation", "component": [{"code": {"text": "A"},
                                                    "valueString": "PHQ-9: 21"}]},
     "mental-health"),
    ({"resourceType": "Condition", "code": {"text": "Khám"}, "contained": [
        {"resourceType": "Organization", "name": "Trung tâm cai nghiện Hà Nội"}]},
     "substance-use"),
    ({"resourceType": "Condition", "code": {"text": "Khám"},
      "onsetString": "Sau lần sảy thai thứ hai"}, "reproductive"),
])
def test_the_free_text_places_of_a_resource_are_read(record, label):
    assert labels_of(record) == {label}


@pytest.mark.parametrize("record", [
    {"resourceType": "Observation", "id": "hiv-test-1", "code": {"text": "Glucose"}},
    {"resourceType": "Observation", "code": {"text": "Glucose"},
     "identifier": [{"system": "http://bv-abc.vn/so-mau", "value": "STD-0001"}]},
    {"resourceType": "Observation", "code": {"text": "Glucose"},
     "subject": {"reference": "Patient/hiv1"}, "effectiveDateTime": "2026-01-02T03:04:05Z"},
    {"resourceType": "DocumentReference", "content": [{"attachment": {
        "contentType": "application/pdf", "data": "SElW/hiv+std/QUlEUw==", "title": "Giấy khám"}}]},
])
def test_ids_identifier_values_references_dates_and_base64_are_not_read_as_words(record):
    assert labels_of(record) == set()


def test_a_display_and_a_concept_text_come_as_text_pairs():
    found = fhir_codings(condition({"coding": [{"system": LOCAL, "code": "TC01",
                                                "display": "Rối loạn trầm cảm"}],
                                    "text": "Trầm cảm"}))
    assert (TEXT_SYSTEM, "Rối loạn trầm cảm") in found and (TEXT_SYSTEM, "Trầm cảm") in found
    assert (LOCAL, "TC01") in found


def test_a_local_code_that_is_itself_a_word_is_read_for_words():
    assert sensitive_labels_for([(LOCAL, "HIV")]) == {"hiv"}
    assert sensitive_labels_for([(None, "giang mai")]) == {"sti"}


def test_deeply_nested_text_does_not_exhaust_the_stack():
    node = {"valueString": "Giang mai"}
    for _ in range(5000):
        node = {"extension": [node]}
    assert labels_of(node) == {"sti"}


@pytest.mark.parametrize("words_", ["HIV1 RNA # SerPl NAA+probe", "HIV1+2 Ab SerPl Ql",
                                    "HIV-2 Ab", "ADN VIH-1, PCR", "hiv", "Anti-HIV"])
def test_the_ways_labs_write_hiv_are_read(words_):
    assert text_labels(words_) == {"hiv"}


@pytest.mark.parametrize("words_", ["Archive result", "Shivering", "hypertension",
                                    "AIDS to daily living", "Hearing aids", "Vitamin D", "Hives",
                                    "Chivalry", "Hiver"])
def test_words_that_only_contain_the_letters_name_nothing(words_):
    assert text_labels(words_) == set()


@pytest.mark.parametrize("text, folded", [
    ("Trầm Cảm NẶNG", "tram cam nang"), ("Đình chỉ", "dinh chi"), ("ĐẮK LẮK", "dak lak"),
    ("Tra\u0300m ca\u0309m", "tram cam"),    # decomposed input (combining marks)
    ("hoà", "hoa"), ("hòa", "hoa"),           # old and new tone placement
    ("HIV", "hiv"), ("Straße", "strasse"),
])
def test_text_is_folded_without_case_or_diacritics(text, folded):
    assert fold(text) == folded


def test_text_is_split_into_words_on_anything_but_letters_and_digits():
    assert words("HIV-1/2 Ab (anti_HIV); HIV1") == ["hiv", "1", "2", "ab", "anti", "hiv", "hiv1"]


@pytest.mark.parametrize("term, text, found", [
    ("chlamydi*", "Chlamydial infection", True),
    ("chlamydi*", "Chlamyd", False),            # a stem is a prefix of the word, not less
    ("hiv", "HIV", True), ("hiv", "Hives", False), ("hiv", "Shiv", False),
    ("trầm cảm", "Trầm cảm nặng", True), ("trầm cảm", "TRAM CAM", True),
    ("trầm cảm", "cảm trầm", False),            # words in order
    ("trầm cảm", "trầm, rồi cảm", False),       # and consecutive
    ("self harm", "Self-harm", True), ("self harm", "Self harmony", False),  # each word whole
    ("tâm thần phân liệt", "Tâm thần phân liệtx", False),                 # the third too
    ("in vitro fertili*", "In-vitro fertilisation", True),
    ("giang mai", "Giang-mai", True),
])
def test_a_term_is_consecutive_words_a_star_marking_a_stem(term, text, found):
    assert term_matches(term, text) is found


def test_a_not_phrase_masks_its_labels_terms_on_the_words_it_covers_only():
    matcher = TermMatcher([parse_term("mental-health", "depression"),
                           parse_term("mental-health", "st depression", masks=True),
                           parse_term("x", "depression")])
    assert matcher.labels("ST depression in V5") == {"x"}          # masked for its label only
    assert matcher.labels("Depression; ST depression") == {"mental-health", "x"}
    assert matcher.labels("Depression") == {"mental-health", "x"}


@pytest.mark.parametrize("term", ["", "  ", "*", "ab*", "chla*mydia", "***", "a * b"])
def test_a_term_that_is_not_one_is_refused(term):
    with pytest.raises(ValueError):
        parse_term("hiv", term)
