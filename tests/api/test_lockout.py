"""Lockout that stops guessers, not owners: per-path budgets, trusted devices, growing locks,
attempts counted before the slow check, security events."""
import threading
import time
from datetime import timedelta

from security.totp import code_at
from tests import factories
from tests.factories import bearer, now
from tests.factories import current_ctx

WRONG = "wrong password value"


def login(client, account, password=None, device_token=None, **identity):
    body = {**account.login_body, **identity}
    if password is not None:
        body["password"] = password
    if device_token:
        body["trusted_device_token"] = device_token
    return client.post("/v1/auth/login", json=body)


def lock_untrusted_path(client, account, times=5):
    return [login(client, account, WRONG).status_code for _ in range(times)]


def full_sign_in(client, account, clock, device_token=None):
    clock.tick(timedelta(seconds=30))
    first = login(client, account, device_token=device_token)
    assert first.status_code == 200, first.json
    return client.post("/v1/auth/mfa", json={"mfa_token": first.json["mfa_token"],
                                             "code": code_at(account.totp_secret, now())})


def events_of(app, account_id):
    with app.app_context():
        return [e["event"] for e in current_ctx().repos.security_events.list_for(account_id)]


def test_strangers_cannot_lock_the_owner_out_of_a_trusted_device(client, patient, clock):
    assert lock_untrusted_path(client, patient) == [401, 401, 401, 401, 429]
    assert login(client, patient).status_code == 429  # the untrusted path is locked
    signed_in = full_sign_in(client, patient, clock, patient.trusted_device_token)
    assert signed_in.status_code == 200
    assert signed_in.json["trusted_device_token"] != patient.trusted_device_token
    assert login(client, patient).status_code == 429  # the owner's success lifts no lock


def test_a_trusted_device_has_its_own_budget(client, patient):
    statuses = [login(client, patient, WRONG, patient.trusted_device_token).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert login(client, patient, device_token=patient.trusted_device_token).status_code == 429
    assert login(client, patient).status_code == 200  # other paths are untouched


def test_another_accounts_device_token_counts_as_no_token(client, patient, hospital, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    lock_untrusted_path(client, patient)
    assert login(client, patient, device_token=other.trusted_device_token).status_code == 429
    assert login(client, patient, device_token="tdt_made-up").status_code == 429


def test_locks_grow_longer_each_time_up_to_the_maximum(make_app, hospital, clock):
    app = make_app(LOCKOUT_SECONDS=900, LOCKOUT_MAX_SECONDS=2000)
    client = app.test_client()
    body = {"national_id": "099999999993", "password": WRONG}
    waits = []
    for _ in range(3):
        statuses = [client.post("/v1/auth/login", json=body) for _ in range(5)]
        assert [r.status_code for r in statuses] == [401, 401, 401, 401, 429]
        waits.append(int(statuses[-1].headers["Retry-After"]))
        locked = client.post("/v1/auth/login", json=body)
        assert locked.status_code == 429
        clock.tick(timedelta(seconds=waits[-1] - 1))
        assert client.post("/v1/auth/login", json=body).status_code == 429  # not a second early
        clock.tick(timedelta(seconds=1))
    assert waits == [900, 1800, 2000]


def test_parallel_wrong_passwords_are_checked_at_most_the_threshold(app, patient, monkeypatch):
    hasher = app.extensions["ctx"].passwords
    real_verify, verified = hasher.verify, []

    def slow_verify(password_hash, password, bound_to=""):
        verified.append(password)
        time.sleep(0.05)  # a slow hash: every request is in flight at once
        return real_verify(password_hash, password, bound_to)
    monkeypatch.setattr(hasher, "verify", slow_verify)
    statuses, start = [], threading.Barrier(20)

    def attempt():
        client = app.test_client()
        start.wait()
        statuses.append(login(client, patient, WRONG).status_code)
    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(verified) == 5
    assert sorted(statuses) == [401] * 4 + [429] * 16


def test_failures_and_locks_are_security_events_of_the_account(app, client, patient):
    lock_untrusted_path(client, patient, times=2)
    assert events_of(app, patient_id(client, patient)) == []
    lock_untrusted_path(client, patient, times=3)
    assert sorted(events_of(app, patient_id(client, patient))) == [
        "repeated_failed_sign_ins", "sign_in_locked"]
    with app.app_context():
        locked = [e for e in current_ctx().repos.security_events.list_for(patient_id(client, patient))
                  if e["event"] == "sign_in_locked"][0]
    assert locked["details"]["path"] == "untrusted" and locked["details"]["lock_number"] == 1


def patient_id(client, account):
    return client.get("/v1/me", headers=account.auth).json["id"]


def test_staff_trusted_device_survives_a_stranger_lock(app, client, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    assert lock_untrusted_path(client, staff)[-1] == 429
    assert full_sign_in(client, staff, clock, staff.trusted_device_token).status_code == 200


def test_wrong_totp_codes_at_activation_count_toward_the_lockout(client, hospital):
    account = factories.registered_patient(client, hospital)
    token = bearer(client.post("/v1/auth/login", json=account.login_body).json["enrollment_token"])
    client.post("/v1/auth/totp/setup", headers=token)
    statuses = [client.post("/v1/auth/totp/activate", headers=token, json={"code": "000000"})
                .status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert login(client, account).status_code == 429


def test_wrong_current_passwords_count_toward_the_lockout(client, patient):
    body = {"current_password": WRONG, "new_password": "another fine password 77"}
    statuses = [client.post("/v1/me/password", headers=patient.auth, json=body).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    right = {**body, "current_password": patient.password}
    assert client.post("/v1/me/password", headers=patient.auth, json=right).status_code == 429


def test_a_full_sign_in_clears_the_failures_of_its_path(client, patient, clock):
    assert lock_untrusted_path(client, patient, times=4) == [401] * 4
    assert full_sign_in(client, patient, clock).status_code == 200
    assert lock_untrusted_path(client, patient, times=5) == [401, 401, 401, 401, 429]


def test_the_right_password_gives_its_attempt_back(client, patient, clock):
    assert lock_untrusted_path(client, patient, times=4) == [401] * 4
    # The fifth attempt is the owner's: the code step must still be open to it.
    assert full_sign_in(client, patient, clock).status_code == 200


def test_a_correct_password_buys_no_extra_code_guesses(client, patient):
    statuses = []
    for _ in range(5):
        mfa_token = login(client, patient).json["mfa_token"]
        statuses.append(client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                          "code": "000000"}).status_code)
    assert statuses == [401, 401, 401, 401, 429]


def test_strangers_guessing_codes_never_keep_the_code_holder_from_registering(client, hospital):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    body = {"national_id": national_id, "password": factories.PASSWORD}
    statuses = [client.post("/v1/auth/register", json={**body, "activation_code": "WRONG-CODE-0"})
                .status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert client.post("/v1/auth/register",
                       json={**body, "activation_code": "WRONG-CODE-1"}).status_code == 429
    assert client.post("/v1/auth/register",
                       json={**body, "activation_code": code}).status_code == 201


def test_issuing_codes_lifts_no_lock(client, hospital):
    national_id = factories.next_national_id()
    body = {"national_id": national_id, "password": factories.PASSWORD,
            "activation_code": "WRONG-CODE-0"}
    factories.activation_code(client, hospital, national_id)
    assert [client.post("/v1/auth/register", json=body).status_code
            for _ in range(5)][-1] == 429
    factories.activation_code(client, hospital, national_id)
    assert client.post("/v1/auth/register", json=body).status_code == 429


def test_registration_gives_the_new_account_a_fresh_sign_in_path(client, hospital):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    stranger = {"national_id": national_id, "password": WRONG}
    assert [client.post("/v1/auth/login", json=stranger).status_code
            for _ in range(5)][-1] == 429
    assert client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code,
        "password": factories.PASSWORD}).status_code == 201
    owner = {"national_id": national_id, "password": factories.PASSWORD}
    assert set(client.post("/v1/auth/login", json=owner).json) == {"enrollment_token"}


def test_a_lowered_threshold_applies_at_once_to_a_path_already_counting(make_app, clock):
    body = {"national_id": "099999999991", "password": WRONG}
    first = make_app(LOCKOUT_THRESHOLD=10)
    client = first.test_client()
    assert [client.post("/v1/auth/login", json=body).status_code for _ in range(2)] == [401, 401]
    # The same database, restarted with a threshold of 3 (8 attempts were left under 10).
    first.config["LOCKOUT_THRESHOLD"] = 3
    statuses = [client.post("/v1/auth/login", json=body).status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429]
