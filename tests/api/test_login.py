"""POST /v1/auth/login: answers, enumeration resistance, lockout and rate limits."""
from datetime import timedelta

import pytest

from security.totp import code_at
from tests import factories
from tests.factories import bearer, now


def login(client, body):
    return client.post("/v1/auth/login", json=body)


def comparable(response):
    # The request id differs on every answer by design; it says nothing about the account.
    headers = {k: v for k, v in response.headers
               if k not in ("Date", "Content-Length", "X-Request-ID")}
    return response.status_code, response.get_data(as_text=True), headers


def test_password_before_totp_only_opens_enrollment(client, hospital):
    account = factories.registered_patient(client, hospital)
    response = login(client, account.login_body)
    assert response.status_code == 200
    assert set(response.json) == {"enrollment_token"}
    me = client.get("/v1/me", headers=bearer(response.json["enrollment_token"]))
    assert me.status_code == 403


def test_password_with_totp_active_asks_for_the_code(client, patient):
    response = login(client, patient.login_body)
    assert response.status_code == 200
    assert set(response.json) == {"mfa_token"}
    assert client.get("/v1/me", headers=bearer(response.json["mfa_token"])).status_code == 403


def test_unknown_account_and_wrong_password_answer_identically(client, patient):
    wrong_password = login(client, {**patient.login_body, "password": "not the password at all"})
    unknown = login(client, {"national_id": "099999999999", "password": "not the password at all"})
    assert wrong_password.status_code == 401
    assert comparable(wrong_password) == comparable(unknown)


def test_patient_known_to_a_hospital_but_unregistered_answers_like_unknown(client, hospital):
    national_id = factories.next_national_id()
    factories.activation_code(client, hospital, national_id)  # the patient record now exists
    known = login(client, {"national_id": national_id, "password": "some password here 1"})
    unknown = login(client, {"national_id": "099999999998", "password": "some password here 1"})
    assert comparable(known) == comparable(unknown)


def test_unknown_staff_username_and_wrong_password_answer_identically(app, client):
    staff = factories.create_staff(app)
    wrong = login(client, {"username": staff.username, "password": "wrong password value"})
    unknown = login(client, {"username": "nobody.here", "password": "wrong password value"})
    assert comparable(wrong) == comparable(unknown)


@pytest.mark.parametrize("body", [
    {"national_id": {"$ne": None}, "password": "x"},
    {"national_id": {"$gt": ""}, "password": {"$ne": None}},
    {"username": {"$regex": ".*"}, "password": "x"},
    {"username": ["admin"], "password": "x"},
    {"national_id": "001234567890", "password": {"$ne": None}},
])
def test_operator_injection_in_login_is_rejected(client, patient, body):
    response = login(client, body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "mfa_token" not in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [{"password": "abcdefgh"},
                                  {"national_id": "001234567890", "username": "a",
                                   "password": "abcdefgh"}])
def test_login_takes_exactly_one_identifier(client, body):
    assert login(client, body).status_code == 422


def test_repeated_wrong_passwords_lock_the_account(client, patient, clock):
    wrong = {**patient.login_body, "password": "wrong password value"}
    statuses = [login(client, wrong).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = login(client, patient.login_body)  # even the right password
    assert locked.status_code == 429
    assert locked.content_type == "application/problem+json"
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    clock.tick(timedelta(seconds=901))
    assert login(client, patient.login_body).status_code == 200


def test_lockout_answers_the_same_for_an_unknown_account(client, patient):
    unknown = {"national_id": "099999999997", "password": "wrong password value"}
    known = {**patient.login_body, "password": "wrong password value"}
    for _ in range(5):
        login(client, unknown)
        login(client, known)
    assert comparable(login(client, unknown)) == comparable(login(client, known))


def test_wrong_totp_codes_count_toward_the_lockout(client, patient, clock):
    mfa_token = login(client, patient.login_body).json["mfa_token"]
    statuses = [client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "000000"})
                .status_code for _ in range(5)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    clock.tick(timedelta(seconds=30))
    right = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                              "code": code_at(patient.totp_secret, now())})
    assert right.status_code == 429
    assert login(client, patient.login_body).status_code == 429


def test_correct_password_does_not_reset_the_totp_failure_count(client, patient):
    for _ in range(4):
        mfa_token = login(client, patient.login_body).json["mfa_token"]
        client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "000000"})
    mfa_token = login(client, patient.login_body).json["mfa_token"]
    fifth = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "000000"})
    assert fifth.status_code == 429


def test_lockout_holds_with_rate_limits_switched_off(make_app, hospital, clock):
    app = make_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    body = {"national_id": "099999999996", "password": "wrong password value"}
    assert [login(client, body).status_code for _ in range(6)][-1] == 429


def test_rate_limit_on_sign_in_answers_429_problem(make_app):
    app = make_app(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute",
                   LOCKOUT_THRESHOLD=100)
    client = app.test_client()
    body = {"national_id": "099999999995", "password": "wrong password value"}
    statuses = [login(client, body).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = login(client, body)
    assert limited.content_type == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0


def test_retry_after_only_where_waiting_is_the_answer(make_app):
    app = make_app(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="1 per minute")
    client = app.test_client()
    body = {"national_id": "099999999994", "password": "wrong password value"}
    failed, limited = login(client, body), login(client, body)
    assert failed.status_code == 401 and "Retry-After" not in failed.headers
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/v1/auth/register", "/v1/auth/mfa", "/v1/auth/token",
                                  "/v1/auth/refresh"])
def test_rate_limit_covers_registration_and_token_endpoints(make_app, path):
    app = make_app(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [client.post(path, json={}).status_code for _ in range(3)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
