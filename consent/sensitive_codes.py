"""Which codes and words make a record sensitive: the loader of consent/sensitive_vocabulary.toml.

The data, its sources and the matching rule live in that one file; this module reads it once at
import (tomllib, standard library), checks its shape and refuses a malformed file with a
VocabularyError naming the place, because a vocabulary that loads half-read would quietly show
records it should hide. consent.sensitivity applies the tables below.
"""
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from consent import text_terms
from consent.vocabulary import RESTRICTED, SENSITIVE_LABELS

DEFAULT_PATH = Path(__file__).with_name("sensitive_vocabulary.toml")

_ICD10_CATEGORY = re.compile(r"[A-Z][0-9][0-9A-Z]")
_ICD10_PREFIX = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]*")
_ATC_PREFIX = re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?")
_SYSTEMS = ("icd10", "snomed", "loinc", "atc", "act_code", "confidentiality")
# Each code section: its required and optional keys besides `label` and `source`.
_SECTIONS = {
    "icd10": ((), ("ranges", "prefixes")), "snomed": (("codes",), ()),
    "loinc": (("codes",), ()), "atc": (("prefixes",), ()),
    "act_code": (("codes",), ()), "confidentiality": (("codes",), ()),
}
_WORD_KEYS = ({"source", "en", "vi", "examples"}, {"not", "near_misses"})
# Every label but the hospital's own restricted flag is found in words too.
WORD_LABELS = SENSITIVE_LABELS - {RESTRICTED}


class VocabularyError(ValueError):
    """consent/sensitive_vocabulary.toml is not as this module reads it."""


@dataclass(frozen=True)
class Vocabulary:
    systems: dict           # "icd10" -> frozenset of system URLs, ...
    icd10_ranges: dict      # label -> ((low, high), ...)
    icd10_prefixes: dict    # label -> (prefix, ...)
    snomed: dict            # label -> frozenset of concept ids
    loinc: dict             # label -> frozenset of codes
    atc_prefixes: dict      # label -> (prefix, ...)
    act_codes: dict         # code -> frozenset of labels
    confidentiality: dict   # code -> frozenset of labels
    terms: tuple            # text_terms.Term, masks included
    words: dict             # label -> its [words.<label>] table as written (examples, ...)


def load(path: Path = DEFAULT_PATH) -> Vocabulary:
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot be read: {exc}") from exc
    return parse(data)


def parse(data) -> Vocabulary:
    """A Vocabulary from the file's content; VocabularyError at the first thing out of shape."""
    _keys("the file", data, set(_SYSTEMS) | {"systems", "words"})
    sets = {name: _code_sets(name, data[name]) for name in _SYSTEMS}
    return Vocabulary(
        systems=_systems(data["systems"]),
        icd10_ranges=_by_label(sets["icd10"], "ranges", _icd10_range),
        icd10_prefixes=_by_label(sets["icd10"], "prefixes", _pattern(_ICD10_PREFIX, "ICD-10")),
        snomed=_frozen(_by_label(sets["snomed"], "codes", _code)),
        loinc=_frozen(_by_label(sets["loinc"], "codes", _code)),
        atc_prefixes=_by_label(sets["atc"], "prefixes", _pattern(_ATC_PREFIX, "ATC")),
        act_codes=_by_code(sets["act_code"]),
        confidentiality=_by_code(sets["confidentiality"]),
        terms=_terms(data["words"]),
        words=dict(data["words"]),
    )


def _keys(where: str, table, required: set, optional: set = frozenset()) -> None:
    if not isinstance(table, Mapping):
        raise VocabularyError(f"{where} must be a table")
    missing, unknown = required - table.keys(), table.keys() - required - optional
    if missing or unknown:
        raise VocabularyError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")


def _strings(where: str, values) -> list:
    if (not isinstance(values, list) or not values
            or not all(isinstance(value, str) and value.strip() for value in values)):
        raise VocabularyError(f"{where} must be a non-empty list of non-empty strings")
    return values


def _systems(table) -> dict:
    names = (*_SYSTEMS, "plain")
    _keys("[systems]", table, set(names))
    return {name: frozenset(_strings(f"[systems] {name}", table[name])) for name in names}


def _code_sets(name: str, sets) -> list:
    if not isinstance(sets, list) or not sets:
        raise VocabularyError(f"[[{name}]] must be a non-empty array of tables")
    required, optional = _SECTIONS[name]
    for number, entry in enumerate(sets, 1):
        where = f"[[{name}]] number {number}"
        _keys(where, entry, {"label", "source", *required}, set(optional))
        if entry["label"] not in SENSITIVE_LABELS:
            raise VocabularyError(f"{where}: unknown label {entry['label']!r}")
        if not isinstance(entry["source"], str) or not entry["source"].strip():
            raise VocabularyError(f"{where}: a source must be named")
        if not any(key in entry for key in (*required, *optional)):
            raise VocabularyError(f"{where}: lists no codes")
    return sets


def _by_label(sets: list, key: str, check) -> dict:
    """label -> tuple of the checked values under `key`, over every set naming that label."""
    found: dict = {}
    for entry in sets:
        if key in entry:
            where = f"{entry['label']} {key} ({entry['source'][:40]})"
            values = entry[key]
            if not isinstance(values, list) or not values:
                raise VocabularyError(f"{where} must be a non-empty list")
            found.setdefault(entry["label"], []).extend(check(where, value) for value in values)
    return {label: tuple(values) for label, values in found.items()}


def _frozen(table: dict) -> dict:
    return {label: frozenset(values) for label, values in table.items()}


def _code(where: str, value) -> str:
    # Codes are compared upper-cased and stripped: a code written otherwise would never match.
    if not isinstance(value, str) or not value or value != value.strip().upper():
        raise VocabularyError(f"{where}: {value!r} is not a code in upper case without spaces")
    return value


def _pattern(pattern, kind: str):
    def check(where: str, value) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise VocabularyError(f"{where}: {value!r} is not an {kind} prefix (no dot)")
        return value
    return check


def _icd10_range(where: str, value) -> tuple:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(end, str) and _ICD10_CATEGORY.fullmatch(end) for end in value)
            or value[0] > value[1]):
        raise VocabularyError(f"{where}: {value!r} is not a [low, high] pair of ICD-10 "
                              "categories with low <= high")
    return tuple(value)


def _by_code(sets: list) -> dict:
    """code -> the labels of every set listing it."""
    found: dict = {}
    for label, codes in _by_label(sets, "codes", _code).items():
        for code in codes:
            found.setdefault(code, set()).add(label)
    return {code: frozenset(labels) for code, labels in found.items()}


def _terms(words) -> tuple:
    _keys("[words]", words, set(WORD_LABELS))
    terms = []
    for label in sorted(WORD_LABELS):
        table, where = words[label], f"[words.{label}]"
        _keys(where, table, *_WORD_KEYS)
        for key in ("en", "vi", "examples"):
            _strings(f"{where} {key}", table[key])
        for key in ("not", "near_misses"):
            if key in table and not isinstance(table[key], list):
                raise VocabularyError(f"{where} {key} must be a list")
        for key, masks in (("en", False), ("vi", False), ("not", True)):
            for text in table.get(key, ()):
                try:
                    terms.append(text_terms.parse_term(label, text, masks))
                except ValueError as exc:
                    raise VocabularyError(f"{where} {key}: {exc}") from None
    return tuple(terms)


VOCABULARY = load()

ICD10_SYSTEMS = VOCABULARY.systems["icd10"]
SNOMED_SYSTEMS = VOCABULARY.systems["snomed"]
LOINC_SYSTEMS = VOCABULARY.systems["loinc"]
ATC_SYSTEMS = VOCABULARY.systems["atc"]
ACT_CODE_SYSTEMS = VOCABULARY.systems["act_code"]
CONFIDENTIALITY_SYSTEMS = VOCABULARY.systems["confidentiality"]
PLAIN_SYSTEMS = VOCABULARY.systems["plain"]
ICD10_RANGES = VOCABULARY.icd10_ranges
ICD10_PREFIXES = VOCABULARY.icd10_prefixes
SNOMED_CODES = VOCABULARY.snomed
LOINC_CODES = VOCABULARY.loinc
ATC_PREFIXES = VOCABULARY.atc_prefixes
ACT_CODES = VOCABULARY.act_codes
CONFIDENTIALITY_CODES = VOCABULARY.confidentiality
TERMS = VOCABULARY.terms
