"""consent/sensitive_vocabulary.toml, term by term, and its loader refusing a malformed file."""
import copy
import tomllib

import pytest

from consent import SENSITIVE_LABELS, sensitive_codes
from consent.sensitive_codes import DEFAULT_PATH, WORD_LABELS, VocabularyError, load, parse
from consent.sensitivity import TEXT_SYSTEM, sensitive_labels_for
from consent.text_terms import TermMatcher, parse_term, term_matches

with open(DEFAULT_PATH, "rb") as _file:
    DATA = tomllib.load(_file)
WORDS = DATA["words"]


def text_labels(text: str) -> frozenset:
    return sensitive_labels_for([(TEXT_SYSTEM, text)])


def _each(key: str) -> list:
    return [(label, item) for label in sorted(WORDS) for item in WORDS[label].get(key, ())]


TERMS = _each("en") + _each("vi")


@pytest.mark.parametrize("label, term", TERMS, ids=[f"{l}:{t}" for l, t in TERMS])
def test_every_term_finds_one_of_its_labels_examples(label, term):
    assert any(term_matches(term, example) for example in WORDS[label]["examples"]), (
        f"add an example of {term!r} to [words.{label}] examples")


@pytest.mark.parametrize("label, example", _each("examples"))
def test_every_example_carries_its_label(label, example):
    assert label in text_labels(example)


@pytest.mark.parametrize("label, near_miss", _each("near_misses"))
def test_no_documented_near_miss_carries_the_label(label, near_miss):
    assert label not in text_labels(near_miss)


@pytest.mark.parametrize("label, phrase", _each("not"))
def test_every_not_phrase_is_seen_at_work_in_a_near_miss(label, phrase):
    """A near miss holding the phrase would carry the label without the mask: a `not` phrase
    that masks nothing is dead weight, or a typo that protects nothing."""
    unmasked = TermMatcher([parse_term(label, term)
                            for term in WORDS[label]["en"] + WORDS[label]["vi"]])
    assert any(term_matches(phrase, near_miss) and unmasked.labels(near_miss)
               for near_miss in WORDS[label]["near_misses"])


@pytest.mark.parametrize("text", [
    "Type 2 diabetes mellitus", "Glucose", "Hives", "Bệnh viện Đa khoa Thái Bình", "Viêm phổi",
    "Hypertension", "Tăng huyết áp", "Body Height", "Hemoglobin A1c", "Viêm gan B mạn",
    "Khám sức khỏe định kỳ", "Gãy xương cẳng tay", "Đau đầu từ từ tăng dần", "Thái Nguyên",
    "Nghiên cứu lâm sàng", "Hóa liệu pháp", "Bệnh lâu năm", "Lipid Panel", "Chuyên đa khoa",
    "Dr. Gene Smith", "General practitioner", "Bipolar cautery", "Psychosocial assessment",
    "Tenofovir 300 MG", "Bowel prep", "Hearing aids", "Std dev", "Stimulation test",
])
def test_ordinary_records_carry_no_label(text):
    assert text_labels(text) == set()


@pytest.mark.parametrize("label", sorted(WORD_LABELS))
def test_each_label_has_a_useful_vocabulary_in_both_languages(label):
    assert len(WORDS[label]["en"]) >= 10 and len(WORDS[label]["vi"]) >= 10
    assert WORDS[label]["source"].strip()


def test_every_code_set_names_its_source_and_a_known_label():
    for section in ("icd10", "snomed", "loinc", "atc", "act_code", "confidentiality"):
        for entry in DATA[section]:
            assert entry["source"].strip() and entry["label"] in SENSITIVE_LABELS


def test_the_hiv_laboratory_value_sets_are_whole():
    hiv_loinc = sensitive_codes.LOINC_CODES["hiv"]
    assert len(hiv_loinc) == 195 and {"5220-9", "89374-3", "104781-0", "25836-8"} <= hiv_loinc


def test_the_loaded_tables_are_the_files():
    assert load() == sensitive_codes.VOCABULARY


def _broken(change) -> dict:
    data = copy.deepcopy(DATA)
    change(data)
    return data


def _set(path, value):
    def change(data):
        *parents, last = path
        for key in parents:
            data = data[key]
        data[last] = value
    return change


@pytest.mark.parametrize("change, message", [
    (lambda data: data.pop("words"), r"the file: missing \['words'\]"),
    (lambda data: data.update(extra=1), r"unknown \['extra'\]"),
    (_set(("systems", "loinc"), []), r"\[systems\] loinc must be a non-empty list"),
    (_set(("icd10", 0, "label"), "psychiatry"), r"unknown label 'psychiatry'"),
    (_set(("icd10", 0, "source"), " "), r"a source must be named"),
    (_set(("icd10", 0, "ranges"), [["F99", "F00"]]), r"not a \[low, high\] pair"),
    (_set(("icd10", 0, "ranges"), [["F00"]]), r"not a \[low, high\] pair"),
    (_set(("icd10", 0, "prefixes"), ["Z91.5"]), r"'Z91.5' is not an ICD-10 prefix"),
    (lambda data: [data["icd10"][0].pop(key) for key in ("ranges", "prefixes")],
     r"lists no codes"),
    (_set(("snomed", 0, "codes"), ["86406008 "]), r"not a code in upper case"),
    (_set(("act_code", 0, "codes"), ["eth"]), r"'eth' is not a code in upper case"),
    (_set(("atc", 0, "prefixes"), ["J05.AE"]), r"not an ATC prefix"),
    (_set(("loinc", 0, "codez"), ["1-1"]), r"unknown \['codez'\]"),
    (_set(("snomed",), {}), r"\[\[snomed\]\] must be a non-empty array of tables"),
    (lambda data: data["words"].pop("sti"), r"\[words\]: missing \['sti'\]"),
    (_set(("words", "hiv", "en"), ["hiv", "h*"]), r"\[words.hiv\] en: 'h\*': a stem needs"),
    (_set(("words", "hiv", "vi"), ["chla*mydia"]), r"a '\*' may only end a word"),
    (_set(("words", "hiv", "not"), ["--"]), r"\[words.hiv\] not: '--' has no words"),
    (_set(("words", "hiv", "examples"), []), r"\[words.hiv\] examples must be a non-empty"),
    (lambda data: data["words"]["hiv"].pop("source"), r"\[words.hiv\]: missing \['source'\]"),
])
def test_a_malformed_vocabulary_is_refused_with_a_clear_error(change, message):
    with pytest.raises(VocabularyError, match=message):
        parse(_broken(change))


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    broken = tmp_path / "vocabulary.toml"
    broken.write_text('[systems]\nicd10 = ["unclosed\n', encoding="utf-8")
    with pytest.raises(VocabularyError, match="cannot be read"):
        load(broken)
    with pytest.raises(VocabularyError, match="cannot be read"):
        load(tmp_path / "missing.toml")
