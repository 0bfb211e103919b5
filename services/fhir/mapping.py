"""The resource types stored as records, and how a valid one maps to its record category and
clinical times (summary.py holds the display fields)."""
from dataclasses import dataclass
from typing import Callable

from services.fhir.dates import first_time
from services.fhir.elements import codings

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"  # diagnostic service sections
LOINC = "http://loinc.org"

# Observation categories we file apart; the first that matches wins.
_OBSERVATION = (("laboratory", "lab"), ("vital-signs", "vitals"), ("imaging", "imaging"))
# DiagnosticReport categories: v2-0074 service sections, US Core's LOINC parts (LP29684-5
# Radiology, LP7839-6 Pathology) and the Observation category codes some systems reuse. Imaging
# is tried before laboratory. Pathology is filed with laboratory results.
_IMAGING = {(V2_0074, c) for c in ("RAD", "RX", "CT", "NMR", "NMS", "RUS", "VUS", "OUS", "CUS",
                                   "XRC")} | {
    (LOINC, "LP29684-5"), (OBSERVATION_CATEGORY, "imaging")}
_LABORATORY = {(V2_0074, c) for c in ("LAB", "BG", "BLB", "CG", "CH", "CP", "GE", "HM", "IMM",
                                      "MB", "MCB", "MYC", "OSL", "SP", "SR", "TX", "VR")} | {
    (LOINC, "LP7839-6"), (OBSERVATION_CATEGORY, "laboratory")}


def observation_category(resource: dict) -> str:
    found = _category_codes(resource, {OBSERVATION_CATEGORY})
    return next((ours for code, ours in _OBSERVATION if code in found), "observation")


def report_category(resource: dict) -> str:
    found = {(c.get("system"), c.get("code")) for c in codings(resource.get("category"))}
    # A coding without a system is read in whichever vocabulary knows its code.
    found |= {(system, code) for sent, code in found if sent is None
              for system in (V2_0074, LOINC, OBSERVATION_CATEGORY)}
    if found & _IMAGING:
        return "imaging"
    return "lab" if found & _LABORATORY else "report"


def _category_codes(resource: dict, systems: set) -> set:
    """Category codes in `systems`, or sent without a system."""
    return {c.get("code") for c in codings(resource.get("category"))
            if c.get("system") in systems | {None}}


@dataclass(frozen=True)
class TypeSpec:
    """How one stored resource type maps to a record. Times are dotted paths, first found wins;
    `code` lists where the thing itself is named (a CodeableConcept, Coding or Reference)."""
    category: str | Callable[[dict], str]
    patient_field: str = "subject"
    effective: tuple[str, ...] = ()
    issued: tuple[str, ...] = ()
    code: tuple[str, ...] = ("code",)


_MEDICATION = ("medicationCodeableConcept", "medicationReference")
STORED_TYPES = {
    "Observation": TypeSpec(observation_category, effective=(
        "effectiveDateTime", "effectivePeriod.start", "effectiveInstant",
        "effectiveTiming.event.0"), issued=("issued",)),
    "DiagnosticReport": TypeSpec(report_category, effective=(
        "effectiveDateTime", "effectivePeriod.start"), issued=("issued",)),
    "Condition": TypeSpec("diagnosis", effective=(
        "onsetDateTime", "onsetPeriod.start", "recordedDate"), issued=("recordedDate",)),
    "MedicationRequest": TypeSpec("medication", effective=("authoredOn",), issued=("authoredOn",),
                                  code=_MEDICATION),
    "MedicationStatement": TypeSpec("medication", effective=(
        "effectiveDateTime", "effectivePeriod.start", "dateAsserted"), issued=("dateAsserted",),
        code=_MEDICATION),
    "Procedure": TypeSpec("procedure", effective=("performedDateTime", "performedPeriod.start")),
    "Encounter": TypeSpec("encounter", effective=("period.start",), code=("type.0", "class")),
    "DocumentReference": TypeSpec("document", effective=("context.period.start", "date"),
                                  issued=("date",), code=("type",)),
    "AllergyIntolerance": TypeSpec("allergy", "patient", effective=(
        "onsetDateTime", "onsetPeriod.start", "recordedDate"), issued=("recordedDate",)),
    "Immunization": TypeSpec("immunization", "patient",
                             effective=("occurrenceDateTime", "recorded"),
                             issued=("recorded",), code=("vaccineCode",)),
}


def category_of(resource_type: str, resource: dict) -> str:
    category = STORED_TYPES[resource_type].category
    return category(resource) if callable(category) else category


def clinical_times(resource_type: str, resource: dict):
    """(effective_at, issued_at) as aware UTC datetimes or None. When a resource says nothing of
    when it was issued, the time the hospital last changed it (meta.lastUpdated) stands in."""
    spec = STORED_TYPES[resource_type]
    return (first_time(resource, spec.effective),
            first_time(resource, spec.issued + ("meta.lastUpdated",)))
