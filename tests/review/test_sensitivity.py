"""Review of issue 15: sensitive classes by meaning. Diagnoses as Vietnamese hospitals write them
(text only, or a local code with a display) whose ICD-10 code the vocabulary itself labels, yet
whose words it misses, reach a caregiver who was granted `diagnosis` only; and some ordinary
records are hidden for a word they share with a sensitive term."""
import pytest

from consent import labels_of
from tests import factories
from tests.factories import bundle, push, subject
from tests.review.common import grant, record_ids
from tests.review.sensitive_cases import MISSED, ORDINARY


@pytest.mark.parametrize("label, text", MISSED)
def test_a_text_only_diagnosis_carries_its_sensitive_class(label, text):
    assert label in labels_of({"resourceType": "Condition", "code": {"text": text}})


@pytest.mark.parametrize("text", ORDINARY)
def test_an_ordinary_record_carries_no_sensitive_label(text):
    assert labels_of({"resourceType": "Observation", "code": {"text": text}}) == frozenset()


def _condition(national_id, resource_id, text):
    return {"resourceType": "Condition", "id": resource_id, "code": {"text": text},
            "subject": subject(national_id), "onsetDateTime": "2026-10-01"}


def test_a_caregiver_granted_diagnosis_only_sees_no_sensitive_diagnosis_sent_as_text(
        client, hospital, patient, clock):
    sent = {"dx-termination": "Đình chỉ thai 10 tuần", "dx-gonorrhoea": "Nhiễm lậu",
            "dx-dissociative": "Rối loạn phân ly", "dx-arv": "Phác đồ TDF/3TC/DTG",
            "dx-ordinary": "Tăng huyết áp"}
    push(client, hospital, bundle(*(_condition(patient.national_id, rid, text)
                                    for rid, text in sent.items())))
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, factories.person(carer), ["diagnosis"])
    seen = record_ids(factories.shared_records(client, carer, factories.owner_id(client,
                                                                                 patient)))
    assert "dx-ordinary" in seen
    assert sorted(set(seen) - {"dx-ordinary"}) == []


def test_an_unmarked_psychiatric_hospitals_name_does_not_reach_a_caregiver(
        app, client, patient, clock, hospital):
    name = "Bệnh viện Tâm thần Trung ương 1"  # the vocabulary's own mental-health example
    with app.app_context():
        psychiatric = factories.create_hospital(name)  # nobody ran mark-hospital-sensitive
    assert push(client, psychiatric, bundle(factories.lab_result(
        patient.national_id))).status_code == 200
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, factories.person(carer), ["lab"])
    read = factories.shared_records(client, carer, factories.owner_id(client, patient))
    items = read.json["items"] if read.status_code == 200 else []
    shown = [item["hospital_name"] for item in items]
    assert name not in shown
