"""TOTP set-up, activation, the second factor, recovery codes and replay protection."""
import base64
import threading
from datetime import timedelta
from urllib.parse import unquote

from models import accounts
from security.totp import code_at
from tests import factories
from tests.factories import bearer, now


def enrollment_token(client, account):
    return bearer(client.post("/v1/auth/login", json=account.login_body).json["enrollment_token"])


def mfa(client, account, **factor):
    mfa_token = client.post("/v1/auth/login", json=account.login_body).json["mfa_token"]
    return client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, **factor})


def test_setup_shows_a_160_bit_secret_and_a_uri_without_personal_data(client, hospital):
    account = factories.registered_patient(client, hospital)
    response = client.post("/v1/auth/totp/setup", headers=enrollment_token(client, account))
    assert response.status_code == 200
    secret, uri = response.json["secret"], response.json["otpauth_uri"]
    assert len(base64.b32decode(secret)) == 20
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert account.national_id not in unquote(uri)


def test_totp_secret_is_stored_encrypted(app, client, patient):
    doc = factories.stored_patient(app, patient.national_id)
    assert patient.totp_secret not in str(doc)
    assert doc["totp_secret"].startswith("v2:k1:")


def test_activation_returns_ten_recovery_codes_and_a_session(client, hospital, clock):
    account = factories.signed_in_patient(client, hospital, clock)
    assert len(account.recovery_codes) == len(set(account.recovery_codes)) == 10
    assert client.get("/v1/me", headers=account.auth).status_code == 200


def test_wrong_activation_code_keeps_totp_inactive(client, hospital):
    account = factories.registered_patient(client, hospital)
    token = enrollment_token(client, account)
    client.post("/v1/auth/totp/setup", headers=token)
    response = client.post("/v1/auth/totp/activate", headers=token, json={"code": "123456"})
    assert response.status_code == 401
    assert "enrollment_token" in client.post("/v1/auth/login", json=account.login_body).json


def test_activation_without_setup_is_a_conflict(client, hospital):
    account = factories.registered_patient(client, hospital)
    response = client.post("/v1/auth/totp/activate", headers=enrollment_token(client, account),
                           json={"code": "123456"})
    assert response.status_code == 409


def test_enrollment_token_cannot_replace_an_active_secret(client, hospital, clock):
    account = factories.registered_patient(client, hospital)
    token = enrollment_token(client, account)
    factories.enroll_totp(client, account, clock)
    # Activation moved the account's credential epoch on: the older step token is dead.
    assert client.post("/v1/auth/totp/setup", headers=token).status_code == 401
    clock.tick(timedelta(seconds=30))
    mfa_token = client.post("/v1/auth/login", json=account.login_body).json["mfa_token"]
    assert client.post("/v1/auth/totp/setup", headers=bearer(mfa_token)).status_code == 403


def test_replayed_totp_code_is_rejected(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    code = code_at(patient.totp_secret, now())
    assert mfa(client, patient, code=code).status_code == 200
    replay = mfa(client, patient, code=code)
    assert replay.status_code == 401
    assert replay.content_type == "application/problem+json"


def test_activation_code_cannot_be_replayed_at_sign_in(client, hospital, clock):
    account = factories.signed_in_patient(client, hospital, clock)
    assert mfa(client, account, code=code_at(account.totp_secret, now())).status_code == 401


def test_code_of_an_earlier_step_is_rejected_after_a_later_one(client, patient, clock):
    clock.tick(timedelta(seconds=60))
    earlier, later = (code_at(patient.totp_secret, now() - timedelta(seconds=30)),
                      code_at(patient.totp_secret, now()))
    assert mfa(client, patient, code=later).status_code == 200
    assert mfa(client, patient, code=earlier).status_code == 401


def test_window_is_one_step_each_way(client, patient, clock):
    clock.tick(timedelta(minutes=5))
    two_back = code_at(patient.totp_secret, now() - timedelta(seconds=60))
    two_ahead = code_at(patient.totp_secret, now() + timedelta(seconds=60))
    one_ahead = code_at(patient.totp_secret, now() + timedelta(seconds=30))
    assert mfa(client, patient, code=two_back).status_code == 401
    assert mfa(client, patient, code=two_ahead).status_code == 401
    assert mfa(client, patient, code=one_ahead).status_code == 200


def at_once_after_check(app, patient, monkeypatch, write_name, factor):
    """Two parallel /mfa requests with one factor. Both pass the read-side checks before either
    reaches the single-use write, so only that conditional write can refuse the second."""
    clients = [app.test_client() for _ in range(2)]
    tokens = [c.post("/v1/auth/login", json=patient.login_body).json["mfa_token"] for c in clients]
    both_checked, statuses = threading.Barrier(2, timeout=5), []
    write = getattr(accounts.Accounts, write_name)

    def write_after_both_checked(*args):
        both_checked.wait()
        return write(*args)
    monkeypatch.setattr(accounts.Accounts, write_name, write_after_both_checked)

    def attempt(client, mfa_token):
        response = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, **factor})
        statuses.append(response.status_code)
    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_two_concurrent_uses_of_one_code_one_wins(app, patient, clock, monkeypatch):
    clock.tick(timedelta(seconds=30))
    code = code_at(patient.totp_secret, now())
    assert at_once_after_check(app, patient, monkeypatch, "claim_totp_step",
                               {"code": code}) == [200, 401]


def test_recovery_code_used_twice_at_once_signs_in_once(app, patient, monkeypatch):
    factor = {"recovery_code": patient.recovery_codes[0]}
    assert at_once_after_check(app, patient, monkeypatch, "use_recovery_code",
                               factor) == [200, 401]


def test_recovery_code_signs_in_once_only(client, patient):
    code = patient.recovery_codes[0]
    assert mfa(client, patient, recovery_code=code).status_code == 200
    assert mfa(client, patient, recovery_code=code).status_code == 401
    assert client.get("/v1/me", headers=patient.auth).json["recovery_codes_left"] == 9


def test_recovery_code_typed_loosely_still_works(client, patient):
    code = patient.recovery_codes[1].replace("-", "").lower()
    assert mfa(client, patient, recovery_code=code).status_code == 200


def test_recovery_codes_are_stored_hashed(app, patient):
    doc = factories.stored_patient(app, patient.national_id)
    stored = str(doc)
    assert not any(code in stored or code.replace("-", "") in stored
                   for code in patient.recovery_codes)
    assert len(doc["recovery_code_hashes"]) == 10


def test_mfa_takes_exactly_one_factor(client, patient):
    both = mfa(client, patient, code="123456", recovery_code=patient.recovery_codes[0])
    assert both.status_code == 422
    neither = mfa(client, patient)
    assert neither.status_code == 422


def test_expired_mfa_token_is_refused(client, patient, clock):
    mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    clock.tick(timedelta(minutes=6))
    response = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                 "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 401


def test_access_token_is_not_an_mfa_token(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    response = client.post("/v1/auth/mfa", json={"mfa_token": patient.access_token,
                                                 "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 401


def test_replacing_the_factor_needs_password_and_current_code(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    setup = client.post("/v1/auth/totp/setup", headers=patient.auth,
                        json={"password": patient.password,
                              "code": code_at(patient.totp_secret, now())})
    assert setup.status_code == 200
    new_secret = setup.json["secret"]
    clock.tick(timedelta(seconds=30))
    activated = client.post("/v1/auth/totp/activate", headers=patient.auth,
                            json={"code": code_at(new_secret, now())})
    assert activated.status_code == 200
    clock.tick(timedelta(seconds=30))
    assert mfa(client, patient, code=code_at(patient.totp_secret, now())).status_code == 401
    assert mfa(client, patient, code=code_at(new_secret, now())).status_code == 200


def test_pending_secret_does_not_replace_the_active_one_until_activated(client, patient, clock):
    clock.tick(timedelta(seconds=30))
    started = client.post("/v1/auth/totp/setup", headers=patient.auth,  # never finished
                          json={"password": patient.password,
                                "code": code_at(patient.totp_secret, now())})
    assert started.status_code == 200
    clock.tick(timedelta(seconds=30))
    assert mfa(client, patient, code=code_at(patient.totp_secret, now())).status_code == 200
