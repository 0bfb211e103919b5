"""Consents recorded by staff from signed paper forms: a second support account approves them
before they permit anything, they need real evidence, the patient is told and sees more than
staff do; staff tokens stay off clinical paths, and staff reset a lost second factor."""
import pytest

from tests import factories
from tests.api.test_consents import search, two_hospitals  # noqa: F401 (a fixture)
from tests.factories import bearer


@pytest.fixture
def staff(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.consents"), clock)


def test_staff_record_and_revoke_consents_from_signed_forms(app, client, staff, patient,
                                                            two_hospitals, clock):
    _, reader = two_hospitals
    colleague = factories.enroll_totp(client, factories.create_staff(app, "support.other"),
                                      clock)
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    base = f"/v1/staff/patients/{owner_id}/consents"
    body = {"grantee": {"type": "hospital", "id": reader["hospital_id"]}, "categories": ["lab"],
            "purpose": "treatment"}
    assert client.post(base, headers=staff.auth, json=body).status_code == 422  # no evidence
    recorded = client.post(base, headers=staff.auth, json={**body, "evidence": "FORM-2026-0042"})
    assert recorded.status_code == 202 and recorded.json["source"] == "staff"
    assert recorded.json["status"] == "pending-approval"
    assert search(client, reader, patient.national_id).status_code == 403  # four eyes first
    approved = client.post(f"/v1/staff/approvals/{recorded.json['id']}/approve",
                           headers=colleague.auth)
    assert approved.status_code == 200
    assert search(client, reader, patient.national_id).status_code == 200
    revoke = f"{base}/{recorded.json['id']}/revoke"
    assert client.post(revoke, headers=staff.auth, json={}).status_code == 422
    assert client.post(revoke, headers=staff.auth,
                       json={"evidence": "FORM-2026-0043"}).status_code == 200
    assert search(client, reader, patient.national_id).status_code == 403
    mine = client.get("/v1/me/consents", headers=patient.auth).json
    assert mine[0]["evidence"] == "FORM-2026-0042" and mine[0]["status"] == "inactive"
    client.get(base, headers=staff.auth)
    client.post("/v1/staff/patients/search", headers=staff.auth,
                json={"national_id": patient.national_id})
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert {"consent.propose", "consent.approve", "consent.revoke", "consents.list",
            "patient.lookup"} <= {
        e["action"] for e in log if e["actor"]["type"] == "staff"}


@pytest.mark.parametrize("path", ["/v1/me/records", "/v1/me/export", "/v1/me/consents",
                                  "/v1/me/shared-with-me"])
def test_staff_tokens_get_403_on_clinical_paths(client, staff, path):
    assert client.get(path, headers=staff.auth).status_code == 403


def test_staff_cannot_search_records_as_a_hospital(client, staff, patient):
    response = client.post("/v1/hospital/records/search", headers=staff.auth,
                           json={"national_id": patient.national_id, "purpose": "treatment"})
    assert response.status_code == 403


def test_staff_reset_a_lost_factor_and_the_patient_is_told(app, client, staff, patient,
                                                           hospital):
    from tests.factories import current_ctx
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    path = f"/v1/staff/patients/{owner_id}/reset-mfa"
    assert client.post(path, headers=staff.auth, json={"reason": "short"}).status_code == 422
    reset = client.post(path, headers=staff.auth,
                        json={"reason": "Lost phone; identity checked with CCCD card at desk"})
    assert reset.status_code == 204
    assert client.get("/v1/me", headers=patient.auth).status_code == 401
    login = client.post("/v1/auth/login", json=patient.login_body)
    assert set(login.json) == {"enrollment_token"}
    with app.app_context():
        events = [e for e in current_ctx().repos.security_events.list_for(owner_id)
                  if e["event"] == "second_factor_reset_by_staff"]
    assert len(events) == 1 and events[0]["details"]["reason"].startswith("Lost phone")
    hospital_auth = bearer(factories.hospital_token(client, hospital))
    assert client.post(path, headers=hospital_auth, json={
        "reason": "a hospital trying it here"}).status_code == 403


def test_staff_consents_need_real_evidence_are_told_to_the_patient_and_show_less(
        app, client, staff, patient, hospital, clock):
    from tests.factories import current_ctx
    carer = factories.signed_in_patient(client, hospital, clock)
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    base = f"/v1/staff/patients/{owner_id}/consents"
    body = {"grantee": {"type": "person", "national_id": carer.national_id},
            "categories": ["diagnosis"], "purpose": "caregiving", "sensitive": ["hiv"]}
    for blank in ("   ", "--", ""):
        assert client.post(base, headers=staff.auth,
                           json={**body, "evidence": blank}).status_code == 422
    recorded = client.post(base, headers=staff.auth, json={**body, "evidence": "FORM-77"}).json
    assert recorded["sensitive"] == ["named"]
    assert recorded["grantee"]["national_id"] == "********" + carer.national_id[-4:]
    mine = client.get("/v1/me/consents", headers=patient.auth).json[0]
    assert mine["sensitive"] == ["hiv"] and mine["grantee"]["national_id"] == carer.national_id
    with app.app_context():
        events = [e["event"] for e in current_ctx().repos.security_events.list_for(owner_id)]
    assert "consent_recorded_by_staff" in events
