"""Actions that give access need a fresh sign-in (found by an auth review): a token refreshed
long after sign-in, as a stolen refresh token would give, could grant its thief a lasting
consent to the records. Taking access away never needs one."""
from datetime import timedelta

import pytest

from tests import factories
from tests.factories import bearer, bundle, lab_result, push


def stale(client, account, clock) -> dict:
    """An access token from a refresh 10 minutes after sign-in (FRESH_MINUTES is 5)."""
    clock.tick(timedelta(minutes=10))
    refreshed = client.post("/v1/auth/refresh", headers=bearer(account.refresh_token))
    assert refreshed.status_code == 200
    account.refresh_token = refreshed.json["refresh_token"]
    return bearer(refreshed.json["access_token"])


def owner_id(client, account) -> str:
    return client.get("/v1/me", headers=account.auth).json["id"]


def test_a_stale_token_cannot_grant_a_consent_but_can_revoke_one(client, hospital, patient,
                                                                 clock):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    thief = factories.signed_in_patient(client, hospital, clock)
    fresh = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "hospital", "id": hospital["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment"})
    assert fresh.status_code == 201
    headers = stale(client, patient, clock)
    granted = client.post("/v1/me/consents", headers=headers, json={
        "grantee": {"type": "person", "national_id": thief.national_id},
        "categories": ["all"], "purpose": "caregiving"})
    assert granted.status_code == 401
    assert granted.json["detail"].startswith("This change needs a fresh sign-in")
    assert client.get(f"/v1/me/shared-with-me/{owner_id(client, patient)}/records",
                      headers=thief.auth).status_code == 403
    revoked = client.post(f"/v1/me/consents/{fresh.json['id']}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None


@pytest.mark.parametrize("action", ["activation code", "record consent", "reset factor",
                                    "approve consent", "record representative",
                                    "reject consent", "revoke consent"])
def test_staff_need_a_fresh_sign_in_to_give_access_not_to_take_it_away(
        app, client, hospital, patient, clock, action):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    base = f"/v1/staff/patients/{owner_id(client, patient)}"
    recorded = client.post(f"{base}/consents", headers=staff.auth, json={
        "grantee": {"type": "hospital", "id": hospital["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment", "evidence": "FORM-1"})
    assert recorded.status_code == 202
    colleague = factories.enroll_totp(client, factories.create_staff(app, "support.two"), clock)
    headers = stale(client, colleague if "ject" in action or "prove" in action else staff,
                    clock)
    path, body, expected = {
        "activation code": ("/v1/staff/activation-codes",
                            {"national_id": factories.next_national_id()}, 401),
        "record consent": (f"{base}/consents", {
            "grantee": {"type": "hospital", "id": hospital["hospital_id"]},
            "categories": ["imaging"], "purpose": "treatment", "evidence": "FORM-2"}, 401),
        "reset factor": (f"{base}/reset-mfa", {"reason": "lost phone"}, 401),
        "approve consent": (f"/v1/staff/approvals/{recorded.json['id']}/approve", None, 401),
        "record representative": (f"{base}/representatives", {
            "representative_national_id": factories.next_national_id(),
            "relationship": "parent", "child_birth_date": "2016-01-01",
            "evidence": "FORM-4"}, 401),
        "reject consent": (f"/v1/staff/approvals/{recorded.json['id']}/reject", None, 200),
        "revoke consent": (f"{base}/consents/{recorded.json['id']}/revoke",
                           {"evidence": "FORM-3"}, 200),
    }[action]
    assert client.post(path, headers=headers, json=body).status_code == expected
