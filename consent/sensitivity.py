"""Which sensitivity labels a record carries, from its codes.

    labels = sensitive_labels_for(fhir_codings(resource))
    decide(..., sensitive_labels=labels, ...)

The labels (consent.vocabulary.SENSITIVE_LABELS) and the codes behind each are in
consent.sensitive_codes. Errors go the safe way: a record is labelled when any of its codes
says so, and a code sent without a system is read in every vocabulary we know, because a label
too many only hides a record until the patient names the label, while a label too few shows it.

The words of a code's `display` and of a concept's `text` are read too, for the names of
conditions (sensitive_codes.TEXT_PATTERNS: "HIV"), which catches the codes the tables miss.
What this cannot tell: other free text (notes, narrative, a scanned letter in a
DocumentReference) is not read. A psychiatric discharge letter coded only as "discharge
summary" is not labelled unless its hospital put a security label (meta.security) on it, which
is read like any code.
"""
import re
from collections.abc import Iterable, Mapping

from consent import sensitive_codes as t

_ICD10_CATEGORY = re.compile(r"[A-Z][0-9][0-9A-Z]")
# fhir_codings gives a display or a concept's text under this system, read for words only.
TEXT_SYSTEM = "urn:phr:text"


def sensitive_labels_for(codes: Iterable[tuple]) -> frozenset:
    """The sensitivity labels that a record's (system, code) pairs carry. A system is compared
    without case, scheme or trailing slash; a code with no system or a system we do not know
    (a hospital's own URL, a misspelt one) is read in every vocabulary: a label too many only
    hides, a label too few shows. Malformed codes carry none."""
    labels: set = set()
    for system, code in codes:
        if not isinstance(code, str) or not code.strip():
            continue
        readers = _NORMALISED_READERS.get(_normalise(system)) if system else None
        for read in readers or _ALL_READERS:
            labels |= read(code.strip().upper())
    return frozenset(labels)


def _normalise(system) -> str:
    """"https://HL7.org/fhir/sid/icd-10/ " and "http://hl7.org/fhir/sid/icd-10" alike."""
    if not isinstance(system, str):
        return ""
    text = system.strip().lower().rstrip("/")
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            return text[len(scheme):]
    return text


def fhir_codings(resource: Mapping) -> list:
    """Every (system, code) pair in a FHIR resource given as JSON-like dicts and lists: each
    object with a string `code`, wherever it sits (code, category, reasonCode, valueCodeableConcept,
    medicationCodeableConcept, meta.security, contained resources, extensions). Walking the whole
    resource rather than named fields is deliberate: a sensitive code missed is a record shown.
    Each string `display`, and the `text` of a concept (beside a `coding`, or alone), comes as
    (TEXT_SYSTEM, the words)."""
    found = []
    pending = [resource]
    while pending:  # a stack, not recursion: no nesting depth can exhaust Python's stack
        node = pending.pop()
        if isinstance(node, Mapping):
            code, system = node.get("code"), node.get("system")
            if isinstance(code, str):
                found.append((system if isinstance(system, str) else None, code))
            if isinstance(node.get("display"), str):
                found.append((TEXT_SYSTEM, node["display"]))
            if isinstance(node.get("text"), str) and ("coding" in node or len(node) == 1):
                found.append((TEXT_SYSTEM, node["text"]))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _icd10(code: str) -> set:
    code = code.replace(".", "").replace(" ", "")
    category = code[:3]
    if not _ICD10_CATEGORY.fullmatch(category):
        return set()
    labels = {label for label, ranges in t.ICD10_RANGES.items()
              if any(low <= category <= high for low, high in ranges)}
    labels |= {label for label, prefixes in t.ICD10_PREFIXES.items()
               if code.startswith(prefixes)}
    return labels


def _table(table: dict):
    def read(code: str) -> set:
        return {label for label, codes in table.items() if code in codes}
    return read


def _words(text: str) -> set:
    return {label for label, patterns in t.TEXT_PATTERNS.items()
            if any(re.search(pattern, text) for pattern in patterns)}


def _atc(code: str) -> set:
    return {label for label, prefixes in t.ATC_PREFIXES.items() if code.startswith(prefixes)}


def _act_code(code: str) -> set:
    return {t.ACT_CODES[code]} if code in t.ACT_CODES else set()


def _confidentiality(code: str) -> set:
    return {t.CONFIDENTIALITY_CODES[code]} if code in t.CONFIDENTIALITY_CODES else set()


_SYSTEM_READERS = (
    (t.ICD10_SYSTEMS, _icd10),
    (t.SNOMED_SYSTEMS, _table(t.SNOMED_CODES)),
    (t.LOINC_SYSTEMS, _table(t.LOINC_CODES)),
    (t.ATC_SYSTEMS, _atc),
    (t.ACT_CODE_SYSTEMS, _act_code),
    (t.CONFIDENTIALITY_SYSTEMS, _confidentiality),
    (frozenset({TEXT_SYSTEM}), _words),
)
_READERS = {system: (read,) for systems, read in _SYSTEM_READERS for system in systems}
_ALL_READERS = tuple(read for _, read in _SYSTEM_READERS)


# Built after _READERS above: the same readers, keyed by the normalised system.
_NORMALISED_READERS = {_normalise(system): readers for system, readers in _READERS.items()}
