"""Support staff: mandatory TOTP, account-state lookups only."""
from datetime import timedelta

from security.totp import code_at
from tests import factories
from tests.factories import now


def test_staff_must_set_up_totp_before_anything_opens(app, client, clock):
    staff = factories.create_staff(app)
    first = client.post("/v1/auth/login", json=staff.login_body)
    assert set(first.json) == {"enrollment_token"}
    factories.enroll_totp(client, staff, clock)
    clock.tick(timedelta(seconds=30))
    second = client.post("/v1/auth/login", json=staff.login_body)
    assert set(second.json) == {"mfa_token"}
    signed_in = client.post("/v1/auth/mfa", json={"mfa_token": second.json["mfa_token"],
                                                  "code": code_at(staff.totp_secret, now())})
    assert signed_in.status_code == 200


def test_staff_lookup_is_exact_and_shows_account_state_only(app, client, hospital, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    patient = factories.registered_patient(client, hospital)
    found = client.get(f"/v1/staff/patients?national_id={patient.national_id}", headers=staff.auth)
    assert found.status_code == 200
    assert len(found.json) == 1
    assert set(found.json[0]) == {"id", "national_id", "registered", "totp_active", "created_at"}
    assert found.json[0]["registered"] is True and found.json[0]["totp_active"] is False
    prefix = client.get(f"/v1/staff/patients?national_id={patient.national_id[:11]}",
                        headers=staff.auth)
    assert prefix.status_code == 422
    none = client.get("/v1/staff/patients?national_id=099999999990", headers=staff.auth)
    assert none.json == []


def test_staff_lookup_rejects_operator_objects_in_the_query(app, client, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    response = client.get("/v1/staff/patients?national_id[$ne]=1", headers=staff.auth)
    assert response.status_code == 422
