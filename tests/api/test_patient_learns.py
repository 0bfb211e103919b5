"""The patient learns what others did with their account: an activation code issued for a
registered patient (by support or a front desk) is a security notice, since with it someone may
reset the password; the code a patient registers with is no news."""
import pytest

from tests import factories


def kinds(client, account) -> list[str]:
    return [n["kind"] for n in client.get("/v1/me/notifications",
                                          headers=account.auth).json["items"]]


@pytest.mark.parametrize("issuer", ["support", "front desk"])
def test_a_code_issued_for_a_registered_patient_is_a_security_notice(app, client, hospital,
                                                                     patient, clock, issuer):
    before = kinds(client, patient).count("activation_code_issued")
    if issuer == "support":
        staff = factories.enroll_totp(client, factories.create_staff(app), clock)
        issued = client.post("/v1/staff/activation-codes", headers=staff.auth,
                             json={"national_id": patient.national_id})
        assert issued.status_code == 201
    else:
        factories.activation_code(client, hospital, patient.national_id)
    assert kinds(client, patient).count("activation_code_issued") == before + 1


def test_the_code_a_patient_registers_with_is_no_news(client, patient):
    assert "activation_code_issued" not in kinds(client, patient)
