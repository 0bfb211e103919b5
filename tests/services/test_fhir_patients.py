"""services.fhir: how a resource names its patient (national ID), and what the bundle's Patient
entries say about the person."""
import pytest

from services.fhir import NATIONAL_ID_SYSTEM
from tests.services.fhir_builders import (NID, OTHER_NID, entry, minimal, named, observation,
                                          only, parse, patient)


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
