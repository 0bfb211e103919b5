"""Which sensitivity labels a record carries, from its codes, security labels and words.

    labels = labels_of(resource)          # the same as the two steps below
    labels = labels_of_text("Bệnh viện Tâm thần Trung ương 1")   # words alone: a name
    labels = sensitive_labels_for(fhir_codings(resource))
    decide(..., sensitive_labels=labels, ...)

The labels (consent.vocabulary.SENSITIVE_LABELS), the codes and the words behind each are in
consent/sensitive_vocabulary.toml, with their sources and the matching rule (loaded by
consent.sensitive_codes). A record carries every label that any of these gives it; errors go
the safe way, because a label too many only hides a record until the patient names the label,
while a label too few shows it:
- a code is read in the vocabulary of its system, and a code with no system or a system we do
  not know (a hospital's own) in every vocabulary, its words included;
- a hospital's security labels (meta.security: v3 ActCode, v3 Confidentiality) are codes too;
- every string of the resource is read for words (displays, concept texts, notes, values,
  conclusions, reference displays, the narrative without its tags), except ids, references,
  identifier and contact values, timestamps and base64 data, which name nothing.
What this cannot tell: a scanned letter (an attachment's data) is not read, and negation is not
understood ("HIV negative" is labelled hiv: the record says the question was asked).
"""
import functools
import html
import re
from collections.abc import Iterable, Mapping

from consent import sensitive_codes as t
from consent.text_terms import TermMatcher

_ICD10_CATEGORY = re.compile(r"[A-Z][0-9][0-9A-Z]")
_TAG = re.compile(r"<[^>]*>")
# fhir_codings gives each string of a resource under this system, read for words only.
TEXT_SYSTEM = "urn:phr:text"
# Keys whose strings carry no words: opaque ids and references (the `display` beside a
# reference is read), identifier and contact values (accession and phone numbers), base64
# attachments (random letters, and large), timestamps. `code` strings are read as codes.
_NOT_TEXT = frozenset({"id", "reference", "fullUrl", "value", "data", "resourceType", "code",
                       "issued", "date", "start", "end", "lastUpdated", "authoredOn"})
_TIMESTAMP_KEYS = ("DateTime", "Date", "Instant")  # effectiveDateTime, recordedDate, ...
_MATCHER = TermMatcher(t.TERMS)


def labels_of(resource: Mapping) -> frozenset:
    """The sensitivity labels a FHIR resource (JSON-like dicts and lists) carries."""
    return sensitive_labels_for(fhir_codings(resource))


def labels_of_text(text: str) -> frozenset:
    """The sensitivity labels the words of one free text carry, read as any string of a record
    is (a hospital's display name, a clinic's, a note): "Bệnh viện Tâm thần ..." carries
    mental-health, "Phòng khám HIV ..." hiv. Anything but a string carries none."""
    return frozenset(_MATCHER.labels(text)) if isinstance(text, str) else frozenset()


def sensitive_labels_for(codes: Iterable[tuple]) -> frozenset:
    """The sensitivity labels that a record's (system, code) pairs carry. A system is compared
    without case, scheme or trailing slash; a code with no system or a system we do not know
    (a hospital's own URL, a misspelt one) is read in every vocabulary: a label too many only
    hides, a label too few shows. Malformed codes carry none."""
    labels: set = set()
    seen: set = set()
    for system, code in codes:
        system = system if isinstance(system, str) else None  # anything else: no system
        if not isinstance(code, str) or not code.strip() or (system, code) in seen:
            continue
        seen.add((system, code))  # the same display or code twice is read once
        readers = _NORMALISED_READERS.get(_normalise(system)) if system else None
        for read in readers or _ALL_READERS:
            labels |= read(code)
    return frozenset(labels)


@functools.lru_cache(maxsize=1024)  # systems are few URLs, read once per code
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
    medicationCodeableConcept, meta.security, contained resources, extensions), and every other
    string as (TEXT_SYSTEM, the string): displays, concept texts, notes, valueString, conclusion,
    description, reference displays, the narrative `div` without its tags. Walking the whole
    resource rather than named fields is deliberate: a sensitive word missed is a record shown."""
    found = []
    pending = [(None, resource)]
    while pending:  # a stack, not recursion: no nesting depth can exhaust Python's stack
        key, node = pending.pop()
        if isinstance(node, str):
            if _is_text(key):
                found.append((TEXT_SYSTEM, _readable(key, node)))
        elif isinstance(node, list):
            pending.extend((key, item) for item in node)
        elif isinstance(node, (dict, Mapping)):  # dict first: the ABC check is slow
            code, system = node.get("code"), node.get("system")
            if isinstance(code, str):
                found.append((system if isinstance(system, str) else None, code))
            pending.extend(node.items())
    return found


def _is_text(key) -> bool:
    return key not in _NOT_TEXT and not (isinstance(key, str) and key.endswith(_TIMESTAMP_KEYS))


def _readable(key, text: str) -> str:
    """The narrative's XHTML as its words: tags dropped, then entities (&#7879;) decoded."""
    return html.unescape(_TAG.sub(" ", text)) if key == "div" else text


def _icd10(code: str) -> set:
    code = code.strip().upper().replace(".", "").replace(" ", "")
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
        code = code.strip().upper()
        return {label for label, codes in table.items() if code in codes}
    return read


def _atc(code: str) -> set:
    code = code.strip().upper()
    return {label for label, prefixes in t.ATC_PREFIXES.items() if code.startswith(prefixes)}


def _labelled(table: dict):
    def read(code: str) -> set:
        return set(table.get(code.strip().upper(), ()))
    return read


_SYSTEM_READERS = (
    (t.ICD10_SYSTEMS, _icd10),
    (t.SNOMED_SYSTEMS, _table(t.SNOMED_CODES)),
    (t.LOINC_SYSTEMS, _table(t.LOINC_CODES)),
    (t.ATC_SYSTEMS, _atc),
    (t.ACT_CODE_SYSTEMS, _labelled(t.ACT_CODES)),
    (t.CONFIDENTIALITY_SYSTEMS, _labelled(t.CONFIDENTIALITY_CODES)),
    (frozenset({TEXT_SYSTEM}), _MATCHER.labels),
)
_ALL_READERS = tuple(read for _, read in _SYSTEM_READERS)
# Units, race and the like: known systems, so not read in every vocabulary; no table of theirs.
_SYSTEM_READERS += ((t.PLAIN_SYSTEMS, _labelled({})),)
# Keyed by the normalised system, as sensitive_labels_for looks them up.
_NORMALISED_READERS = {_normalise(system): (read,)
                       for systems, read in _SYSTEM_READERS for system in systems}
