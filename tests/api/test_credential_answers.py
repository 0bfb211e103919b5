"""What the credential answers tell a person: when an activation code expires, what the
authenticator entry shows, which part of a refused step was wrong and what to do first, and
recovery codes that are easy to type."""
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from security.codes import normalize_code
from tests import factories
from tests.api.test_credential_edges import NEW
from tests.factories import bearer, hospital_token, now


def test_an_activation_code_answer_says_when_the_code_expires(client, hospital, clock):
    national_id = factories.next_national_id()
    factories.push_visit(client, hospital, national_id)
    issued = client.post("/v1/hospital/activation-codes",
                         headers=bearer(hospital_token(client, hospital)),
                         json={"national_id": national_id})
    assert issued.status_code == 201
    expires_at = datetime.fromisoformat(issued.json["expires_at"])
    assert expires_at.replace(tzinfo=timezone.utc) == now() + timedelta(hours=72)


def test_the_authenticator_entry_shows_the_issuer_and_only_four_digits_of_the_id(make_app):
    app = make_app(TOTP_ISSUER="PHR Bach Mai")
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    account = factories.registered_patient(client, hospital)
    token = bearer(client.post("/v1/auth/login", json=account.login_body).json["enrollment_token"])
    uri = urlparse(client.post("/v1/auth/totp/setup", headers=token).json["otpauth_uri"])
    assert unquote(uri.path) == f"/PHR Bach Mai:ID ...{account.national_id[-4:]}"
    assert parse_qs(uri.query)["issuer"] == ["PHR Bach Mai"]


def test_a_missing_reauthentication_part_is_named_in_the_answer(client, patient):
    response = client.post("/v1/auth/totp/setup", headers=patient.auth,
                           json={"password": patient.password})
    assert response.status_code == 422
    assert "password" in response.json["errors"]
    assert "password" in response.json["detail"] and "code" in response.json["detail"]


def test_activating_before_setting_up_says_to_set_up_first(client, hospital):
    account = factories.registered_patient(client, hospital)
    token = bearer(client.post("/v1/auth/login", json=account.login_body).json["enrollment_token"])
    response = client.post("/v1/auth/totp/activate", headers=token, json={"code": "123456"})
    assert response.status_code == 409 and "set-up" in response.json["detail"]


def test_recovery_codes_carry_at_least_ten_unambiguous_characters(patient):
    for code in patient.recovery_codes:
        typed = normalize_code(code)
        assert len(typed) >= 10 and not set(typed) & set("01ILO")


def wrong_code_at_sign_in(client, hospital, patient):
    mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    return client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "000000"}), "code"


def wrong_code_for_a_new_factor(client, hospital, patient):
    account = factories.registered_patient(client, hospital)
    token = bearer(client.post("/v1/auth/login", json=account.login_body).json["enrollment_token"])
    client.post("/v1/auth/totp/setup", headers=token)
    return client.post("/v1/auth/totp/activate", headers=token, json={"code": "000000"}), "code"


def wrong_reauthentication(client, hospital, patient):
    return client.post("/v1/auth/totp/setup", headers=patient.auth, json={
        "password": "not the password 123", "code": "123456"}), "password or the code"


def wrong_current_password(client, hospital, patient):
    return client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": "not the password 123", "new_password": NEW}), "current password"


def refused_new_password(client, hospital, patient):
    return client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "password123"}), "password"


def someone_elses_session(client, hospital, patient):
    return client.delete("/v1/me/sessions/ses_not-mine", headers=patient.auth), "session"


@pytest.mark.parametrize("refusal", [wrong_code_at_sign_in, wrong_code_for_a_new_factor,
                                     wrong_reauthentication, wrong_current_password,
                                     refused_new_password, someone_elses_session])
def test_each_refusal_after_the_password_step_names_the_part_that_was_wrong(client, hospital,
                                                                           patient, refusal):
    """Past the first password check, naming the failed part tells an attacker nothing new and
    tells the user what to retype (the first step keeps one answer for every failure)."""
    response, part = refusal(client, hospital, patient)
    assert response.status_code in (401, 404, 422)
    assert part in response.json["detail"]
