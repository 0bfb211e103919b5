"""Devices, the in-app inbox, what triggers a notification, muting, and no health detail in
any title, body or data."""
import json
from datetime import timedelta

from security.totp import code_at
from tests import factories
from tests.factories import bundle, diagnosis, lab_result, now, push

CANARY = "CANARY-Lymphoma-9x"


def inbox(client, account):
    response = client.get("/v1/me/notifications", headers=account.auth)
    assert response.status_code == 200, response.json
    return response.json["items"]


def register(client, account, token="fcm-token-0001", **extra):
    return client.post("/v1/me/devices", headers=account.auth,
                       json={"token": token, "platform": "android", **extra})


def test_a_pushed_record_is_in_the_inbox_without_any_detail(client, hospital, patient):
    result = lab_result(patient.national_id)
    result["code"]["text"] = CANARY
    result["note"] = [{"text": CANARY}]
    push(client, hospital, bundle(result, diagnosis(patient.national_id)))
    items = inbox(client, patient)
    [available] = [n for n in items if n["kind"] == "record_available"]
    assert available["title"] and available["read_at"] is None
    text = json.dumps(items)
    assert CANARY not in text and patient.national_id not in text and "Test Hospital" not in text


def test_notifications_speak_the_patients_language(client, hospital, patient):
    register(client, patient, language="en")
    push(client, hospital, bundle(lab_result(patient.national_id)))
    assert inbox(client, patient)[0]["title"] == "New results available"


def test_marking_read_and_other_patients_notifications(client, hospital, patient, clock):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    first = inbox(client, patient)[0]
    path = f"/v1/me/notifications/{first['id']}/read"
    assert client.post(path, headers=patient.auth).status_code == 204
    assert inbox(client, patient)[0]["read_at"] is not None
    other = factories.signed_in_patient(client, hospital, clock)
    assert client.post(path, headers=other.auth).status_code == 404
    assert all(n["id"] != first["id"] for n in inbox(client, other))


def test_a_sign_in_without_a_trusted_device_tells_the_patient(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                      "code": code_at(patient.totp_secret, now())})
    assert [n["kind"] for n in inbox(client, patient)] == ["new_device_sign_in"]
    clock.tick(timedelta(seconds=30))
    body = {**patient.login_body, "trusted_device_token": patient.trusted_device_token}
    mfa_token = client.post("/v1/auth/login", json=body).json["mfa_token"]
    client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                      "code": code_at(patient.totp_secret, now())})
    assert len(inbox(client, patient)) == 1  # the trusted device is no news


def test_security_notifications_cannot_be_muted_others_can(app, client, hospital, patient):
    refused = client.put("/v1/me/notification-preferences", headers=patient.auth,
                         json={"muted": ["credentials_changed"]})
    assert refused.status_code == 422
    muted = client.put("/v1/me/notification-preferences", headers=patient.auth,
                       json={"muted": ["record_available"]})
    assert muted.status_code == 200 and muted.json["muted"] == ["record_available"]
    push(client, hospital, bundle(lab_result(patient.national_id)))
    for _ in range(5):
        client.post("/v1/auth/login", json={**patient.login_body, "password": "wrong pass 1"})
    kinds = [n["kind"] for n in inbox(client, patient)]
    assert "record_available" in kinds and "sign_in_trouble" in kinds  # the inbox lists all
    with app.app_context():
        pending = {d["kind"]: d["delivery"]["state"]
                   for d in app.extensions["mongo_db"].notifications.find()}
    assert pending == {"record_available": "done", "sign_in_trouble": "pending"}


def test_a_token_moves_to_the_account_that_registers_it_last(app, client, hospital, patient,
                                                             clock):
    other = factories.signed_in_patient(client, hospital, clock)
    first = register(client, patient, "shared-phone-token")
    second = register(client, other, "shared-phone-token")
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]
    assert client.delete(f"/v1/me/devices/{first.json['id']}",
                         headers=patient.auth).status_code == 404
    assert client.delete(f"/v1/me/devices/{first.json['id']}",
                         headers=other.auth).status_code == 204


def test_a_trusted_device_token_is_refused_as_a_push_token(client, patient):
    response = register(client, patient, token=patient.trusted_device_token)
    assert response.status_code == 422


def test_push_tokens_are_stored_sealed_and_signing_out_unlinks_the_device(app, client, patient):
    register(client, patient, "fcm-secret-token-77")
    db = app.extensions["mongo_db"]
    assert "fcm-secret-token-77" not in str(list(db.devices.find()))
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    assert db.devices.count_documents({"unlinked_at": None}) == 0


def test_consent_changes_and_the_first_read_under_a_consent_are_told_once(app, client, hospital,
                                                                          patient):
    with app.app_context():
        reader = factories.create_hospital("Reader")
    push(client, hospital, bundle(lab_result(patient.national_id)))
    client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "hospital", "id": reader["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment"})
    token = factories.bearer(factories.hospital_token(client, reader))
    for _ in range(2):
        client.post("/v1/hospital/records/search", headers=token,
                    json={"national_id": patient.national_id, "purpose": "treatment"})
    kinds = [n["kind"] for n in inbox(client, patient)]
    assert kinds.count("consent_changed") == 1
    assert kinds.count("first_access_under_consent") == 1
