"""Access and refresh tokens: lifetime, claims, algorithms, rotation, revocation, audiences."""
import base64
import json
from datetime import timedelta

import jwt
import mongomock
import pytest

from tests import factories
from tests.factories import bearer
from tests.factories import current_ctx


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_401_problem(response):
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 401


def test_access_token_lives_at_most_15_minutes(client, patient, clock):
    claims = claims_of(patient.access_token)
    assert claims["exp"] - claims["iat"] <= 15 * 60
    clock.tick(timedelta(minutes=14))
    assert client.get("/v1/me", headers=patient.auth).status_code == 200
    clock.tick(timedelta(minutes=1, seconds=1))
    assert_401_problem(client.get("/v1/me", headers=patient.auth))


def test_tokens_carry_an_opaque_subject_and_no_personal_data(client, patient):
    for token in (patient.access_token, patient.refresh_token):
        claims = claims_of(token)
        assert set(claims) <= {"sub", "aud", "sid", "iat", "nbf", "exp", "jti", "type",
                               "fresh", "iss"}
        assert patient.national_id not in json.dumps(claims)
        assert claims["sub"].startswith("pat_") and claims["aud"] == "patient"


def test_alg_none_token_is_rejected(client, patient):
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_of(patient.access_token))}."
    assert_401_problem(client.get("/v1/me", headers=bearer(forged)))


def test_token_signed_with_another_key_is_rejected(client, patient):
    forged = jwt.encode(claims_of(patient.access_token), "an attacker's own secret key 1234567",
                        algorithm="HS256")
    assert_401_problem(client.get("/v1/me", headers=bearer(forged)))


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer ", "Basic abc", "Bearer a.b.c"])
def test_malformed_tokens_answer_401_not_422(client, header):
    assert_401_problem(client.get("/v1/me", headers={"Authorization": header}))


def test_missing_token_answers_401_with_a_bearer_challenge(client):
    response = client.get("/v1/me")
    assert_401_problem(response)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_refresh_rotates_the_pair(client, patient):
    response = client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    assert response.status_code == 200
    assert response.json["refresh_token"] != patient.refresh_token
    assert client.get("/v1/me", headers=bearer(response.json["access_token"])).status_code == 200
    again = client.post("/v1/auth/refresh", headers=bearer(response.json["refresh_token"]))
    assert again.status_code == 200


def test_refresh_reuse_revokes_the_whole_session(client, patient):
    rotated = client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token)).json
    reuse = client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    assert_401_problem(reuse)
    # every token of that session is dead: the newest pair and the original access token
    assert_401_problem(client.post("/v1/auth/refresh", headers=bearer(rotated["refresh_token"])))
    assert_401_problem(client.get("/v1/me", headers=bearer(rotated["access_token"])))
    assert_401_problem(client.get("/v1/me", headers=patient.auth))


def test_refresh_reuse_leaves_other_devices_signed_in(client, patient, clock):
    other = factories.Account(national_id=patient.national_id, totp_secret=patient.totp_secret)
    factories.sign_in(client, other, clock)
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    assert client.get("/v1/me", headers=other.auth).status_code == 200


def test_refreshed_access_token_is_not_fresh(client, patient):
    pair = client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token)).json
    assert claims_of(pair["access_token"])["fresh"] is False
    assert claims_of(patient.access_token)["fresh"] is not False


def test_access_token_cannot_refresh_and_refresh_token_cannot_read(client, patient):
    assert_401_problem(client.post("/v1/auth/refresh", headers=patient.auth))
    assert_401_problem(client.get("/v1/me", headers=bearer(patient.refresh_token)))


def test_logout_revokes_the_session(client, patient):
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    assert_401_problem(client.get("/v1/me", headers=patient.auth))
    assert_401_problem(client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token)))


def test_revocation_is_read_from_the_database(app, client, patient):
    """No in-process blocklist: revoking the stored session is what stops the token."""
    with app.app_context():
        current_ctx().repos.sessions.revoke(patient.session_id, "test")
    assert_401_problem(client.get("/v1/me", headers=patient.auth))


def test_logout_survives_a_restart(make_app, hospital, clock, monkeypatch):
    first = make_app()
    client = first.test_client()
    with first.app_context():
        creds = factories.create_hospital()
    account = factories.signed_in_patient(client, creds, clock)
    assert client.post("/v1/auth/logout", headers=account.auth).status_code == 204
    if not first.config["MONGO_URI"]:
        # The embedded database lives in the process; the restarted app gets the same store,
        # and everything else (JWT manager, limiter, caches) anew, as after a real restart.
        store = first.extensions["mongo_client"]._store
        real_client = mongomock.MongoClient
        monkeypatch.setattr(mongomock, "MongoClient",
                            lambda **kwargs: real_client(_store=store, **kwargs))
    restarted = make_app(MONGO_DB_NAME=first.config["MONGO_DB_NAME"])
    assert_401_problem(restarted.test_client().get("/v1/me", headers=account.auth))
    assert_401_problem(restarted.test_client().post("/v1/auth/refresh",
                                                    headers=bearer(account.refresh_token)))


def test_sessions_list_and_sign_out_another_device(client, patient, clock):
    other = factories.Account(national_id=patient.national_id, totp_secret=patient.totp_secret)
    factories.sign_in(client, other, clock)
    listed = client.get("/v1/me/sessions", headers=patient.auth)
    assert listed.status_code == 200
    assert {s["id"] for s in listed.json} == {patient.session_id, other.session_id}
    assert [s["current"] for s in listed.json if s["id"] == patient.session_id] == [True]
    assert client.delete(f"/v1/me/sessions/{other.session_id}",
                         headers=patient.auth).status_code == 204
    assert_401_problem(client.get("/v1/me", headers=other.auth))
    assert client.get("/v1/me", headers=patient.auth).status_code == 200


def test_cannot_sign_out_another_patients_session(client, hospital, patient, clock):
    stranger = factories.signed_in_patient(client, hospital, clock)
    response = client.delete(f"/v1/me/sessions/{stranger.session_id}", headers=patient.auth)
    assert response.status_code == 404
    assert client.get("/v1/me", headers=stranger.auth).status_code == 200


def test_password_change_needs_a_fresh_sign_in_and_signs_out_other_devices(client, patient,
                                                                           clock):
    body = {"current_password": patient.password, "new_password": "brand new river stone 7"}
    other = factories.Account(national_id=patient.national_id, totp_secret=patient.totp_secret)
    factories.sign_in(client, other, clock)
    clock.tick(timedelta(minutes=6))
    stale = client.post("/v1/me/password", json=body, headers=other.auth)
    assert_401_problem(stale)
    factories.sign_in(client, patient, clock)
    assert client.post("/v1/me/password", json=body, headers=patient.auth).status_code == 204
    assert_401_problem(client.get("/v1/me", headers=other.auth))
    assert client.get("/v1/me", headers=patient.auth).status_code == 200
    old = client.post("/v1/auth/login", json=patient.login_body)
    assert old.status_code == 401
    new = client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                              "password": body["new_password"]})
    assert new.status_code == 200


def test_password_change_refuses_a_wrong_current_or_weak_new_password(client, patient):
    wrong = client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": "not my password 123", "new_password": "brand new river stone 7"})
    assert wrong.status_code == 401
    weak = client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "password123"})
    assert weak.status_code == 422 and "password" in weak.json["errors"]


class TestAudiences:
    """A token of one audience is refused on another audience's paths."""

    def test_hospital_token_is_refused_on_patient_and_staff_paths(self, client, hospital):
        token = bearer(factories.hospital_token(client, hospital))
        assert client.get("/v1/me", headers=token).status_code == 403
        assert client.post("/v1/staff/patients/search", json={"national_id": "001234567890"},
                           headers=token).status_code == 403
        assert client.post("/v1/auth/logout", headers=token).status_code == 403

    def test_patient_token_is_refused_on_hospital_and_staff_paths(self, client, patient):
        issue = client.post("/v1/hospital/activation-codes", headers=patient.auth,
                            json={"national_id": "001234567890"})
        assert issue.status_code == 403
        assert client.post("/v1/staff/patients/search", json={"national_id": "001234567890"},
                           headers=patient.auth).status_code == 403

    def test_staff_token_is_refused_on_patient_and_hospital_paths(self, app, client, clock):
        staff = factories.enroll_totp(client, factories.create_staff(app), clock)
        assert client.get("/v1/me", headers=staff.auth).status_code == 403
        assert client.get("/v1/me/sessions", headers=staff.auth).status_code == 403
        issue = client.post("/v1/hospital/activation-codes", headers=staff.auth,
                            json={"national_id": "001234567890"})
        assert issue.status_code == 403

    def test_step_tokens_open_nothing_but_their_step(self, client, patient, hospital):
        mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
        assert client.get("/v1/me", headers=bearer(mfa_token)).status_code == 403
        assert client.post("/v1/auth/totp/setup", headers=bearer(mfa_token)).status_code == 403
        enrollment = factories.registered_patient(client, hospital)
        token = client.post("/v1/auth/login", json=enrollment.login_body).json["enrollment_token"]
        assert_401_problem(client.post("/v1/auth/refresh", headers=bearer(token)))
        assert client.post("/v1/auth/logout", headers=bearer(token)).status_code == 403
