"""A hospital that is itself a sensitive specialty (an HIV clinic, a psychiatric hospital) gives
its patients' condition away by its name alone: once an operator marks it, every record it
pushed carries its labels, so it (and its name) reaches only those the patient named the labels
for; staff see consents to it without its name."""
import pytest

from tests import factories
from tests.factories import bundle, lab_result, push


@pytest.fixture
def clinic(app):
    with app.app_context():
        made = factories.create_hospital("Phòng khám Ngoại trú HIV Quận 1")
    result = app.test_cli_runner().invoke(args=["mark-hospital-sensitive", made["hospital_id"],
                                                "--label", "hiv"])
    assert result.exit_code == 0, result.output
    return made


@pytest.fixture
def carer(client, hospital, clock):
    return factories.signed_in_patient(client, hospital, clock)


def grant(client, patient, grantee, **extra):
    response = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": grantee, "categories": ["lab"], "purpose": "caregiving", **extra})
    assert response.status_code == 201
    return response.json


def test_every_record_of_a_sensitive_clinic_is_hidden_without_its_label(
        client, hospital, clinic, patient, carer):
    push(client, clinic, bundle(lab_result(patient.national_id, "clinic-glucose")))
    push(client, hospital, bundle(lab_result(patient.national_id, "ordinary-glucose")))
    owner = factories.owner_id(client, patient)
    grant(client, patient, factories.person(carer))
    read = factories.shared_records(client, carer, owner).json["items"]
    assert [r["hospital_id"] for r in read] == [hospital["hospital_id"]]
    assert all(r["hospital_name"] != "Phòng khám Ngoại trú HIV Quận 1" for r in read)


def test_a_consent_naming_the_label_shows_the_clinic_and_its_name(client, clinic, patient,
                                                                  carer):
    push(client, clinic, bundle(lab_result(patient.national_id, "clinic-glucose")))
    owner = factories.owner_id(client, patient)
    grant(client, patient, factories.person(carer), sensitive=["hiv"])
    [record] = factories.shared_records(client, carer, owner).json["items"]
    assert record["hospital_name"] == "Phòng khám Ngoại trú HIV Quận 1"


def test_another_hospital_does_not_see_the_clinics_records_under_treatment_consent(
        app, client, clinic, patient):
    with app.app_context():
        reader = factories.create_hospital("Reader Hospital")
    push(client, clinic, bundle(lab_result(patient.national_id, "clinic-glucose")))
    grant_body = {"grantee": {"type": "hospital", "id": reader["hospital_id"]},
                  "categories": ["lab"], "purpose": "treatment"}
    assert client.post("/v1/me/consents", headers=patient.auth,
                       json=grant_body).status_code == 201
    found = client.post("/v1/hospital/records/search", headers=factories.bearer(
        factories.hospital_token(client, reader)), json={"national_id": patient.national_id,
                                                         "purpose": "treatment"})
    assert found.status_code == 200 and found.json["items"] == []


def test_staff_see_a_consent_to_a_sensitive_clinic_without_its_name(app, client, clinic,
                                                                     patient, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    grant(client, patient, {"type": "hospital", "id": clinic["hospital_id"]},
          purpose="treatment")
    owner = factories.owner_id(client, patient)
    [seen] = client.get(f"/v1/staff/patients/{owner}/consents", headers=staff.auth).json
    assert seen["grantee"] == {"type": "hospital", "hidden": True}
    assert clinic["hospital_id"] not in str(seen)
    [mine] = client.get("/v1/me/consents", headers=patient.auth).json
    assert mine["grantee"] == {"type": "hospital", "id": clinic["hospital_id"]}


def test_marking_names_known_labels_and_an_existing_hospital(app, hospital):
    runner = app.test_cli_runner()
    unknown_label = runner.invoke(args=["mark-hospital-sensitive", hospital["hospital_id"],
                                        "--label", "gossip"])
    assert unknown_label.exit_code != 0 and "Unknown" in unknown_label.output
    no_such = runner.invoke(args=["mark-hospital-sensitive", "hosp_nowhere", "--label", "hiv"])
    assert no_such.exit_code != 0
