"""One staff account alone cannot become a patient (found by an auth review): removing the
patient's second factor and handing out the activation code that then resets the password
without it are two people's work."""
import pytest

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


def reset_password(client, national_id: str, code: str):
    return client.post("/v1/auth/password-reset", json={
        "national_id": national_id, "activation_code": code, "new_password": NEW_PASSWORD})


@pytest.mark.parametrize("code_first", [False, True])
def test_the_staff_member_who_reset_the_factor_cannot_issue_the_reset_code(
        app, client, hospital, patient, clock, code_first):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    owner = patient_id(client, patient)
    if code_first:
        code = staff_code(client, staff, patient.national_id)
        reset_factor(client, staff, owner)
    else:
        reset_factor(client, staff, owner)
        code = staff_code(client, staff, patient.national_id)
    refused = reset_password(client, patient.national_id, code)
    wrong_code = reset_password(client, patient.national_id, "X" * len(code))
    assert refused.status_code == 400
    assert refused.json == wrong_code.json  # the same answer as any wrong part
    # The owner's password still signs in (to enroll a new factor): nothing was changed.
    login = client.post("/v1/auth/login", json={"national_id": patient.national_id,
                                                "password": patient.password})
    assert login.status_code == 200 and "enrollment_token" in login.json


def test_a_code_from_another_staff_member_or_the_front_desk_resets_the_password(
        app, client, hospital, patient, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    colleague = factories.enroll_totp(client, factories.create_staff(app, "support.two"), clock)
    reset_factor(client, staff, patient_id(client, patient))
    code = staff_code(client, colleague, patient.national_id)
    assert reset_password(client, patient.national_id, code).status_code == 204
    front_desk = factories.activation_code(client, hospital, patient.national_id)
    assert client.post("/v1/auth/password-reset", json={
        "national_id": patient.national_id, "activation_code": front_desk,
        "new_password": "another river stone 8"}).status_code == 204
