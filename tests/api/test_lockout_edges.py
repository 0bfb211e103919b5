"""Lockout edges: which path each step counts on, the security events it leaves, and budgets
that stay exact whatever the threshold or the order of refunds and clears."""
from datetime import timedelta

import pytest

from models import accounts
from security.totp import code_at
from tests import factories
from tests.api.test_lockout import WRONG, full_sign_in, lock_untrusted_path, login
from tests.factories import bearer, now
from tests.factories import current_ctx

WRONG_REAUTH = {"password": WRONG, "code": "123456"}


def account_id(app, account):
    if account.national_id:
        return factories.stored_patient(app, account.national_id)["_id"]
    with app.app_context():
        return current_ctx().repos.accounts.find_by_login(accounts.STAFF, account.username)["_id"]


def events(app, account):
    """The account's security events, but the front-desk code some flows start with (an event
    of its own, tested in test_patient_learns.py)."""
    with app.app_context():
        return [e for e in current_ctx().repos.security_events.list_for(account_id(app, account))
                if e["event"] != "activation_code_issued"]


def event_named(app, account, name):
    [event] = [e for e in events(app, account) if e["event"] == name]
    return event


def second_device(client, patient, clock):
    """The same patient signed in on another device (its own session and device token)."""
    return factories.sign_in(client, factories.Account(
        national_id=patient.national_id, totp_secret=patient.totp_secret), clock)


def reauth(account):
    return {"password": account.password, "code": code_at(account.totp_secret, now())}


# Each flow: (account, one failed attempt, the lockout path its events name).
def at_login(client, hospital, clock):
    patient = factories.signed_in_patient(client, hospital, clock)
    return patient, lambda: login(client, patient, WRONG), "untrusted"


def at_mfa(client, hospital, clock):
    patient = factories.signed_in_patient(client, hospital, clock)

    def fail():
        mfa_token = login(client, patient).json["mfa_token"]
        return client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "000000"})
    return patient, fail, "untrusted"


def at_first_activation(client, hospital, clock):
    account = factories.registered_patient(client, hospital)
    token = bearer(login(client, account).json["enrollment_token"])
    client.post("/v1/auth/totp/setup", headers=token)
    return account, lambda: client.post("/v1/auth/totp/activate", headers=token,
                                        json={"code": "000000"}), "untrusted"


def at_reauthentication(client, hospital, clock):
    patient = factories.signed_in_patient(client, hospital, clock)
    return patient, lambda: client.post("/v1/auth/totp/setup", headers=patient.auth,
                                        json=WRONG_REAUTH), "session"


def at_password_change(client, hospital, clock):
    patient = factories.signed_in_patient(client, hospital, clock)
    body = {"current_password": WRONG, "new_password": "another fine password 77"}
    return patient, lambda: client.post("/v1/me/password", headers=patient.auth,
                                        json=body), "session"


def at_reset_with_a_wrong_activation_code(client, hospital, clock):
    patient = factories.signed_in_patient(client, hospital, clock)
    body = {"national_id": patient.national_id, "activation_code": "AAAA-BBBB-CCCC",
            "new_password": "another fine password 77", "code": "000000"}
    return patient, lambda: client.post("/v1/auth/password-reset", json=body), "activation"


def at_reset_with_a_wrong_second_factor(client, hospital, clock):
    patient = factories.signed_in_patient(client, hospital, clock)
    body = {"national_id": patient.national_id,
            "activation_code": factories.activation_code(client, hospital, patient.national_id),
            "new_password": "another fine password 77", "code": "000000"}
    return patient, lambda: client.post("/v1/auth/password-reset", json=body), "reset-factor"


@pytest.mark.parametrize("flow", [at_login, at_mfa, at_first_activation, at_reauthentication,
                                  at_password_change, at_reset_with_a_wrong_activation_code,
                                  at_reset_with_a_wrong_second_factor])
def test_the_third_failure_of_any_step_is_a_security_event_of_the_account(app, client, hospital,
                                                                          clock, flow):
    account, fail, path = flow(client, hospital, clock)
    for _ in range(2):
        assert fail().status_code in (400, 401)
    assert events(app, account) == []
    assert fail().status_code in (400, 401)
    [event] = events(app, account)
    assert (event["kind"], event["account_id"], event["event"]) == (
        "patient", account_id(app, account), "repeated_failed_sign_ins")
    assert event["details"] == {"path": path, "failures": 3}


def test_the_lock_event_says_which_lock_and_until_when(app, client, patient):
    lock_untrusted_path(client, patient, times=4)
    until = now() + timedelta(seconds=900)
    assert login(client, patient, WRONG).status_code == 429
    locked = event_named(app, patient, "sign_in_locked")
    assert locked["kind"] == "patient"
    assert locked["details"] == {"path": "untrusted", "failures": 5, "lock_number": 1,
                                 "locked_until": until}


def test_a_device_lock_event_names_the_kind_of_path_not_the_device(app, client, patient):
    for _ in range(5):
        login(client, patient, WRONG, patient.trusted_device_token)
    assert event_named(app, patient, "sign_in_locked")["details"]["path"] == "device"


def test_each_trusted_device_has_a_budget_of_its_own(client, patient, clock):
    other = second_device(client, patient, clock)
    statuses = [login(client, patient, WRONG, patient.trusted_device_token).status_code
                for _ in range(5)]
    assert statuses[-1] == 429
    assert login(client, patient, device_token=other.trusted_device_token).status_code == 200


def test_an_unknown_account_with_a_live_device_token_is_just_an_unknown_account(client,
                                                                              patient):
    stranger = {"national_id": "099999999991", "password": WRONG,
                "trusted_device_token": patient.trusted_device_token}
    unknown = client.post("/v1/auth/login", json=stranger)
    assert unknown.status_code == 401
    assert unknown.json == login(client, patient, WRONG).json


def test_a_trusted_device_token_is_replaced_not_multiplied_at_each_sign_in(client, patient,
                                                                         clock):
    signed_in = full_sign_in(client, patient, clock, patient.trusted_device_token)
    assert signed_in.status_code == 200
    newer = signed_in.json["trusted_device_token"]
    lock_untrusted_path(client, patient)
    assert login(client, patient, device_token=patient.trusted_device_token).status_code == 429
    assert login(client, patient, device_token=newer).status_code == 200


def test_password_change_and_reauthentication_share_the_sessions_budget(client, patient):
    wrong = {"current_password": WRONG, "new_password": "another fine password 77"}
    statuses = [client.post("/v1/me/password", headers=patient.auth, json=wrong).status_code
                for _ in range(3)]
    statuses += [client.post("/v1/auth/totp/setup", headers=patient.auth,
                             json=WRONG_REAUTH).status_code for _ in range(2)]
    assert statuses == [401, 401, 401, 401, 429]
    right = {**wrong, "current_password": patient.password}
    assert client.post("/v1/me/password", headers=patient.auth, json=right).status_code == 429


@pytest.mark.parametrize("path", ["/v1/auth/totp/setup", "/v1/auth/recovery-codes"])
def test_reauthentication_failures_in_one_session_leave_another_session_free(client, patient,
                                                                            clock, path):
    other = second_device(client, patient, clock)
    statuses = [client.post(path, headers=patient.auth, json=WRONG_REAUTH).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    clock.tick(timedelta(seconds=30))
    assert client.post(path, headers=other.auth, json=reauth(other)).status_code == 200


def test_wrong_codes_for_a_new_factor_in_one_session_leave_another_session_free(client,
                                                                               patient, clock):
    other = second_device(client, patient, clock)
    clock.tick(timedelta(seconds=30))
    assert client.post("/v1/auth/totp/setup", headers=patient.auth,
                       json=reauth(patient)).status_code == 200
    statuses = [client.post("/v1/auth/totp/activate", headers=patient.auth,
                            json={"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    clock.tick(timedelta(seconds=30))
    secret = client.post("/v1/auth/totp/setup", headers=other.auth,
                         json=reauth(other)).json["secret"]
    activated = client.post("/v1/auth/totp/activate", headers=other.auth,
                            json={"code": code_at(secret, now())})
    assert activated.status_code == 200


def test_a_stranger_lock_does_not_reach_into_a_signed_in_session(client, patient, clock):
    assert lock_untrusted_path(client, patient)[-1] == 429
    changed = client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "another fine password 77"})
    assert changed.status_code == 204
    patient.password = "another fine password 77"
    clock.tick(timedelta(seconds=30))
    setup = client.post("/v1/auth/totp/setup", headers=patient.auth, json=reauth(patient))
    assert setup.status_code == 200
    activated = client.post("/v1/auth/totp/activate", headers=patient.auth,
                            json={"code": code_at(setup.json["secret"], now())})
    assert activated.status_code == 200


def test_a_refunded_last_attempt_does_not_make_the_next_lock_longer(client, patient):
    lock_untrusted_path(client, patient, times=4)
    mfa_token = login(client, patient).json["mfa_token"]  # the fifth: right, so given back
    wrong_code = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "000000"})
    assert wrong_code.status_code == 429
    assert wrong_code.headers["Retry-After"] == "900"  # the first lock, not the second


def test_a_full_sign_in_clears_the_failures_of_its_path_whatever_is_left(client, patient,
                                                                        clock):
    assert lock_untrusted_path(client, patient, times=3) == [401] * 3
    assert full_sign_in(client, patient, clock).status_code == 200  # took the fourth unit
    assert lock_untrusted_path(client, patient) == [401, 401, 401, 401, 429]


@pytest.mark.parametrize("threshold", [1, 2, 3])
def test_every_threshold_is_exact(make_app, threshold):
    client = make_app(LOCKOUT_THRESHOLD=threshold).test_client()
    body = {"national_id": "099999999990", "password": WRONG}
    statuses = [client.post("/v1/auth/login", json=body).status_code
                for _ in range(threshold + 1)]
    assert statuses == [401] * (threshold - 1) + [429, 429]


def test_reset_guesses_lock_only_the_code_path_and_a_new_code_lifts_them(client, hospital,
                                                                        patient):
    body = {"national_id": patient.national_id, "new_password": "another fine password 77"}
    statuses = [client.post("/v1/auth/password-reset", json={
        **body, "activation_code": "AAAA-BBBB-CCCC", "code": "000000"}).status_code
        for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert login(client, patient).status_code == 200  # signing in was never locked
    fresh = factories.activation_code(client, hospital, patient.national_id)
    reset = client.post("/v1/auth/password-reset", json={
        **body, "activation_code": fresh, "recovery_code": patient.recovery_codes[0]})
    assert reset.status_code == 204


def test_failures_spread_over_days_still_count_while_they_keep_coming(client, clock):
    """The count is forgotten only after a quiet day; each attempt starts that day again."""
    body = {"national_id": "099999999989", "password": WRONG}
    statuses = [client.post("/v1/auth/login", json=body).status_code]
    clock.tick(timedelta(hours=23))
    statuses += [client.post("/v1/auth/login", json=body).status_code for _ in range(3)]
    clock.tick(timedelta(hours=23))  # 46 hours after the first failure, 23 after the last
    statuses.append(client.post("/v1/auth/login", json=body).status_code)
    assert statuses == [401, 401, 401, 401, 429]


def reset_attempt(client, account, activation_code, **factor):
    return client.post("/v1/auth/password-reset", json={
        "national_id": account.national_id, "activation_code": activation_code,
        "new_password": "another fine password 77", **factor})


def test_wrong_reset_codes_for_one_patient_leave_another_patients_reset_free(client, hospital,
                                                                             clock):
    first = factories.signed_in_patient(client, hospital, clock)
    second = factories.signed_in_patient(client, hospital, clock)
    statuses = [reset_attempt(client, first, "AAAA-BBBB-CCCC", code="000000").status_code
                for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert reset_attempt(client, second, "AAAA-BBBB-CCCC", code="000000").status_code == 400


def test_wrong_factor_codes_in_one_patients_reset_leave_another_patients_reset_free(
        client, hospital, clock):
    first = factories.signed_in_patient(client, hospital, clock)
    second = factories.signed_in_patient(client, hospital, clock)
    code = factories.activation_code(client, hospital, first.national_id)
    statuses = [reset_attempt(client, first, code, code="000000").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    code = factories.activation_code(client, hospital, second.national_id)
    assert reset_attempt(client, second, code,
                         recovery_code=second.recovery_codes[0]).status_code == 204


def test_wrong_codes_at_registration_and_at_reset_share_one_budget(client, hospital, patient):
    """The activation path counts wrong codes typed for a national ID wherever they are typed."""
    register = [client.post("/v1/auth/register", json={
        "national_id": patient.national_id, "activation_code": "AAAA-BBBB-CCCC",
        "password": "another fine password 77"}).status_code for _ in range(2)]
    reset = [reset_attempt(client, patient, "AAAA-BBBB-CCCC", code="000000").status_code
             for _ in range(3)]
    assert register + reset == [400, 400, 400, 400, 429]
