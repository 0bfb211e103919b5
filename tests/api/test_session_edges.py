"""Sessions at their edges: what a session remembers of its device and of whose it is, why it
ended (kept on the session and its trusted device token), and the push devices unlinked with it
(the token answers: tests/api/test_token_answers.py)."""
from datetime import timedelta

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
