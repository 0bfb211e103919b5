"""Support staff: mandatory TOTP, account-state lookups only."""
from datetime import timedelta

import pytest

from security.totp import code_at
from tests import factories
from tests.factories import bearer, now


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


def search(client, staff, body):
    return client.post("/v1/staff/patients/search", json=body, headers=staff.auth)


def test_staff_search_is_exact_and_shows_account_state_only(app, client, hospital, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    patient = factories.registered_patient(client, hospital)
    found = search(client, staff, {"national_id": patient.national_id})
    assert found.status_code == 200
    assert len(found.json) == 1
    assert set(found.json[0]) == {"id", "national_id", "registered", "totp_active", "created_at"}
    assert found.json[0]["registered"] is True and found.json[0]["totp_active"] is False
    prefix = search(client, staff, {"national_id": patient.national_id[:11]})
    assert prefix.status_code == 422
    none = search(client, staff, {"national_id": "099999999990"})
    assert none.status_code == 200 and none.json == []


@pytest.mark.parametrize("body", [{"national_id": {"$ne": "1"}}, {"national_id": ["001234567890"]},
                                  {"national_id": "001234567890", "name": "x"}, {}])
def test_staff_search_body_is_strict(app, client, clock, body):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    response = search(client, staff, body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_national_id_in_a_url_finds_nothing(app, client, hospital, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    patient = factories.registered_patient(client, hospital)
    old = client.get(f"/v1/staff/patients?national_id={patient.national_id}", headers=staff.auth)
    assert old.status_code == 404
    query = client.get(f"/v1/staff/patients/search?national_id={patient.national_id}",
                       headers=staff.auth)
    assert query.status_code == 405
    assert patient.national_id not in old.get_data(as_text=True) + query.get_data(as_text=True)


def test_staff_search_refuses_other_audiences_and_no_token(make_app, clock):
    # Rate limits on: the guard runs before the per-account limit, whose key needs a verified token.
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    patient = factories.signed_in_patient(client, hospital, clock)
    body = {"national_id": patient.national_id}
    assert client.post("/v1/staff/patients/search", json=body).status_code == 401
    assert client.post("/v1/staff/patients/search", json=body,
                       headers=bearer("not.a.token")).status_code == 401
    assert client.post("/v1/staff/patients/search", json=body,
                       headers=patient.auth).status_code == 403
    hospital_auth = bearer(factories.hospital_token(client, hospital))
    assert client.post("/v1/staff/patients/search", json=body,
                       headers=hospital_auth).status_code == 403


def test_staff_search_rate_limit_is_per_staff_account(make_app):
    # Real time, not the frozen `clock`: flask-limiter's memory storage expires counters from a
    # timer thread, and freezegun gives threading real time, so a frozen clock looks an hour
    # old to it and the counter vanishes mid-test.
    app = make_app(RATELIMIT_ENABLED=True, STAFF_SEARCH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    first = factories.enroll_totp(client, factories.create_staff(app, "support.one"), None)
    second = factories.enroll_totp(client, factories.create_staff(app, "support.two"), None)
    body = {"national_id": "099999999990"}
    assert [search(client, first, body).status_code for _ in range(2)] == [200, 200]
    limited = search(client, first, body)
    assert limited.status_code == 429
    assert limited.content_type == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    # Same client address, another account: its own budget.
    assert search(client, second, body).status_code == 200
