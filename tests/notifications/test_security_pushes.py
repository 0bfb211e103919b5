"""Security notices reach the phones the change they tell of signs out (a review found they
never did: the devices were deleted before the notice was recorded), and nothing else does."""
from datetime import timedelta

from models.db import utcnow
from services.operations.push_outbox import UNLINKED_KEPT, MongoOutbox
from tests import factories
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx

NEW_PASSWORD = "staff picked this one 77"


def push_jobs(app, at=None) -> list[tuple[str, str]]:
    """(device token, notification kind) of every push the delivery worker would send now."""
    with app.app_context():
        at = at or utcnow() + timedelta(minutes=1)
        return [(job["token"], job["data"]["kind"])
                for job in MongoOutbox(current_ctx()).claim("review", at, at + timedelta(minutes=5), 100)]


def register_phone(client, account, token: str) -> None:
    response = client.post("/v1/me/devices", headers=account.auth,
                           json={"token": token, "platform": "android"})
    assert response.status_code == 201, response.json


def patient_id(client, account) -> str:
    return client.get("/v1/me", headers=account.auth).json["id"]


def test_a_factor_reset_by_staff_is_pushed_to_the_patients_phone(app, client, patient, clock):
    register_phone(client, patient, "owners-phone")
    push_jobs(app)  # what was pending before
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    clock.tick(timedelta(seconds=1))
    response = client.post(f"/v1/staff/patients/{patient_id(client, patient)}/reset-mfa",
                           headers=staff.auth, json={"reason": "lost phone, CCCD checked"})
    assert response.status_code == 204
    assert push_jobs(app) == [("owners-phone", "credentials_changed")]


def test_a_password_change_from_another_session_is_pushed_to_the_owners_phone(
        app, client, hospital, patient, clock):
    """Someone signed in on another device (a phished password and code) changes the password:
    the owner's phone, signed out by the change, is told."""
    register_phone(client, patient, "owners-phone")
    intruder = factories.Account(national_id=patient.national_id,
                                 totp_secret=patient.totp_secret)
    factories.sign_in(client, intruder, clock)
    push_jobs(app)  # the new-device notice, sent
    clock.tick(timedelta(seconds=1))
    changed = client.post("/v1/me/password", headers=intruder.auth, json={
        "current_password": intruder.password, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204
    assert push_jobs(app) == [("owners-phone", "credentials_changed")]


def test_a_signed_out_phone_gets_nothing_new_and_is_forgotten_a_day_later(
        app, client, hospital, patient, clock):
    register_phone(client, patient, "owners-phone")
    push_jobs(app)
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    clock.tick(timedelta(seconds=1))
    push(client, hospital, bundle(lab_result(patient.national_id)))
    assert push_jobs(app) == []  # a result after the sign-out is not pushed there
    with app.app_context():
        assert current_ctx().db.devices.count_documents({}) == 1
    push_jobs(app, at=utcnow() + UNLINKED_KEPT + timedelta(minutes=1))
    with app.app_context():
        assert current_ctx().db.devices.count_documents({}) == 0


def test_a_phone_moved_to_another_account_gets_none_of_the_previous_owners_notices(
        app, client, hospital, patient, clock):
    register_phone(client, patient, "shared-phone")
    push_jobs(app)
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    other = factories.signed_in_patient(client, hospital, clock)
    register_phone(client, other, "shared-phone")
    push_jobs(app)
    clock.tick(timedelta(seconds=1))
    # A security notice of the first account recorded after the phone moved.
    with app.app_context():
        from services.operations import notify
        notify.security_event(current_ctx(), "patient", factories.stored_patient(
            app, patient.national_id)["_id"], "password_changed")
        assert current_ctx().db.notifications.count_documents({"kind": "credentials_changed"}) == 1
    assert push_jobs(app) == []


def test_a_phone_signed_in_again_gets_pushes_again(app, client, hospital, patient, clock):
    register_phone(client, patient, "owners-phone")
    assert client.post("/v1/auth/logout", headers=patient.auth).status_code == 204
    factories.sign_in(client, patient, clock)
    register_phone(client, patient, "owners-phone")
    push_jobs(app)
    clock.tick(timedelta(seconds=1))
    push(client, hospital, bundle(lab_result(patient.national_id)))
    assert push_jobs(app) == [("owners-phone", "record_available")]
