"""services.fhir as plain values: a hospital's Bundle in, record candidates out. No app."""
import copy
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from services.errors import InvalidInput
import fhir.resources.R4B.fhirtypes as r4b_types
from services.fhir import (NATIONAL_ID_SYSTEM, RECORD_CATEGORIES, STORED_TYPES, BundleRejected,
                           collection_bundle, operation_outcome, parse_bundle, response_bundle,
                           warm_up)
from services.fhir.dates import to_utc
from services.fhir.resource_types import R4B_TYPES

SAMPLES = Path("/work/shared/fhir-samples/synthea")
NID = "079123456789"
OTHER_NID = "001234567890"
NOT_STORED_IN_SAMPLES = {"Claim", "ExplanationOfBenefit", "Organization", "Practitioner",
                         "CarePlan", "Patient"}


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


# -- The Synthea exports: each sample is read and parsed once for the module ----------------

@pytest.fixture(scope="module")
def warm_up_seconds():
    """Load the R4B models first, as start-up would, so the samples' times are parse times."""
    started = time.perf_counter()
    warm_up()
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def samples(warm_up_seconds):
    """name -> (body with the national ID added, a copy of it, ParsedBundle, seconds)."""
    found = {}
    for path in sorted(SAMPLES.glob("*.json")):
        body = json.loads(path.read_text())
        for item in body["entry"]:
            if item["resource"]["resourceType"] == "Patient":
                item["resource"]["identifier"].append({"system": NATIONAL_ID_SYSTEM, "value": NID})
        sent = copy.deepcopy(body)
        started = time.perf_counter()
        parsed = parse_bundle(body, max_entries=200, max_attachment_bytes=1 << 20)
        found[path.name.split("_")[0]] = (body, sent, parsed, time.perf_counter() - started)
    return found


SAMPLE_NAMES = ["Buster", "Clemente", "Liz"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_synthea_export_is_taken_with_every_record_ok_and_nothing_invalid(samples, name):
    body, sent, parsed, _ = samples[name]
    assert parsed.bundle_type == "transaction"
    assert len(parsed.candidates) == len(body["entry"])
    assert [c.status for c in parsed.candidates if c.status == "invalid"] == []
    for candidate, item in zip(parsed.candidates, body["entry"]):
        resource = item["resource"]
        assert candidate.resource is resource and candidate.full_url == item["fullUrl"]
        if resource["resourceType"] in STORED_TYPES:
            assert candidate.status == "ok", candidate.issues
            assert candidate.national_id == NID and candidate.source_id == resource["id"]
            assert candidate.category and candidate.summary.get("display")
            assert candidate.effective_at.tzinfo is timezone.utc
        else:
            assert resource["resourceType"] in NOT_STORED_IN_SAMPLES
            assert candidate.status == "not_stored" and candidate.issues
    assert body == sent  # parsing never changes what was sent
    assert [p.national_id for p in parsed.patients] == [NID]


def test_synthea_samples_hold_every_kind_the_brief_names(samples):
    kinds = {c.resource_type for _, _, parsed, _ in samples.values() for c in parsed.candidates}
    assert {"Observation", "Condition", "Encounter", "Immunization", "DiagnosticReport",
            "Procedure", "MedicationRequest", "Claim", "ExplanationOfBenefit", "Organization",
            "Practitioner"} <= kinds


def test_synthea_parse_times(samples, warm_up_seconds):
    """Prints the parse time of each sample (pytest -s), after warm_up loaded the models."""
    print(f"\nwarm_up (R4B models of the validated types): {warm_up_seconds:.3f} s")
    for name in SAMPLE_NAMES:
        body, _, _, seconds = samples[name]
        print(f"{name}: {len(body['entry'])} entries parsed in {seconds:.3f} s")
        assert seconds < 5


def test_synthea_patient_without_the_national_id_leaves_every_record_invalid():
    body = json.loads(next(SAMPLES.glob("Buster*.json")).read_text())
    parsed = parse_bundle(body, max_entries=200, max_attachment_bytes=1 << 20)
    records = [c for c in parsed.candidates if c.resource_type in STORED_TYPES]
    assert records and {c.status for c in records} == {"invalid"}
    assert "not named by a national ID" in records[0].issues[0]
    assert parsed.patients == []


# -- Categories -----------------------------------------------------------------------------

OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"


def category(system, code) -> list:
    return [{"coding": [{"system": system, "code": code} if system else {"code": code}]}]


@pytest.mark.parametrize("categories, expected", [
    (category(OBS_CATEGORY, "laboratory"), "lab"),
    (category(OBS_CATEGORY, "vital-signs"), "vitals"),
    (category(OBS_CATEGORY, "imaging"), "imaging"),
    (category(OBS_CATEGORY, "survey"), "observation"),
    (category(None, "laboratory"), "lab"),
    (category("http://example.org/local", "laboratory"), "observation"),
    (None, "observation"),
])
def test_observation_category_maps_to_record_category(categories, expected):
    resource = observation(**({"category": categories} if categories else {}))
    assert only(resource).category == expected


@pytest.mark.parametrize("categories, expected", [
    (category(V2_0074, "RAD"), "imaging"),
    (category(V2_0074, "CT"), "imaging"),
    (category("http://loinc.org", "LP29684-5"), "imaging"),
    (category(None, "RAD"), "imaging"),
    (category(OBS_CATEGORY, "imaging"), "imaging"),
    (category(V2_0074, "LAB"), "lab"),
    (category(V2_0074, "HM"), "lab"),
    (category("http://loinc.org", "LP7839-6"), "lab"),
    (category("http://loinc.org", "LP29708-2"), "report"),
    (category(V2_0074, "EC"), "report"),
    (category(V2_0074, "LAB") + category(V2_0074, "RAD"), "imaging"),
    (None, "report"),
])
def test_diagnostic_report_category_maps_to_record_category(categories, expected):
    resource = {"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
                "code": {"text": "Chest X-ray"}, "subject": named()}
    if categories:
        resource["category"] = categories
    assert only(resource).category == expected


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


def test_stored_types_are_the_brief_s_and_every_resource_name_is_an_r4b_type():
    assert set(STORED_TYPES) == {*MINIMAL, "Observation", "DiagnosticReport"}
    assert {*STORED_TYPES, "Patient", "Claim", "Organization"} <= R4B_TYPES
    assert [name for name in sorted(R4B_TYPES) if not hasattr(r4b_types, name + "Type")] == []


@pytest.mark.parametrize("resource_type", sorted(MINIMAL))
def test_each_stored_type_maps_to_its_category(resource_type):
    candidate = only(minimal(resource_type))
    assert (candidate.status, candidate.category) == ("ok", MINIMAL[resource_type][1])
    assert candidate.category in RECORD_CATEGORIES
    assert candidate.national_id == NID and candidate.source_id == "x1"
    assert candidate.summary["code"] == "1234" and candidate.summary["display"] == "Thing"


# -- Naming the patient ---------------------------------------------------------------------

def test_patient_named_by_identifier_needs_no_patient_entry():
    parsed = parse(entry(observation()))
    assert parsed.candidates[0].national_id == NID and parsed.patients == []


@pytest.mark.parametrize("full_url, reference", [
    ("urn:uuid:0b6c4c5e-8a44-4fd9-9d2b-5f0e0d1f2a11", "urn:uuid:0b6c4c5e-8a44-4fd9-9d2b-5f0e0d1f2a11"),
    ("urn:uuid:0b6c4c5e-8a44-4fd9-9d2b-5f0e0d1f2a11", "Patient/p1"),
    ("https://his.example/fhir/Patient/p1", "https://his.example/fhir/Patient/p1"),
    (None, "Patient/p1"),
    (None, "Patient/p1/_history/3"),
])
def test_patient_named_by_reference_to_a_patient_entry(full_url, reference):
    parsed = parse(entry(patient(name=[{"text": "Nguyễn Văn An"}], birthDate="1990-05-04"),
                         full_url),
                   entry(observation(subject={"reference": reference})))
    person, record = parsed.candidates
    assert person.status == "not_stored" and person.national_id == NID
    assert (record.status, record.national_id) == ("ok", NID), record.issues
    assert [(p.national_id, p.name, p.birth_date) for p in parsed.patients] == [
        (NID, "Nguyễn Văn An", "1990-05-04")]


@pytest.mark.parametrize("resource_type", ["AllergyIntolerance", "Immunization"])
def test_types_whose_field_is_patient_resolve_through_it(resource_type):
    parsed = parse(entry(patient(), "urn:uuid:p"),
                   entry(minimal(resource_type, patient={"reference": "urn:uuid:p"})))
    assert parsed.candidates[1].national_id == NID
    wrong_field = minimal(resource_type, subject=named())
    del wrong_field["patient"]
    assert only(wrong_field).status == "invalid"


def test_patient_entry_may_come_after_the_records_that_reference_it():
    parsed = parse(entry(observation(subject={"reference": "urn:uuid:p"})),
                   entry(patient(), "urn:uuid:p"))
    assert parsed.candidates[0].national_id == NID


def test_patient_named_by_contained_patient():
    resource = observation(subject={"reference": "#pt"}, contained=[patient("pt")])
    assert only(resource).national_id == NID


def test_identifier_beside_a_reference_to_the_hospitals_own_server_is_enough():
    resource = observation(subject={"reference": "Patient/on-their-server", **named()})
    assert (only(resource).status, only(resource).national_id) == ("ok", NID)


def refused(resource, *others) -> list[str]:
    candidate = parse(*others, entry(resource)).candidates[-1]
    assert candidate.status == "invalid" and candidate.national_id is None
    return candidate.issues


@pytest.mark.parametrize("subject", [
    None, {"display": "Nguyen Van An"},
    {"identifier": {"system": "http://hl7.org/fhir/sid/us-ssn", "value": NID}},
])
def test_resource_without_a_national_id_is_invalid(subject):
    resource = observation(subject=subject or {})
    if subject is None:
        del resource["subject"]
    assert "the patient is not named by a national ID" in refused(resource)[0]


@pytest.mark.parametrize("value", ["07912345678", "0791234567890", "07912345678a", " 079123456789",
                                   "０７９１２３４５６７８９", "٠٧٩١٢٣٤٥٦٧٨٩", "079123456789\n"])
def test_malformed_national_id_is_invalid_and_not_repeated(value):
    issues = refused(observation(subject=named(value)))
    assert "must be exactly 12 digits" in issues[0] and value.strip() not in " ".join(issues)


def test_reference_to_a_missing_patient_entry_is_invalid():
    issues = refused(observation(subject={"reference": "urn:uuid:nobody"}),
                     entry(patient(), "urn:uuid:somebody"))
    assert "not named by a national ID" in issues[0] and "'urn:uuid:nobody'" in issues[0]


def test_patient_entry_without_the_national_id_names_nobody():
    parsed = parse(entry(patient(nid=None), "urn:uuid:p"),
                   entry(observation(subject={"reference": "urn:uuid:p"})))
    person, record = parsed.candidates
    assert person.status == "not_stored" and NATIONAL_ID_SYSTEM in person.issues[1]
    assert record.status == "invalid" and NATIONAL_ID_SYSTEM in record.issues[0]
    assert parsed.patients == []


def test_national_id_marked_old_does_not_name_the_patient():
    old = patient(nid=None, identifier=[{"system": NATIONAL_ID_SYSTEM, "value": NID, "use": "old"}])
    assert refused(observation(subject={"reference": "Patient/p1"}), entry(old))


@pytest.mark.parametrize("identifiers", [
    [{"system": NATIONAL_ID_SYSTEM, "value": "12345"}],
    [{"system": NATIONAL_ID_SYSTEM, "value": NID}, {"system": NATIONAL_ID_SYSTEM, "value": OTHER_NID}],
])
def test_patient_entry_with_a_malformed_national_id_is_invalid_and_so_are_its_records(identifiers):
    parsed = parse(entry(patient(nid=None, identifier=identifiers), "urn:uuid:p"),
                   entry(observation(subject={"reference": "urn:uuid:p"})))
    assert [c.status for c in parsed.candidates] == ["invalid", "invalid"]
    assert parsed.patients == []


def test_invalid_patient_entry_is_named_in_its_records_issues():
    parsed = parse(entry(patient(gender=["not", "a", "code"]), "urn:uuid:p"),
                   entry(observation(subject={"reference": "urn:uuid:p"})))
    assert parsed.candidates[0].status == "invalid"
    assert "the Patient in entry 0 is invalid" in parsed.candidates[1].issues[0]


@pytest.mark.parametrize("subject, others, words", [
    ({"reference": "urn:uuid:p", **named(OTHER_NID)}, [entry(patient(), "urn:uuid:p")],
     "name different national IDs"),
    ({"reference": "urn:uuid:p"}, [entry(patient("a"), "urn:uuid:p"),
                                   entry(patient("b", OTHER_NID), "urn:uuid:p")],
     "different national IDs"),
    ({"reference": "Practitioner/p1"}, [entry(patient())], "must refer to a Patient"),
    ({"type": "Group", **named()}, [], "type must be Patient"),
])
def test_ambiguous_or_wrong_subjects_are_invalid(subject, others, words):
    assert words in refused(observation(subject=subject), *others)[0]


def test_two_patients_in_one_batch_each_get_their_records():
    parsed = parse(entry(patient("a"), "urn:uuid:a"), entry(patient("b", OTHER_NID), "urn:uuid:b"),
                   entry(observation("o1", {"reference": "urn:uuid:a"})),
                   entry(observation("o2", {"reference": "urn:uuid:b"})))
    assert [c.national_id for c in parsed.candidates[2:]] == [NID, OTHER_NID]
    assert [p.national_id for p in parsed.patients] == [NID, OTHER_NID]


@pytest.mark.parametrize("fields, name, birth_date", [
    ({"name": [{"family": "Nguyễn", "given": ["Văn", "An"]}], "birthDate": "1990"},
     "Nguyễn Văn An", None),
    ({"name": [{"use": "nickname", "text": "Bé Na"}, {"use": "official", "text": "Trần Thị Na"}],
      "birthDate": "1990-05"}, "Trần Thị Na", None),
    ({}, None, None),
])
def test_patient_info_takes_the_official_name_and_only_a_full_birth_date(fields, name, birth_date):
    [info] = parse(entry(patient(**fields))).patients
    assert (info.name, info.birth_date) == (name, birth_date)


# -- Entries that cannot be taken -----------------------------------------------------------

@pytest.mark.parametrize("change, where", [
    (lambda r: r.pop("status"), "Observation.status:"),
    (lambda r: r.update(text={"status": "generated"}), "Observation.text.div:"),
    (lambda r: r.update(effectiveDateTime="2024-03-01T10:00:00"), "Observation.effectiveDateTime:"),
    (lambda r: r.update(colour="red"), "Observation.colour:"),
    (lambda r: r.update(component=[{"valueString": "x"}]), "Observation.component[0].code:"),
])
def test_strictly_invalid_resource_is_an_invalid_entry_while_the_others_stay_ok(change, where):
    bad = observation("bad")
    change(bad)
    parsed = parse(entry(observation("o1")), entry(bad), entry(observation("o2")))
    assert [c.status for c in parsed.candidates] == ["ok", "invalid", "ok"]
    issues = parsed.candidates[1].issues
    assert any(issue.startswith(where) for issue in issues), issues
    assert all(len(issue) < 300 and "\n" not in issue for issue in issues)


def test_a_resource_with_many_faults_gets_a_bounded_list_of_issues():
    bad = observation(**{f"made_up_{i}": i for i in range(40)})
    issues = only(bad).issues
    assert len(issues) == 11 and issues[-1] == "... and 30 more problems"


@pytest.mark.parametrize("item, words", [
    ("not an object", "not a JSON object"),
    ({"fullUrl": "urn:uuid:x"}, "has no resource"),
    ({"resource": {"id": "x"}}, "has no resourceType"),
    ({"resource": {"resourceType": "Foo", "id": "x"}}, "'Foo' is not a FHIR R4 resource type"),
    ({"resource": {"resourceType": "Quantity", "value": 1}}, "not a FHIR R4 resource type"),
    ({"resource": {"resourceType": "DomainResource"}}, "not a FHIR R4 resource type"),
    ({"request": {"method": "DELETE", "url": "Observation/o1"}}, "'DELETE' is not taken"),
    (entry(observation(), method="GET"), "'GET' is not taken"),
])
def test_unreadable_entries_are_invalid(item, words):
    [candidate] = parse(item).candidates
    assert candidate.status == "invalid" and words in candidate.issues[0]


def test_record_without_an_id_is_invalid():
    resource = observation()
    del resource["id"]
    assert "Observation.id is missing" in only(resource).issues[0]
    assert "longer than 64" in only(observation("a" * 65)).issues[0]


def test_put_must_name_the_resource_it_carries():
    put = entry(observation("o1"), method="PUT")
    put["request"]["url"] = "Observation/o2"
    assert "does not name this resource" in parse(put).candidates[0].issues[0]
    put["request"]["url"] = "Observation/o1"
    assert parse(put).candidates[0].status == "ok"


def test_types_we_do_not_store_are_not_stored_and_not_validated():
    parsed = parse(entry({"resourceType": "Organization", "id": "h", "made_up": 1}),
                   entry({"resourceType": "MedicinalProduct", "id": "m"}),  # R4 only, not R4B
                   entry({"resourceType": "Provenance"}))
    assert [c.status for c in parsed.candidates] == ["not_stored"] * 3
    assert "Organization is not a record type" in parsed.candidates[0].issues[0]


def test_a_bundle_holds_one_version_of_a_resource():
    parsed = parse(entry(observation("o1")), entry(observation("o1")), entry(minimal("Condition", "o1")))
    assert [c.status for c in parsed.candidates] == ["ok", "invalid", "ok"]
    assert "entry 0 already carries Observation/o1" in parsed.candidates[1].issues[0]


@pytest.mark.parametrize("where", ["value", "key", "full_url", "claim"])
def test_lone_surrogate_anywhere_in_an_entry_makes_it_invalid(where):
    resource = observation(valueString="fine")
    item = entry(resource, "urn:uuid:o1")
    if where == "value":
        resource["valueString"] = "bad \ud800 text"
    elif where == "key":
        resource["note"] = [{"text": "x", "\udc00": 1}]
    elif where == "full_url":
        item["fullUrl"] = "urn:uuid:\udfff"
    else:
        item = entry({"resourceType": "Claim", "id": "c1", "status": "active\ud83d"})
    [candidate] = parse(item).candidates
    assert candidate.status == "invalid" and "not valid Unicode" in candidate.issues[0]
    assert candidate.resource is None and candidate.full_url in (None, "urn:uuid:o1")


def test_deeply_nested_resource_is_invalid_not_a_crash():
    extension = {"url": "http://x.example/e", "valueString": "x"}
    for _ in range(900):
        extension = {"url": "http://x.example/e", "extension": [extension]}
    issues = only(observation(extension=[extension])).issues
    assert "nests too deeply" in issues[0]


# -- Bundles refused as a whole --------------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    ([], "must be a FHIR Bundle"),
    ("Bundle", "must be a FHIR Bundle"),
    (observation(), "must be a FHIR Bundle"),
    ({"resourceType": "Bundle", "type": "collection", "entry": [entry(observation())]},
     "Bundle.type must be \"batch\" or \"transaction\", not 'collection'"),
    ({"resourceType": "Bundle", "entry": [entry(observation())]}, "Bundle.type is missing"),
    ({"resourceType": "Bundle", "type": 7, "entry": [entry(observation())]}, "not 7"),
    ({"resourceType": "Bundle", "type": "batch"}, "Bundle.entry must be a list"),
    ({"resourceType": "Bundle", "type": "batch", "entry": []}, "one or more entries"),
    ({"resourceType": "Bundle", "type": "batch", "entry": {"resource": {}}}, "must be a list"),
    ({"resourceType": "Bundle", "type": "batch", "entry": [entry(observation(str(i)))
                                                          for i in range(4)]},
     "4 entries, more than the 3 taken at once"),
])
def test_bundle_refused_as_a_whole(body, words):
    with pytest.raises(BundleRejected) as refusal:
        parse_bundle(body, max_entries=3, max_attachment_bytes=10)
    assert any(words in issue for issue in refusal.value.issues), refusal.value.issues
    assert isinstance(refusal.value, InvalidInput) and refusal.value.errors == {
        "bundle": refusal.value.issues}


def test_bundle_at_the_entry_limit_is_taken():
    assert len(parse(*[entry(observation(str(i))) for i in range(3)], kind="transaction",
                     max_entries=3).candidates) == 3


# -- Attachments -----------------------------------------------------------------------------

def document(*attachments, resource_type="DocumentReference") -> dict:
    if resource_type == "DiagnosticReport":
        return {"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
                "code": {"text": "CT head"}, "subject": named(), "presentedForm": list(attachments)}
    return minimal("DocumentReference", content=[{"attachment": a} for a in attachments])


@pytest.mark.parametrize("resource_type", ["DocumentReference", "DiagnosticReport"])
def test_inline_attachment_limit_at_its_edge(resource_type):
    import base64
    at_limit = {"contentType": "application/pdf", "data": base64.b64encode(b"x" * 1000).decode()}
    over = {"contentType": "application/pdf", "data": base64.b64encode(b"x" * 1001).decode()}
    assert only(document(at_limit, resource_type=resource_type), max_bytes=1000).status == "ok"
    candidate = only(document(at_limit, over, resource_type=resource_type), max_bytes=1000)
    assert candidate.status == "invalid"
    assert "[1]" in candidate.issues[0] and "decodes to 1001 bytes" in candidate.issues[0]


def test_attachment_by_url_has_no_size_limit():
    by_url = {"contentType": "application/dicom", "url": "https://pacs.example/s/1", "size": 10 ** 9}
    assert only(document(by_url), max_bytes=1).status == "ok"


def test_attachment_data_that_is_not_base64_is_invalid():
    issues = only(document({"contentType": "text/plain", "data": "abcde"})).issues
    assert issues[0].startswith("DocumentReference.content[0].attachment.data:")


# -- Times -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2024", utc(2024, 1, 1)),
    ("2024-03", utc(2024, 3, 1)),
    ("2024-03-15", utc(2024, 3, 15)),
    ("2024-03-15T10:30:00+07:00", utc(2024, 3, 15, 3, 30)),
    ("2024-03-15T10:30:00Z", utc(2024, 3, 15, 10, 30)),
    ("2024-03-15T23:30:00.123456789-05:00", utc(2024, 3, 16, 4, 30, 0, 123456)),
    ("2016-12-31T23:59:60Z", utc(2017, 1, 1)),
    ("2024-03-15T10:30:00", None),
    ("2024-02-30", None),
    (20240315, None),
])
def test_fhir_times_become_aware_utc(value, expected):
    found = to_utc(value)
    assert found == expected and (found is None or found.tzinfo is timezone.utc)


@pytest.mark.parametrize("resource, effective, issued", [
    (observation(effectivePeriod={"start": "2024-03-15T08:00:00+07:00"},
                 issued="2024-03-15T09:00:00+07:00"), utc(2024, 3, 15, 1), utc(2024, 3, 15, 2)),
    (observation(effectiveInstant="2024-03-15T01:00:00Z", meta={
        "lastUpdated": "2024-03-16T00:00:00Z"}), utc(2024, 3, 15, 1), utc(2024, 3, 16)),
    (observation(), None, None),
    (minimal("Condition", onsetDateTime="2024-03-15", recordedDate="2024-03-20"),
     utc(2024, 3, 15), utc(2024, 3, 20)),
    (minimal("Condition", onsetPeriod={"start": "2024-03"}), utc(2024, 3, 1), None),
    (minimal("Condition", recordedDate="2024-03-20T10:00:00+07:00"), utc(2024, 3, 20, 3),
     utc(2024, 3, 20, 3)),
    (minimal("MedicationRequest", authoredOn="2024-03-15"), utc(2024, 3, 15), utc(2024, 3, 15)),
    (minimal("MedicationStatement", effectivePeriod={"start": "2024-01-01"},
             dateAsserted="2024-02-01"), utc(2024, 1, 1), utc(2024, 2, 1)),
    (minimal("Procedure", performedPeriod={"start": "2024-03-15T10:00:00Z",
                                           "end": "2024-03-15T11:00:00Z"}), utc(2024, 3, 15, 10), None),
    (minimal("Procedure", performedDateTime="2024-03-15"), utc(2024, 3, 15), None),
    (minimal("Encounter", period={"start": "2024-03-15T10:00:00+07:00"}), utc(2024, 3, 15, 3), None),
    (minimal("Immunization", recorded="2024-03-02"), utc(2024, 3, 1), utc(2024, 3, 2)),
    (minimal("AllergyIntolerance", onsetDateTime="2010", recordedDate="2024-03-02"),
     utc(2010, 1, 1), utc(2024, 3, 2)),
    (minimal("DocumentReference", date="2024-03-15T10:00:00+07:00"), utc(2024, 3, 15, 3),
     utc(2024, 3, 15, 3)),
    (minimal("DocumentReference", context={"period": {"start": "2024-03-14"}},
             date="2024-03-15T10:00:00Z"), utc(2024, 3, 14), utc(2024, 3, 15, 10)),
])
def test_clinical_and_issued_times_per_type(resource, effective, issued):
    candidate = only(resource)
    assert candidate.status == "ok", candidate.issues
    assert (candidate.effective_at, candidate.issued_at) == (effective, issued)


# -- Summaries -------------------------------------------------------------------------------

def test_summary_of_a_measurement_and_a_panel():
    value = only(observation(valueQuantity={"value": 13.5, "unit": "g/dL"})).summary
    assert value == {"code": "718-7", "display": "Hemoglobin", "value": "13.5", "unit": "g/dL",
                     "status": "final"}
    part = {"code": {"coding": [{"code": "8480-6", "display": "Systolic"}]},
            "valueQuantity": {"value": 120, "code": "mm[Hg]"}}
    panel = only(observation(component=[part])).summary
    assert panel["components"] == [{"code": "8480-6", "display": "Systolic", "value": "120",
                                    "unit": "mm[Hg]"}]
    coded = only(observation(valueCodeableConcept={"text": "Never smoker"})).summary
    assert coded["value"] == "Never smoker"
    long_text = only(observation(valueString="x" * 5000)).summary["value"]
    assert len(long_text) == 200


def test_summary_reads_clinical_status_and_medication_names():
    condition = minimal("Condition", clinicalStatus={"coding": [{"code": "active"}]})
    assert only(condition).summary["status"] == "active"
    by_reference = minimal("MedicationRequest", medicationReference={"display": "Paracetamol 500 mg"})
    del by_reference["medicationCodeableConcept"]
    assert only(by_reference).summary == {"display": "Paracetamol 500 mg", "status": "active"}


# -- What we answer with ----------------------------------------------------------------------

def test_operation_outcome_shape():
    outcome = operation_outcome(["Observation.status: required", "second"])
    assert outcome == {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid", "diagnostics": "Observation.status: required"},
        {"severity": "error", "code": "invalid", "diagnostics": "second"}]}
    informational = operation_outcome([], severity="information", code="informational")
    assert informational["issue"] == [{"severity": "information", "code": "informational"}]
    for resource in (outcome, informational):
        OperationOutcome.model_validate(resource)


@pytest.mark.parametrize("kind, answer", [("batch", "batch-response"),
                                          ("transaction", "transaction-response")])
def test_response_bundle_shape(kind, answer):
    entries = [{"status": "201 Created", "location": "Observation/abc/_history/1",
                "lastModified": datetime(2024, 3, 15, 10, tzinfo=timezone.utc),
                "outcome": operation_outcome(["stored"], "information", "informational")},
               {"status": "200 OK", "outcome": operation_outcome(
                   ["Claim is not stored"], "information", "informational")},
               {"status": "400 Bad Request", "outcome": operation_outcome(["bad"])}]
    bundle = response_bundle(kind, entries)
    assert bundle["type"] == answer and len(bundle["entry"]) == 3
    assert bundle["entry"][0]["response"]["lastModified"] == "2024-03-15T10:00:00.000Z"
    assert bundle["entry"][2] == {"response": {"status": "400 Bad Request",
                                               "outcome": operation_outcome(["bad"])}}
    Bundle.model_validate(bundle)


def test_response_bundle_refuses_what_it_cannot_answer():
    with pytest.raises(ValueError):
        response_bundle("collection", [])
    with pytest.raises(ValueError):
        response_bundle("batch", [{"status": "200 OK", "Location": "x"}])
    assert "entry" not in response_bundle("batch", [])


def test_collection_bundle_shape(samples):
    body = samples["Liz"][0]
    resources = [item["resource"] for item in body["entry"]]
    person = next(r for r in resources if r["resourceType"] == "Patient")
    records = [r for r in resources if r["resourceType"] in STORED_TYPES]
    bundle = collection_bundle(person, records, timestamp=utc(2026, 11, 25, 9))
    assert bundle["type"] == "collection" and bundle["timestamp"] == "2026-11-25T09:00:00.000Z"
    assert [e["resource"] for e in bundle["entry"]] == [person, *records]
    Bundle.model_validate(bundle)


def test_the_parser_runs_without_flask_or_a_database():
    probe = ("import sys, services.fhir; "
             "print(sorted(m for m in ('flask', 'pymongo', 'mongomock', 'api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
