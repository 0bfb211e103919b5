"""Measurements patients take themselves (blood pressure, glucose, weight), stored as FHIR
Observations marked as patient-entered. Hospitals' records stay unchangeable by patients: a
patient's record has no hospital and is keyed by its author."""
from types import SimpleNamespace

from security.codes import opaque_id, resource_id
from services.records.storing import store_resource

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# kind -> (LOINC code, display)
CODES = {"blood_pressure": ("85354-9", "Blood pressure panel"),
         "glucose": ("2339-0", "Glucose [Mass/volume] in Blood"),
         "weight": ("29463-7", "Body weight")}
GLUCOSE_MMOL = ("15074-8", "Glucose [Moles/volume] in Blood")


def add(ctx, patient_id: str, measurement: dict) -> str:
    """Store a measurement as a new patient-entered record; returns the record id. Raises
    AuditUnavailable, with nothing stored, when the trail cannot take its entry."""
    # A valid FHIR id, as a hospital's must be; those stored before (obs_...) are not, and the
    # export maps them (fhir.export_id).
    source_id, record_id = resource_id("obs"), opaque_id("rec")
    resource = observation(source_id, patient_id, measurement)
    candidate = SimpleNamespace(
        resource_type="Observation", source_id=source_id, category="vitals",
        effective_at=measurement["measured_at"], issued_at=ctx.now(), resource=resource,
        summary=_summary(measurement))
    # Recorded before it is stored: a measurement without its entry does not exist.
    ctx.audit.record("records.add", actor={"type": "patient", "id": patient_id},
                     patient_id=patient_id, target={"record_id": record_id})
    return store_resource(ctx, None, patient_id, candidate, None, author=patient_id,
                          new_id=record_id)[1]


def observation(source_id: str, patient_id: str, m: dict) -> dict:
    """The FHIR R4 Observation of a measurement."""
    code, display = GLUCOSE_MMOL if m.get("unit") == "mmol/L" else CODES[m["kind"]]
    resource = {
        "resourceType": "Observation", "id": source_id, "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": m["measured_at"].isoformat(),
        "performer": [{"reference": f"Patient/{patient_id}"}],
        "meta": {"tag": [{"system": "urn:phr:source", "code": "patient-entered"}]}}
    if m["kind"] == "blood_pressure":
        resource["component"] = [
            _component("8480-6", "Systolic blood pressure", m["systolic"], "mm[Hg]"),
            _component("8462-4", "Diastolic blood pressure", m["diastolic"], "mm[Hg]")]
    else:
        resource["valueQuantity"] = _quantity(m["value"], m["unit"])
    return resource


def _component(code: str, display: str, value, unit: str) -> dict:
    return {"code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
            "valueQuantity": _quantity(value, unit)}


def _quantity(value, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _summary(m: dict) -> dict:
    if m["kind"] == "blood_pressure":
        return {"display": CODES["blood_pressure"][1],
                "value": f"{m['systolic']}/{m['diastolic']}", "unit": "mm[Hg]"}
    return {"display": CODES[m["kind"]][1], "value": str(m["value"]), "unit": m["unit"]}
