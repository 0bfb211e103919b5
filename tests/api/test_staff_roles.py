"""Staff roles: support works with accounts and consents; a privacy officer alone does not. The
role is read on every request, so a disabled account or a role taken away counts at once."""
import pytest

from tests import factories
from tests.factories import current_ctx


@pytest.fixture
def officer(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(
        app, "privacy.one", roles=["privacy_officer"]), clock)


@pytest.fixture
def support(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.one"), clock)


def support_calls(patient_id: str, national_id: str):
    return [("post", "/v1/staff/patients/search", {"national_id": national_id}),
            ("get", f"/v1/staff/patients/{patient_id}/consents", None),
            ("post", "/v1/staff/activation-codes", {"national_id": national_id}),
            ("post", f"/v1/staff/patients/{patient_id}/reset-mfa",
             {"reason": "lost the phone, checked in person"})]


def test_a_privacy_officer_without_the_support_role_cannot_use_the_support_tools(
        client, patient, officer, support):
    owner = factories.owner_id(client, patient)
    for method, path, body in support_calls(owner, patient.national_id):
        refused = getattr(client, method)(path, headers=officer.auth, json=body)
        assert refused.status_code == 403, path
    found = client.post("/v1/staff/patients/search", headers=support.auth,
                        json={"national_id": patient.national_id})
    assert found.status_code == 200 and found.json[0]["id"] == owner


def test_an_account_holding_both_roles_uses_the_support_tools(app, client, patient, clock):
    both = factories.enroll_totp(client, factories.create_staff(
        app, "both.roles", roles=["support", "privacy_officer"]), clock)
    found = client.post("/v1/staff/patients/search", headers=both.auth,
                        json={"national_id": patient.national_id})
    assert found.status_code == 200


def test_an_unknown_role_is_refused_when_the_account_is_made(app):
    from services.operations import admin
    from services.errors import InvalidInput
    with app.app_context(), pytest.raises(InvalidInput):
        admin.create_staff(current_ctx(), "support.x", factories.PASSWORD, ["superuser"])
