"""Sessions and token answers at their edges: what a session remembers of its device, what the
token answers tell a client, how long the refresh token says it lives, and the hints that tell a
user to start over."""
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from security.totp import code_at
from tests import factories
from tests.factories import bearer, now
from tests.factories import current_ctx

PHONE = "PHR-Android/3.2 (Pixel 8; Android 15)"


def sessions_of(client, account):
    return {s["id"]: s for s in client.get("/v1/me/sessions", headers=account.auth).json}


def signed_in_by_mfa(client, patient, clock, user_agent):
    clock.tick(timedelta(seconds=30))
    mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    response = client.post("/v1/auth/mfa", headers={"User-Agent": user_agent}, json={
        "mfa_token": mfa_token, "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 200
    return response.json


def signed_in_by_activation(client, hospital, user_agent):
    account = factories.registered_patient(client, hospital)
    token = bearer(client.post("/v1/auth/login", json=account.login_body).json["enrollment_token"])
    secret = client.post("/v1/auth/totp/setup", headers=token).json["secret"]
    response = client.post("/v1/auth/totp/activate", headers={**token, "User-Agent": user_agent},
                           json={"code": code_at(secret, now())})
    assert response.status_code == 200
    return response.json


@pytest.mark.parametrize("how", ["mfa", "activation"])
def test_a_session_lists_the_device_it_was_started_from(client, hospital, patient, clock, how):
    if how == "mfa":
        body = signed_in_by_mfa(client, patient, clock, PHONE)
    else:
        body = signed_in_by_activation(client, hospital, PHONE)
    viewer = factories.Account(access_token=body["access_token"])
    assert sessions_of(client, viewer)[body["session_id"]]["user_agent"] == PHONE


def test_a_long_user_agent_is_kept_to_200_characters(client, patient, clock):
    body = signed_in_by_mfa(client, patient, clock, "x" * 1000)
    stored = sessions_of(client, patient)[body["session_id"]]["user_agent"]
    assert stored == "x" * 200


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


# Why a session ended is kept on the session and on its trusted device token, for whoever looks
# into an incident later (a reused refresh token above all). Each way a session ends:
def by_signing_out(app, client, hospital, patient, clock):
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    return patient.session_id, "signed_out"


def by_ending_it_from_another_device(app, client, hospital, patient, clock):
    other = factories.sign_in(client, factories.Account(
        national_id=patient.national_id, totp_secret=patient.totp_secret), clock)
    ended = client.delete(f"/v1/me/sessions/{patient.session_id}", headers=other.auth)
    assert ended.status_code == 204
    return patient.session_id, "signed_out"


def by_reusing_a_refresh_token(app, client, hospital, patient, clock):
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    assert client.post("/v1/auth/refresh",
                       headers=bearer(patient.refresh_token)).status_code == 401
    return patient.session_id, "refresh_token_reuse"


def by_a_password_change_elsewhere(app, client, hospital, patient, clock):
    other = factories.sign_in(client, factories.Account(
        national_id=patient.national_id, totp_secret=patient.totp_secret), clock)
    changed = client.post("/v1/me/password", headers=other.auth, json={
        "current_password": patient.password, "new_password": "another fine password 77"})
    assert changed.status_code == 204
    return patient.session_id, "password_changed"


def by_a_staff_reset_of_the_second_factor(app, client, hospital, patient, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    reset = client.post(f"/v1/staff/patients/{owner_id}/reset-mfa", headers=staff.auth,
                        json={"reason": "Lost phone; identity checked with CCCD card at desk"})
    assert reset.status_code == 204
    return patient.session_id, "second_factor_reset_by_staff"


def by_replacing_the_second_factor(app, client, hospital, patient, clock):
    clock.tick(timedelta(seconds=30))
    secret = client.post("/v1/auth/totp/setup", headers=patient.auth, json={
        "password": patient.password, "code": code_at(patient.totp_secret, now())}).json["secret"]
    clock.tick(timedelta(seconds=30))
    activated = client.post("/v1/auth/totp/activate", headers=patient.auth,
                            json={"code": code_at(secret, now())})
    assert activated.status_code == 200
    return patient.session_id, "second_factor_replaced"


@pytest.mark.parametrize("ending", [by_signing_out, by_ending_it_from_another_device,
                                    by_reusing_a_refresh_token, by_a_password_change_elsewhere,
                                    by_a_staff_reset_of_the_second_factor,
                                    by_replacing_the_second_factor])
def test_a_session_and_its_device_token_keep_why_they_ended(app, client, hospital, patient,
                                                            clock, ending):
    session_id, reason = ending(app, client, hospital, patient, clock)
    with app.app_context():
        session = current_ctx().db.sessions.find_one({"_id": session_id})
        [device] = current_ctx().db.trusted_devices.find({"session_id": session_id})
    assert session["revoked_at"] is not None and session["revoked_reason"] == reason
    assert device["revoked_at"] is not None and device["revoked_reason"] == reason


def test_a_sign_in_overtaken_by_a_disable_ends_its_new_session_as_stale(app, client, patient,
                                                                        clock, monkeypatch):
    """The account is disabled while the code is checked: the session just started is ended
    again, and says why."""
    from models import accounts
    from services.signin import auth
    start = auth.sessions.start

    def disabled_in_the_meantime(ctx, kind, account_id, *args, **kwargs):
        signed_in = start(ctx, kind, account_id, *args, **kwargs)
        ctx.repos.accounts.disable(kind, account_id)
        return signed_in
    monkeypatch.setattr(auth.sessions, "start", disabled_in_the_meantime)
    clock.tick(timedelta(seconds=30))
    mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    response = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                 "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 401
    with app.app_context():
        [stale] = current_ctx().db.sessions.find({"_id": {"$ne": patient.session_id}})
        [device] = current_ctx().db.trusted_devices.find({"session_id": stale["_id"]})
    assert stale["revoked_reason"] == "credentials_changed"
    assert device["revoked_reason"] == "credentials_changed"


def register_push_device(client, account, token):
    response = client.post("/v1/me/devices", headers=account.auth,
                           json={"token": token, "platform": "android"})
    assert response.status_code in (200, 201), response.json


def push_devices_left(app):
    """The sessions whose devices still get pushes (unlinked ones are kept a day, for the
    security notices recorded before they were unlinked)."""
    with app.app_context():
        return sorted(d["session_id"] for d in current_ctx().db.devices.find({"unlinked_at": None}))


def test_a_password_change_unlinks_the_other_sessions_push_devices_not_its_own(
        app, client, patient, clock):
    other = factories.sign_in(client, factories.Account(
        national_id=patient.national_id, totp_secret=patient.totp_secret), clock)
    register_push_device(client, patient, "fcm-token-of-the-first-phone")
    register_push_device(client, other, "fcm-token-of-the-second-phone")
    changed = client.post("/v1/me/password", headers=other.auth, json={
        "current_password": patient.password, "new_password": "another fine password 77"})
    assert changed.status_code == 204
    assert push_devices_left(app) == [other.session_id]


def test_a_reused_refresh_token_unlinks_its_sessions_push_device(app, client, hospital, patient,
                                                                 clock):
    bystander = factories.signed_in_patient(client, hospital, clock)
    register_push_device(client, patient, "fcm-token-of-the-stolen-session")
    register_push_device(client, bystander, "fcm-token-of-someone-else")
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    client.post("/v1/auth/refresh", headers=bearer(patient.refresh_token))
    assert push_devices_left(app) == [bystander.session_id]


def test_a_device_token_replaced_at_the_next_sign_in_says_so(app, client, patient, clock):
    old_token = patient.trusted_device_token
    clock.tick(timedelta(seconds=30))
    mfa_token = client.post("/v1/auth/login", json={
        **patient.login_body, "trusted_device_token": old_token}).json["mfa_token"]
    signed_in = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                  "code": code_at(patient.totp_secret, now())})
    assert signed_in.status_code == 200
    with app.app_context():
        old = current_ctx().db.trusted_devices.find_one({"session_id": patient.session_id})
        new = current_ctx().db.trusted_devices.find_one({"session_id": signed_in.json["session_id"]})
    assert old["revoked_reason"] == "replaced"
    assert new["revoked_at"] is None


def test_a_session_records_whose_it_is(app, client, patient):
    with app.app_context():
        session = current_ctx().db.sessions.find_one({"_id": patient.session_id})
    owner = factories.stored_patient(app, patient.national_id)["_id"]
    assert (session["kind"], session["account_id"]) == ("patient", owner)


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
