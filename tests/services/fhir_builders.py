"""Small FHIR resources and bundles for the services.fhir tests: valid unless a test spoils them."""
from datetime import datetime, timezone

from services.fhir import NATIONAL_ID_SYSTEM, parse_bundle

NID = "079123456789"
OTHER_NID = "001234567890"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def named(nid=NID) -> dict:
    return {"identifier": {"system": NATIONAL_ID_SYSTEM, "value": nid}}


def patient(pid="p1", nid=NID, **fields) -> dict:
    identifiers = [{"system": "http://hospital.example/mrn", "value": "MRN-1"}]
    if nid is not None:
        identifiers.append({"system": NATIONAL_ID_SYSTEM, "value": nid})
    return {"resourceType": "Patient", "id": pid, "identifier": identifiers, **fields}


def observation(oid="o1", subject=None, **fields) -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "718-7",
                                 "display": "Hemoglobin"}], "text": "Hemoglobin"},
            "subject": named() if subject is None else subject, **fields}


def entry(resource, full_url=None, method="POST") -> dict:
    found = {"resource": resource, "request": {"method": method, "url": resource.get(
        "resourceType", "x") if isinstance(resource, dict) else "x"}}
    if full_url:
        found["fullUrl"] = full_url
    return found


def parse(*entries, kind="batch", max_entries=100, max_bytes=1000):
    body = {"resourceType": "Bundle", "type": kind, "entry": list(entries)}
    return parse_bundle(body, max_entries=max_entries, max_attachment_bytes=max_bytes)


def only(resource, *others, max_bytes=1000):
    """The candidate of `resource`, pushed first, with `others` after it."""
    return parse(entry(resource), *others, max_bytes=max_bytes).candidates[0]


CONCEPT = {"coding": [{"system": "http://snomed.info/sct", "code": "1234", "display": "Thing"}]}
MINIMAL = {
    "Condition": ({"code": CONCEPT, "subject": named()}, "diagnosis"),
    "MedicationRequest": ({"status": "active", "intent": "order", "subject": named(),
                           "medicationCodeableConcept": CONCEPT}, "medication"),
    "MedicationStatement": ({"status": "active", "subject": named(),
                             "medicationCodeableConcept": CONCEPT}, "medication"),
    "Procedure": ({"status": "completed", "code": CONCEPT, "subject": named()}, "procedure"),
    "Encounter": ({"status": "finished", "subject": named(), "type": [CONCEPT], "class": {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}}, "encounter"),
    "DocumentReference": ({"status": "current", "subject": named(), "type": CONCEPT, "content": [
        {"attachment": {"contentType": "application/pdf", "url": "https://h.example/d/1"}}]},
        "document"),
    "AllergyIntolerance": ({"code": CONCEPT, "patient": named()}, "allergy"),
    "Immunization": ({"status": "completed", "vaccineCode": CONCEPT, "patient": named(),
                      "occurrenceDateTime": "2024-03-01"}, "immunization"),
}


def minimal(resource_type, rid="x1", **fields) -> dict:
    return {"resourceType": resource_type, "id": rid, **MINIMAL[resource_type][0], **fields}
