"""Records at their edges (from mutation testing): what the export says of the person, and what
the trail keeps of an export."""
from models.db import get_db
from tests import factories
from tests.factories import bearer, bundle, diagnosis, hospital_token, lab_result, push


def patient_resource(client, account):
    exported = client.get("/v1/me/export", headers=account.auth).json
    [found] = [e["resource"] for e in exported["entry"]
               if e["resource"]["resourceType"] == "Patient"]
    return found


def test_the_export_names_the_person_as_the_hospital_recorded_them(client, hospital, clock):
    account = factories.Account(national_id=factories.next_national_id())
    issued = client.post("/v1/hospital/activation-codes",
                         headers=bearer(hospital_token(client, hospital)),
                         json={"national_id": account.national_id, "name": "Phạm Thu Hà",
                               "birth_date": "1990-07-15"})
    registered = client.post("/v1/auth/register", json={
        "national_id": account.national_id, "activation_code": issued.json["activation_code"],
        "password": account.password})
    assert registered.status_code == 201
    factories.enroll_totp(client, account, clock)
    resource = patient_resource(client, account)
    assert resource["name"] == [{"text": "Phạm Thu Hà"}]
    assert resource["birthDate"] == "1990-07-15"


def test_the_export_leaves_out_what_nobody_recorded(client, patient):
    resource = patient_resource(client, patient)
    assert "name" not in resource and "birthDate" not in resource


def test_an_export_is_on_the_trail_with_how_many_records_it_held(app, client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    client.get("/v1/me/export", headers=patient.auth)
    with app.app_context():
        [entry] = get_db().audit_log.find({"action": "records.export"})
    assert entry["target"] == {"count": 2}
