"""Pushes at their edges (from mutation testing): a transaction that amends the hospital's own
record of the same patient."""
from tests.factories import bundle, diagnosis, lab_result, push


def records_of(client, account):
    response = client.get("/v1/me/records", headers=account.auth)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_a_transaction_amends_the_hospitals_own_record_of_the_same_patient(client, hospital,
                                                                          patient):
    first = push(client, hospital, bundle(lab_result(patient.national_id, value=5.0),
                                          bundle_type="transaction"))
    assert first.status_code == 200
    amended = push(client, hospital, bundle(lab_result(patient.national_id, value=6.5),
                                            diagnosis(patient.national_id),
                                            bundle_type="transaction"))
    assert amended.status_code == 200, amended.json
    assert amended.json["type"] == "transaction-response"
    [lab, dx] = [e["response"] for e in amended.json["entry"]]
    assert (lab["status"], lab["etag"]) == ("200 OK", 'W/"2"')
    assert dx["status"] == "201 Created"
    [record] = [r for r in records_of(client, patient) if r["category"] == "lab"]
    assert record["version"] == 2 and record["resource"]["valueQuantity"]["value"] == 6.5
