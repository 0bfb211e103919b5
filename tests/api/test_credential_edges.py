"""Credentials at their edges: every change leaves a security event, a disabled account changes
nothing even mid-request, registration races and the password check with everything the
platform knows about the person."""
import threading
from datetime import timedelta

import pytest

from models import accounts, activation_codes
from security.totp import code_at
from tests import factories
from tests.factories import PASSWORD, now
from tests.factories import current_ctx

NEW = "another fine password 77"


def account_id(app, national_id):
    return factories.stored_patient(app, national_id)["_id"]


def reauth(account):
    return {"password": account.password, "code": code_at(account.totp_secret, now())}


def change_password(client, hospital, patient, clock):
    return client.post("/v1/me/password", headers=patient.auth,
                       json={"current_password": patient.password, "new_password": NEW})


def reset_password(client, hospital, patient, clock):
    code = factories.activation_code(client, hospital, patient.national_id)
    return client.post("/v1/auth/password-reset", json={
        "national_id": patient.national_id, "activation_code": code, "new_password": NEW,
        "recovery_code": patient.recovery_codes[0]})


def replace_second_factor(client, hospital, patient, clock):
    clock.tick(timedelta(seconds=30))
    secret = client.post("/v1/auth/totp/setup", headers=patient.auth,
                         json=reauth(patient)).json["secret"]
    clock.tick(timedelta(seconds=30))
    return client.post("/v1/auth/totp/activate", headers=patient.auth,
                       json={"code": code_at(secret, now())})


def replace_recovery_codes(client, hospital, patient, clock):
    clock.tick(timedelta(seconds=30))
    return client.post("/v1/auth/recovery-codes", headers=patient.auth, json=reauth(patient))


@pytest.mark.parametrize("change, event", [
    (change_password, "password_changed"), (reset_password, "password_reset"),
    (replace_second_factor, "second_factor_replaced"),
    (replace_recovery_codes, "recovery_codes_replaced")])
def test_every_credential_change_is_a_security_event_of_the_account(app, client, hospital,
                                                                     patient, clock, change,
                                                                     event):
    assert change(client, hospital, patient, clock).status_code in (200, 204)
    owner = account_id(app, patient.national_id)
    with app.app_context():
        recorded = [(e["kind"], e["account_id"], e["event"])
                    for e in current_ctx().repos.security_events.list_for(owner)
                    if e["event"] != "activation_code_issued"]  # the reset's front-desk code
    assert recorded == [("patient", owner, event)]


def test_a_disabled_patient_cannot_reset_the_password_with_a_front_desk_code(app, client,
                                                                            hospital, patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    app.test_cli_runner().invoke(args=["disable-patient", "--national-id", patient.national_id])
    reset = client.post("/v1/auth/password-reset", json={
        "national_id": patient.national_id, "activation_code": code, "new_password": NEW,
        "recovery_code": patient.recovery_codes[0]})
    assert reset.status_code == 400
    assert client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                               "password": NEW}).status_code == 401


def test_a_request_in_the_moment_an_account_is_disabled_changes_nothing(app, client, patient,
                                                                        clock):
    """Disabling marks the account, then ends its sessions: a request whose token passed the
    session check in between must still find the account disabled."""
    with app.app_context():
        current_ctx().repos.accounts.disable(accounts.PATIENT, account_id(app, patient.national_id))
    changed = client.post("/v1/me/password", headers=patient.auth,
                          json={"current_password": patient.password, "new_password": NEW})
    assert changed.status_code == 401
    clock.tick(timedelta(seconds=30))
    setup = client.post("/v1/auth/totp/setup", headers=patient.auth, json=reauth(patient))
    assert setup.status_code == 401 and "secret" not in setup.json


def test_two_registrations_with_one_code_at_once_one_wins_the_other_is_refused(
        app, hospital, monkeypatch):
    client = app.test_client()
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    both_checked, statuses = threading.Barrier(2, timeout=5), []
    claim = activation_codes.ActivationCodes.claim

    def claim_after_both_checked(*args):
        both_checked.wait()
        return claim(*args)
    monkeypatch.setattr(activation_codes.ActivationCodes, "claim", claim_after_both_checked)

    def register(password):
        response = app.test_client().post("/v1/auth/register", json={
            "national_id": national_id, "activation_code": code, "password": password})
        statuses.append(response.status_code)
    threads = [threading.Thread(target=register, args=(p,)) for p in (PASSWORD, NEW)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 400]


def register(client, national_id, code, password, **contact):
    return client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code, "password": password, **contact})


def test_a_password_built_on_the_name_the_patient_typed_is_refused(client, hospital):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)  # the hospital gave no name
    refused = register(client, national_id, code, "phamthuha77", name="Phạm Thu Hà")
    assert refused.status_code == 422 and "password" in refused.json["errors"]
    assert register(client, national_id, code, PASSWORD, name="Phạm Thu Hà").status_code == 201


def test_a_password_built_on_the_birth_date_the_hospital_recorded_is_refused(client, hospital):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id, birth_date="1990-07-15")
    refused = register(client, national_id, code, "hoa15071990")  # fine for anyone else
    assert refused.status_code == 422 and "password" in refused.json["errors"]
    assert register(client, national_id, code, PASSWORD).status_code == 201


def test_a_staff_password_built_on_the_username_is_refused(app):
    result = app.test_cli_runner().invoke(args=["create-staff", "thanh.tung",
                                                "--password", "thanh.tung.99"])
    assert result.exit_code != 0
    fine = app.test_cli_runner().invoke(args=["create-staff", "thanh.tung",
                                              "--password", PASSWORD])
    assert fine.exit_code == 0, fine.output


def test_a_set_up_replaced_during_its_activation_is_not_activated(app, client, patient, clock,
                                                                  monkeypatch):
    clock.tick(timedelta(seconds=30))
    first = client.post("/v1/auth/totp/setup", headers=patient.auth, json=reauth(patient))
    activate_totp = accounts.Accounts.activate_totp

    def another_set_up_lands_first(repo, kind, account_id, *args):
        repo.set_pending_totp(kind, account_id, "v1:a-newer-pending-secret")
        return activate_totp(repo, kind, account_id, *args)
    monkeypatch.setattr(accounts.Accounts, "activate_totp", another_set_up_lands_first)
    response = client.post("/v1/auth/totp/activate", headers=patient.auth,
                           json={"code": code_at(first.json["secret"], now())})
    assert response.status_code == 409 and "start again" in response.json["detail"]
    clock.tick(timedelta(seconds=30))
    still = client.post("/v1/auth/recovery-codes", headers=patient.auth, json=reauth(patient))
    assert still.status_code == 200  # the old factor is still the active one


def test_a_new_password_built_on_the_patients_own_national_id_is_refused(client, hospital,
                                                                         patient, clock):
    """A password change knows the person as the hospital recorded it (the national ID is
    sealed in the account), not only the account's own fields."""
    other = factories.signed_in_patient(client, hospital, clock)
    built_on_the_id = f"lantern{patient.national_id}"
    refused = client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": built_on_the_id})
    assert refused.status_code == 422 and "password" in refused.json["errors"]
    fine_for_another = client.post("/v1/me/password", headers=other.auth, json={
        "current_password": other.password, "new_password": built_on_the_id})
    assert fine_for_another.status_code == 204


def test_a_staff_reset_of_the_factor_names_the_staff_member_tells_the_patient_and_is_logged(
        app, client, patient, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    with app.app_context():
        staff_id = current_ctx().repos.accounts.find_by_login(accounts.STAFF, staff.username)["_id"]
    owner = account_id(app, patient.national_id)
    log_before = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    reset = client.post(f"/v1/staff/patients/{owner}/reset-mfa", headers=staff.auth,
                        json={"reason": "Lost phone; identity checked with CCCD card at desk"})
    assert reset.status_code == 204
    with app.app_context():
        [event] = current_ctx().repos.security_events.list_for(owner)
    assert (event["kind"], event["event"]) == ("patient", "second_factor_reset_by_staff")
    assert event["details"]["staff_id"] == staff_id
    # Signed in again, with a new factor: the app shows what happened.
    patient.totp_secret = ""
    factories.enroll_totp(client, patient, clock)
    kinds = [n["kind"] for n in client.get("/v1/me/notifications", headers=patient.auth).json[
        "items"]]
    assert "credentials_changed" in kinds
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    added = [e for e in log if e not in log_before]
    assert [(e["action"], e["actor"]["type"]) for e in added
            if e["action"] == "second_factor.reset"] == [("second_factor.reset", "staff")]


def test_a_reset_code_records_what_it_was_used_for(app, client, hospital, patient):
    code = factories.activation_code(client, hospital, patient.national_id)
    reset = client.post("/v1/auth/password-reset", json={
        "national_id": patient.national_id, "activation_code": code, "new_password": NEW,
        "recovery_code": patient.recovery_codes[0]})
    assert reset.status_code == 204
    with app.app_context():
        used = [c.get("used_for") for c in current_ctx().db.activation_codes.find({"used_at": {"$ne": None}})]
    # The registration's code first, then this one.
    assert sorted(used) == ["password_reset", "registration"]


def test_an_activation_code_records_who_issued_it(app, client, hospital):
    factories.activation_code(client, hospital, factories.next_national_id())
    with app.app_context():
        [issued] = current_ctx().db.activation_codes.find()
    assert issued["issued_by"] == {"type": "hospital", "id": hospital["hospital_id"]}
