"""A consent receipt names a person grantee by a value that links nothing: keyed with the
consent's id, so it is not the national ID's blind index (which any patient could otherwise
learn for any national ID by granting to it) and no two receipts share it."""
import base64
import json

from tests import factories


def receipt_grantee(consent: dict) -> dict:
    payload = consent["receipt"]["payload"]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["grantee"]


def grant_to(client, account, grantee_account, purpose="caregiving") -> dict:
    response = client.post("/v1/me/consents", headers=account.auth, json={
        "grantee": factories.person(grantee_account), "categories": ["lab"],
        "purpose": purpose})
    assert response.status_code == 201
    return response.json


def test_receipts_name_a_person_grantee_by_a_value_of_that_consent_only(app, client, hospital,
                                                                        clock):
    first, second, carer = (factories.signed_in_patient(client, hospital, clock)
                            for _ in range(3))
    by_first = grant_to(client, first, carer)
    again_by_first = grant_to(client, first, carer, purpose="research")
    by_second = grant_to(client, second, carer)
    keys = [receipt_grantee(c)["key"] for c in (by_first, again_by_first, by_second)]
    assert len(set(keys)) == 3  # two patients' receipts, or two consents, share nothing
    blind_index = factories.stored_patient(app, carer.national_id)["national_id_hash"]
    assert blind_index not in keys
    assert all(receipt_grantee(c)["kind"] == "person" for c in (by_first, by_second))


def test_a_receipt_with_an_opaque_grantee_still_verifies(client, hospital, patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    receipt = grant_to(client, patient, carer)["receipt"]
    checked = client.post("/v1/consent-receipts/verify", json=receipt)
    assert checked.status_code == 200 and checked.json["valid"] is True


def test_a_hospital_grantee_is_named_by_its_public_id(app, client, patient):
    with app.app_context():
        reader = factories.create_hospital("Reader Hospital")
    response = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "hospital", "id": reader["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment"})
    assert receipt_grantee(response.json) == {"kind": "hospital", "key": reader["hospital_id"]}
