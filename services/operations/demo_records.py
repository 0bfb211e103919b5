"""The demo hospitals' first results for a demo patient, as a FHIR batch bundle: a lab panel,
a diagnosis, a medication and an imaging report (synthetic, for trying the API)."""
import uuid

from services.fhir import NATIONAL_ID_SYSTEM

LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PANEL = [("718-7", "Hemoglobin [Mass/volume] in Blood", 13.8, "g/dL"),
         ("6690-2", "Leukocytes [#/volume] in Blood", 6.4, "10*3/uL"),
         ("777-3", "Platelets [#/volume] in Blood", 245, "10*3/uL"),
         ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", 102, "mg/dL")]


def first_results(national_id: str, day: str) -> dict:
    """A batch Bundle naming the patient through a Patient entry, as hospital systems export."""
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    subject = {"reference": patient_url}
    tag = national_id[-4:]
    resources = [_observation(f"lab-{tag}-{code}", subject, day, code, name, value, unit)
                 for code, name, value, unit in PANEL]
    resources += [
        {"resourceType": "Condition", "id": f"dx-{tag}", "subject": subject,
         "clinicalStatus": {"coding": [{
             "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
             "code": "active"}]},
         "code": {"coding": [{"system": SNOMED, "code": "38341003",
                              "display": "Hypertensive disorder"}]},
         "onsetDateTime": day},
        {"resourceType": "MedicationRequest", "id": f"rx-{tag}", "status": "active",
         "intent": "order", "subject": subject, "authoredOn": day,
         "medicationCodeableConcept": {"text": "Amlodipine 5 mg tablet"},
         "dosageInstruction": [{"text": "1 tablet by mouth once a day"}]},
        {"resourceType": "DiagnosticReport", "id": f"img-{tag}", "status": "final",
         "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                   "code": "RAD"}]}],
         "code": {"coding": [{"system": LOINC, "code": "36643-5",
                              "display": "XR Chest 2 Views"}]},
         "subject": subject, "effectiveDateTime": f"{day}T09:30:00+07:00",
         "issued": f"{day}T11:00:00+07:00",
         "conclusion": "No acute cardiopulmonary abnormality."}]
    entries = [{"fullUrl": patient_url, "resource": {
        "resourceType": "Patient", "identifier": [{"system": NATIONAL_ID_SYSTEM,
                                                   "value": national_id}]}}]
    entries += [{"resource": r, "request": {"method": "PUT",
                                            "url": f"{r['resourceType']}/{r['id']}"}}
                for r in resources]
    return {"resourceType": "Bundle", "type": "batch", "entry": entries}


def _observation(resource_id, subject, day, code, name, value, unit) -> dict:
    return {"resourceType": "Observation", "id": resource_id, "status": "final",
            "category": [{"coding": [{"system": CATEGORY, "code": "laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": code, "display": name}]},
            "subject": subject, "effectiveDateTime": f"{day}T07:45:00+07:00",
            "issued": f"{day}T10:15:00+07:00",
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org",
                              "code": unit}}
