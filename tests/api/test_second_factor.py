"""A second factor a stolen token cannot replace; step tokens that die; trusted device tokens
that die with their session and with every credential change."""
import json
from datetime import timedelta

import pytest

from security.totp import code_at
from tests import factories
from tests.factories import bearer, now
from tests.factories import current_ctx


def reauth(account, **override):
    return {"password": account.password, "code": code_at(account.totp_secret, now()),
            **override}


def mfa_token_of(client, account, device_token=None):
    body = dict(account.login_body)
    if device_token:
        body["trusted_device_token"] = device_token
    return client.post("/v1/auth/login", json=body).json["mfa_token"]


@pytest.mark.parametrize("body", [None, {}, {"password": factories.PASSWORD},
                                  {"code": "123456"}])
def test_a_stolen_access_token_alone_cannot_start_a_new_factor(client, patient, body):
    response = client.post("/v1/auth/totp/setup", headers=patient.auth, json=body)
    assert response.status_code == 422
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("wrong", [{"password": "not the password 123"}, {"code": "000000"}])
def test_replacing_the_factor_with_a_wrong_part_fails(client, patient, clock, wrong):
    clock.tick(timedelta(seconds=30))
    response = client.post("/v1/auth/totp/setup", headers=patient.auth,
                           json=reauth(patient, **wrong))
    assert response.status_code == 401


def test_a_wrong_password_does_not_use_up_the_code(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    code = code_at(patient.totp_secret, now())
    wrong = client.post("/v1/auth/totp/setup", headers=patient.auth,
                        json={"password": "not the password 123", "code": code})
    assert wrong.status_code == 401
    right = client.post("/v1/auth/totp/setup", headers=patient.auth,
                        json={"password": patient.password, "code": code})
    assert right.status_code == 200


def test_a_recovery_code_can_stand_in_for_the_lost_phone(client, patient):
    body = {"password": patient.password, "recovery_code": patient.recovery_codes[0]}
    assert client.post("/v1/auth/totp/setup", headers=patient.auth, json=body).status_code == 200
    again = client.post("/v1/auth/totp/setup", headers=patient.auth, json=body)
    assert again.status_code == 401  # used up


def test_replacing_the_factor_signs_every_device_out(client, patient, clock):
    other = factories.Account(national_id=patient.national_id, totp_secret=patient.totp_secret)
    factories.sign_in(client, other, clock)
    clock.tick(timedelta(seconds=30))
    secret = client.post("/v1/auth/totp/setup", headers=patient.auth,
                         json=reauth(patient)).json["secret"]
    clock.tick(timedelta(seconds=30))
    activated = client.post("/v1/auth/totp/activate", headers=patient.auth,
                            json={"code": code_at(secret, now())})
    assert activated.status_code == 200
    assert client.get("/v1/me", headers=other.auth).status_code == 401
    assert client.get("/v1/me", headers=patient.auth).status_code == 401
    assert client.get("/v1/me", headers=bearer(activated.json["access_token"])).status_code == 200
    listed = client.get("/v1/me/sessions", headers=bearer(activated.json["access_token"])).json
    assert [s["trusted_device"] for s in listed] == [True]


def test_new_recovery_codes_need_reauthentication_and_replace_the_old(client, patient, clock):
    assert client.post("/v1/auth/recovery-codes", headers=patient.auth,
                       json={"password": patient.password}).status_code == 422
    clock.tick(timedelta(seconds=30))
    fresh = client.post("/v1/auth/recovery-codes", headers=patient.auth, json=reauth(patient))
    assert fresh.status_code == 200 and len(fresh.json["recovery_codes"]) == 10
    old = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token_of(client, patient),
                                            "recovery_code": patient.recovery_codes[1]})
    assert old.status_code == 401
    new = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token_of(client, patient),
                                            "recovery_code": fresh.json["recovery_codes"][0]})
    assert new.status_code == 200


def test_an_mfa_token_works_once(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    token = mfa_token_of(client, patient)
    first = client.post("/v1/auth/mfa", json={"mfa_token": token,
                                              "code": code_at(patient.totp_secret, now())})
    assert first.status_code == 200
    clock.tick(timedelta(seconds=30))
    again = client.post("/v1/auth/mfa", json={"mfa_token": token,
                                              "code": code_at(patient.totp_secret, now())})
    assert again.status_code == 401
    recovery = client.post("/v1/auth/mfa", json={"mfa_token": token,
                                                 "recovery_code": patient.recovery_codes[0]})
    assert recovery.status_code == 401
    # The spent token used up nothing: the recovery code still works with a fresh token.
    fresh = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token_of(client, patient),
                                              "recovery_code": patient.recovery_codes[0]})
    assert fresh.status_code == 200


def test_step_tokens_die_when_the_password_changes(client, patient, clock):
    token = mfa_token_of(client, patient)
    changed = client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "another fine password 77"})
    assert changed.status_code == 204
    clock.tick(timedelta(seconds=30))
    late = client.post("/v1/auth/mfa", json={"mfa_token": token,
                                             "code": code_at(patient.totp_secret, now())})
    assert late.status_code == 401


def test_the_trusted_device_token_is_opaque_and_stored_hashed(app, client, patient):
    token = patient.trusted_device_token
    assert token.startswith("tdt_") and len(token) > 40
    for jwt_token in (patient.access_token, patient.refresh_token):
        assert token not in jwt_token
    with app.app_context():
        dump = json.dumps(list(current_ctx().db.trusted_devices.find({}, {"_id": 0})), default=str)
    assert token not in dump and token[4:] not in dump


def locked_out_with_token(client, account, device_token):
    """Lock the untrusted path, then sign in with `device_token`: 200 if it still works."""
    for _ in range(5):
        client.post("/v1/auth/login", json={**account.login_body, "password": "wrong pass 123"})
    body = {**account.login_body, "trusted_device_token": device_token}
    return client.post("/v1/auth/login", json=body).status_code


def test_the_trusted_device_token_dies_with_its_session(client, patient):
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    assert locked_out_with_token(client, patient, patient.trusted_device_token) == 429


def test_the_trusted_device_token_dies_with_a_password_change(client, patient):
    client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "another fine password 77"})
    patient.password = "another fine password 77"
    listed = client.get("/v1/me/sessions", headers=patient.auth).json
    assert [s["trusted_device"] for s in listed] == [False]
    assert locked_out_with_token(client, patient, patient.trusted_device_token) == 429


def test_the_trusted_device_token_dies_with_refresh_token_reuse(client, patient):
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))  # reuse
    assert locked_out_with_token(client, patient, patient.trusted_device_token) == 429


def test_a_live_trusted_device_token_gets_through_the_lock(client, patient):
    assert locked_out_with_token(client, patient, patient.trusted_device_token) == 200


def test_a_sign_in_racing_a_disable_ends_signed_out(app, client, patient, clock, monkeypatch):
    from services.operations import admin
    from services.signin import auth
    real_spend = auth.factors.spend

    def spend_while_disabled(ctx, kind, account, code, recovery_code):
        accepted = real_spend(ctx, kind, account, code, recovery_code)
        admin.disable_account(ctx, kind, account["_id"])  # lands during the code check
        return accepted
    monkeypatch.setattr(auth.factors, "spend", spend_while_disabled)
    clock.tick(timedelta(seconds=30))
    response = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token_of(client, patient),
                                                 "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 401
    with app.app_context():
        live = current_ctx().db.sessions.count_documents({"revoked_at": None})
    assert live == 0
