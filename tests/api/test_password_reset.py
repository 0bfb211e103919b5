"""POST /v1/auth/password-reset: a front-desk activation code, the new password and the
second factor; every session ends; wrong parts answer alike and burn nothing."""
from datetime import timedelta

import pytest

from security.totp import code_at
from tests import factories
from tests.factories import now

NEW = "another fine password 77"


def reset(client, account, activation_code, **factor):
    return client.post("/v1/auth/password-reset", json={
        "national_id": account.national_id, "activation_code": activation_code,
        "new_password": NEW, **factor})


def test_a_forgotten_password_is_reset_and_every_session_ends(client, hospital, patient, clock):
    code = factories.activation_code(client, hospital, patient.national_id)
    clock.tick(timedelta(seconds=30))
    response = reset(client, patient, code, code=code_at(patient.totp_secret, now()))
    assert response.status_code == 204
    assert client.get("/v1/me", headers=patient.auth).status_code == 401
    assert client.post("/v1/auth/login", json=patient.login_body).status_code == 401
    patient.password = NEW
    factories.sign_in(client, patient, clock)
    assert client.get("/v1/me", headers=patient.auth).status_code == 200


def test_a_recovery_code_stands_in_for_the_phone(client, hospital, patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    response = reset(client, patient, code, recovery_code=patient.recovery_codes[0])
    assert response.status_code == 204


def test_the_reset_kills_the_trusted_device_token(client, hospital, patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    assert reset(client, patient, code, recovery_code=patient.recovery_codes[0]).status_code == 204
    body = {**patient.login_body, "password": NEW,
            "trusted_device_token": patient.trusted_device_token}
    for _ in range(5):
        client.post("/v1/auth/login", json={**patient.login_body, "password": "wrong pass 123"})
    assert client.post("/v1/auth/login", json=body).status_code == 429


def test_wrong_parts_answer_alike_and_burn_nothing(client, hospital, patient, clock):
    code = factories.activation_code(client, hospital, patient.national_id)
    clock.tick(timedelta(seconds=30))
    totp = code_at(patient.totp_secret, now())
    wrong_code = reset(client, patient, "AAAA-BBBB-CCCC", code=totp)
    wrong_factor = reset(client, patient, code, code="000000")
    no_factor = reset(client, patient, code)
    stranger = reset(client, factories.Account(national_id="099999999992"), code, code=totp)
    answers = {r.status_code for r in (wrong_code, wrong_factor, no_factor, stranger)}
    assert answers == {400}
    assert wrong_code.json == wrong_factor.json == no_factor.json == stranger.json
    assert reset(client, patient, code, code=totp).status_code == 204


def test_a_weak_new_password_is_refused_before_anything_is_used(client, hospital, patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    weak = client.post("/v1/auth/password-reset", json={
        "national_id": patient.national_id, "activation_code": code, "new_password": "password123",
        "recovery_code": patient.recovery_codes[0]})
    assert weak.status_code == 422
    assert reset(client, patient, code, recovery_code=patient.recovery_codes[0]).status_code == 204


def test_a_code_cannot_reset_an_unregistered_patient(client, hospital):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    response = reset(client, factories.Account(national_id=national_id), code)
    assert response.status_code == 400
    register = client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code, "password": factories.PASSWORD})
    assert register.status_code == 201  # the code still works for what it is for


def test_registration_with_a_code_of_a_registered_patient_points_to_the_reset(client, hospital,
                                                                               patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    register = client.post("/v1/auth/register", json={
        "national_id": patient.national_id, "activation_code": code, "password": NEW})
    assert register.status_code == 400 and "reset" in register.json["detail"]
    assert reset(client, patient, code, recovery_code=patient.recovery_codes[0]).status_code == 204


def test_wrong_codes_lock_strangers_but_not_the_code_holder(client, hospital, patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    statuses = [reset(client, patient, "AAAA-BBBB-CCCC", code="000000").status_code
                for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    owner = reset(client, patient, code, recovery_code=patient.recovery_codes[0])
    assert owner.status_code == 204


def test_factor_guesses_have_a_budget_that_new_codes_cannot_refill(client, hospital, patient):
    """Whoever can issue codes (a hospital client) still gets five factor guesses in all."""
    statuses = []
    for _ in range(3):
        code = factories.activation_code(client, hospital, patient.national_id)
        statuses += [reset(client, patient, code, code="000000").status_code for _ in range(2)]
    assert statuses == [400, 400, 400, 400, 429, 429]
    code = factories.activation_code(client, hospital, patient.national_id)
    assert reset(client, patient, code,
                 recovery_code=patient.recovery_codes[0]).status_code == 429


def test_a_reset_gives_the_owner_a_fresh_sign_in_path(client, hospital, patient, clock):
    for _ in range(5):
        client.post("/v1/auth/login", json={**patient.login_body, "password": "wrong pass 123"})
    assert client.post("/v1/auth/login", json=patient.login_body).status_code == 429
    code = factories.activation_code(client, hospital, patient.national_id)
    assert reset(client, patient, code, recovery_code=patient.recovery_codes[0]).status_code == 204
    patient.password = NEW
    factories.sign_in(client, patient, clock)


@pytest.mark.parametrize("body", [
    {"national_id": {"$ne": None}, "activation_code": "x", "new_password": NEW},
    {"national_id": "001234567890", "activation_code": ["x"], "new_password": NEW},
    {"national_id": "001234567890", "activation_code": "x", "new_password": NEW,
     "code": "123456", "recovery_code": "AAAAA-BBBBB"},
])
def test_malformed_resets_are_refused_by_the_schema(client, body):
    assert client.post("/v1/auth/password-reset", json=body).status_code == 422
