"""No support staff account alone can become a patient (found by two auth reviews): without an
active second factor, the activation code is the only proof a password reset has, so it must
come from a hospital's front desk, where identity is checked in person. Staff could otherwise
remove the factor (or find none), issue a code, reset the password and read the records."""
from datetime import timedelta

import pytest

from security.totp import code_at
from tests import factories
from tests.factories import bundle, lab_result, push

NEW_PASSWORD = "staff picked this one 77"


def patient_id(client, account) -> str:
    return client.get("/v1/me", headers=account.auth).json["id"]


def reset_factor(client, staff, owner: str) -> None:
    response = client.post(f"/v1/staff/patients/{owner}/reset-mfa", headers=staff.auth,
                           json={"reason": "patient called, lost the phone"})
    assert response.status_code == 204


def staff_code(client, staff, national_id: str) -> str:
    issued = client.post("/v1/staff/activation-codes", headers=staff.auth,
                         json={"national_id": national_id})
    assert issued.status_code == 201
    return issued.json["activation_code"]


def reset_password(client, national_id: str, activation_code: str, **factor):
    return client.post("/v1/auth/password-reset", json={
        "national_id": national_id, "activation_code": activation_code,
        "new_password": NEW_PASSWORD, **factor})


@pytest.mark.parametrize("who", ["the same staff member", "a colleague"])
@pytest.mark.parametrize("code_first", [False, True])
def test_after_a_staff_factor_reset_no_staff_code_resets_the_password(
        app, client, hospital, patient, clock, who, code_first):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    issuer = staff if who == "the same staff member" else factories.enroll_totp(
        client, factories.create_staff(app, "support.two"), clock)
    owner = patient_id(client, patient)
    if code_first:
        code = staff_code(client, issuer, patient.national_id)
        reset_factor(client, staff, owner)
    else:
        reset_factor(client, staff, owner)
        code = staff_code(client, issuer, patient.national_id)
    refused = reset_password(client, patient.national_id, code)
    wrong_code = reset_password(client, patient.national_id, "X" * len(code))
    assert refused.status_code == 400
    assert refused.json == wrong_code.json  # the same answer as any wrong part
    # The owner's password still signs in (to enroll a new factor): nothing was changed.
    login = client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                                "password": patient.password})
    assert login.status_code == 200 and "enrollment_token" in login.json


def test_a_patient_who_never_set_up_a_factor_needs_the_front_desk_too(app, client, hospital,
                                                                      clock):
    patient = factories.registered_patient(client, hospital)  # registered, no TOTP yet
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    code = staff_code(client, staff, patient.national_id)
    assert reset_password(client, patient.national_id, code).status_code == 400
    front_desk = factories.activation_code(client, hospital, patient.national_id)
    assert reset_password(client, patient.national_id, front_desk).status_code == 204


def test_a_front_desk_code_resets_the_password_after_a_staff_factor_reset(
        app, client, hospital, patient, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    reset_factor(client, staff, patient_id(client, patient))
    front_desk = factories.activation_code(client, hospital, patient.national_id)
    assert reset_password(client, patient.national_id, front_desk).status_code == 204


def test_with_an_active_factor_a_staff_code_and_the_factor_reset_the_password(
        app, client, hospital, patient, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    activation_code = staff_code(client, staff, patient.national_id)
    clock.tick(timedelta(seconds=30))
    assert reset_password(client, patient.national_id, activation_code,
                          code=code_at(patient.totp_secret, factories.now())).status_code == 204
