"""Tokens at their edges: what the token answers tell a client, how long each token lives, how
long a used sign-in step is remembered, and the hints that tell a user to start over."""
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from security.totp import code_at
from tests import factories
from tests.api.test_session_edges import PHONE, sessions_of, signed_in_by_activation
from tests.api.test_session_edges import signed_in_by_mfa
from tests.factories import bearer, now
from tests.factories import current_ctx


def test_token_answers_say_how_to_use_the_token_and_how_long_it_lasts(client, hospital,
                                                                     patient, clock):
    """RFC 6749 5.1: token_type (compared case-insensitively) and expires_in in seconds."""
    answers = [signed_in_by_mfa(client, patient, clock, PHONE),
               signed_in_by_activation(client, hospital, PHONE),
               client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token)).json,
               client.post("/v1/auth/token", json={"client_id": hospital["client_id"],
                                                   "client_secret": hospital["client_secret"]}).json]
    for answer in answers:
        assert answer["token_type"].lower() == "bearer"
        assert answer["expires_in"] == 900


def test_the_refresh_token_says_it_lasts_as_long_as_the_session(make_app, clock):
    app = make_app(REFRESH_TOKEN_DAYS=7)
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    account = factories.signed_in_patient(client, hospital, clock)
    claims = jwt.decode(account.refresh_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    listed = sessions_of(client, account)[account.session_id]
    expires = datetime.fromisoformat(listed["expires_at"]).replace(tzinfo=timezone.utc)
    assert int(expires.timestamp()) == claims["exp"]


def test_used_mfa_tokens_are_tidied_away_once_they_have_expired(app, client, patient, clock):
    signed_in_by_mfa(client, patient, clock, PHONE)
    with app.app_context():
        assert current_ctx().db.used_step_tokens.count_documents({}) == 1  # kept while it could be replayed
        clock.tick(timedelta(minutes=4))
        assert current_ctx().db.used_step_tokens.count_documents({}) == 1
        clock.tick(timedelta(hours=1, minutes=2))  # expired, plus the index's hour of grace
        assert current_ctx().db.used_step_tokens.count_documents({}) == 0


def expired(client, patient, clock):
    token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    clock.tick(timedelta(minutes=6))
    return token


def used(client, patient, clock):
    token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    clock.tick(timedelta(seconds=30))
    client.post("/v1/auth/mfa", json={"mfa_token": token,
                                      "code": code_at(patient.totp_secret, now())})
    return token


def an_access_token(client, patient, clock):
    return patient.access_token


def after_a_password_change(client, patient, clock):
    token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "another fine password 77"})
    return token


@pytest.mark.parametrize("dead_token", [expired, used, an_access_token, after_a_password_change])
def test_a_dead_sign_in_step_tells_the_user_to_sign_in_again(client, patient, clock,
                                                             dead_token):
    token = dead_token(client, patient, clock)
    clock.tick(timedelta(seconds=30))
    response = client.post("/v1/auth/mfa", json={"mfa_token": token,
                                                 "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 401
    assert "sign in again" in response.json["detail"].lower()


def test_a_reused_refresh_token_tells_the_user_the_session_was_signed_out(client, patient):
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    reuse = client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    assert reuse.status_code == 401
    assert "signed out" in reuse.json["detail"]


def test_a_used_mfa_token_is_remembered_until_it_expires_whatever_the_servers_time_zone(
        app, hospital, server_clock_five_hours_behind_utc):
    """The record that makes an mfa token single-use must not be tidied away while the token
    still works; its expiry is the token's own, in UTC, on any server."""
    client = app.test_client()
    account = factories.enroll_totp(client, factories.registered_patient(client, hospital), None)
    mfa_token = client.post("/v1/auth/login", json=account.login_body).json["mfa_token"]
    signed_in = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                  "recovery_code": account.recovery_codes[0]})
    assert signed_in.status_code == 200
    expires = jwt.decode(mfa_token, options={"verify_signature": False})["exp"]
    with app.app_context():
        [record] = current_ctx().db.used_step_tokens.find()
    assert record["expires_at"] == datetime.fromtimestamp(expires, timezone.utc)


def test_access_tokens_last_as_long_as_configured(make_app, clock):
    app = make_app(ACCESS_TOKEN_MINUTES=5)
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    account = factories.signed_in_patient(client, hospital, clock)
    refreshed = client.post("/v1/auth/refresh", headers=bearer(account.refresh_token)).json
    hospital_answer = client.post("/v1/auth/token", json={
        "client_id": hospital["client_id"], "client_secret": hospital["client_secret"]}).json
    for answer in (account.access_token, refreshed["access_token"],
                   hospital_answer["access_token"]):
        claims = jwt.decode(answer, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == 300
    assert refreshed["expires_in"] == hospital_answer["expires_in"] == 300
