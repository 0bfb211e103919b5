"""Who a resource is about: the national ID (CCCD) it names, directly by identifier or through a
reference to a Patient of the same bundle, as API.md's Hospital section describes.

Issues never repeat a national ID, not even a malformed one: they reach responses and logs."""
import re
from dataclasses import dataclass

from services.fhir.candidates import NATIONAL_ID_SYSTEM, PatientInfo, shown

# [0-9], not \d, which also matches other scripts' digits.
_NATIONAL_ID = re.compile(r"[0-9]{12}")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HISTORY = re.compile(r"/_history/[^/]*$")
_TYPED_REFERENCE = re.compile(r"(?:.*/)?([A-Z][A-Za-z]+)/[A-Za-z0-9\-.]{1,64}")


@dataclass(frozen=True)
class NamedPatient:
    """What one Patient names: its national ID, or why it names none. `malformed`: it carries
    a national ID identifier that is no national ID (or two that differ)."""
    national_id: str | None
    problem: str | None = None
    malformed: bool = False


def national_id_problem(value, where: str) -> str | None:
    if isinstance(value, str) and _NATIONAL_ID.fullmatch(value):
        return None
    length = f"{len(value)} characters" if isinstance(value, str) else "no text"
    return f"{where} is not a national ID: it must be exactly 12 digits 0-9 (got {length})"


def named_by(patient: dict, where: str) -> NamedPatient:
    """The national ID a Patient resource carries. Identifiers with use "old" are ignored."""
    values = [i.get("value") for i in patient.get("identifier") or []
              if isinstance(i, dict) and i.get("system") == NATIONAL_ID_SYSTEM
              and i.get("use") != "old"]
    if not values:
        return NamedPatient(None, f"{where} has no identifier with system {NATIONAL_ID_SYSTEM}")
    for value in values:
        if problem := national_id_problem(value, f"the national ID of {where}"):
            return NamedPatient(None, problem, malformed=True)
    if len(set(values)) > 1:
        return NamedPatient(None, f"{where} carries more than one national ID", malformed=True)
    return NamedPatient(values[0])


class PatientIndex:
    """The Patient entries of a bundle, by the ways another entry may reference them: the
    entry's fullUrl and `Patient/<id>`."""

    def __init__(self):
        self._by_key: dict[str, list[NamedPatient]] = {}

    def add(self, full_url, resource_id, named: NamedPatient) -> None:
        keys = {full_url if isinstance(full_url, str) else None,
                f"Patient/{resource_id}" if isinstance(resource_id, str) else None}
        for key in keys - {None}:
            self._by_key.setdefault(key, []).append(named)

    def find(self, reference: str) -> list[NamedPatient]:
        return self._by_key.get(_HISTORY.sub("", reference), [])


def patient_of(resource: dict, field: str, index: PatientIndex) -> tuple[str | None, str | None]:
    """(national ID, None) for the patient `resource.<field>` names, or (None, why it names
    none that this service can use)."""
    subject = resource.get(field)
    if not isinstance(subject, dict):
        return None, _unnamed(field)
    if subject.get("type", "Patient") != "Patient":
        return None, f"{field}.type must be Patient: a record belongs to one patient"
    by_identifier, problem = _from_identifier(subject.get("identifier"), field)
    reference = subject.get("reference")
    if problem:
        return None, problem
    if reference is None:
        return (by_identifier, None) if by_identifier else (None, _unnamed(field))
    typed = _TYPED_REFERENCE.fullmatch(_HISTORY.sub("", reference))
    if typed and typed.group(1) != "Patient":
        return None, f"{field}.reference must refer to a Patient, not a {shown(typed.group(1))}"
    named = _contained(resource, reference) if reference.startswith("#") else index.find(reference)
    if not named:  # a reference to the hospital's own server is fine beside an identifier
        return (by_identifier, None) if by_identifier else (None, _missing(field, reference))
    return _agreed(named, by_identifier, field)


def _from_identifier(identifier, field: str) -> tuple[str | None, str | None]:
    if not isinstance(identifier, dict) or identifier.get("system") != NATIONAL_ID_SYSTEM:
        return None, None
    value = identifier.get("value")
    if problem := national_id_problem(value, f"{field}.identifier.value"):
        return None, problem
    return value, None


def _contained(resource: dict, reference: str) -> list[NamedPatient]:
    return [named_by(c, f"the contained Patient {shown(reference)}")
            for c in resource.get("contained") or []
            if isinstance(c, dict) and c.get("resourceType") == "Patient"
            and "#" + str(c.get("id")) == reference]


def _agreed(named: list[NamedPatient], by_identifier: str | None,
            field: str) -> tuple[str | None, str | None]:
    for patient in named:
        if patient.problem:
            return None, f"the patient is not named by a national ID: {patient.problem}"
    national_ids = {patient.national_id for patient in named}
    if len(national_ids) > 1:
        return None, f"{field}.reference matches Patient entries with different national IDs"
    if by_identifier and by_identifier not in national_ids:
        return None, f"{field}.identifier and {field}.reference name different national IDs"
    return national_ids.pop(), None


def _unnamed(field: str) -> str:
    return (f"the patient is not named by a national ID: give {field}.identifier with system "
            f"{NATIONAL_ID_SYSTEM} and the 12-digit ID, or a {field}.reference to a Patient "
            "entry of this bundle that carries one")


def _missing(field: str, reference: str) -> str:
    return (f"the patient is not named by a national ID: {field}.reference {shown(reference)} "
            "is not a Patient entry of this bundle (match its fullUrl or Patient/<id>), and "
            f"{field}.identifier gives no national ID")


def patient_info(patient: dict, national_id: str) -> PatientInfo:
    birth_date = patient.get("birthDate")
    full_date = isinstance(birth_date, str) and _FULL_DATE.fullmatch(birth_date)
    return PatientInfo(national_id, _name(patient.get("name") or []),
                       birth_date if full_date else None)


def _name(names: list) -> str | None:
    """The official (else usual, else first) name: its text, or family name then given names,
    the Vietnamese order."""
    ranked = sorted((n for n in names if isinstance(n, dict)),
                    key=lambda n: {"official": 0, "usual": 1}.get(n.get("use"), 2))
    for name in ranked:
        parts = [name.get("family") or "", *(name.get("given") or [])]
        text = name.get("text") or " ".join(p for p in parts if p)
        if text:
            return text
    return None
