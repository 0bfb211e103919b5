"""What a consent change leaves behind (from mutation testing): the access-log entries naming the
consent and its purpose, the notification the patient gets (an ordinary one for their own
change, a security event naming the consent and the staff member for a change made on their
behalf), and what the revocation answer shows the patient and the staff member."""
from tests import factories
from tests.api.test_consent_edges import owner_id, person, staff  # noqa: F401 (a fixture)
from tests.api.test_consents import grant
from tests.factories import current_ctx


def consent_entries(client, patient):
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    return [e for e in log if e["action"] in ("consent.grant", "consent.propose",
                                              "consent.revoke")]


def inbox(client, patient, kind):
    items = client.get("/v1/me/notifications", headers=patient.auth).json["items"]
    return [n["data"] for n in items if n["kind"] == kind]


def test_a_patients_own_change_is_logged_and_notified_naming_the_consent(client, hospital,
                                                                         patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    me = owner_id(client, patient)
    granted = grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving",
                    sensitive=["hiv"]).json
    revoked = client.post(f"/v1/me/consents/{granted['id']}/revoke", headers=patient.auth,
                          json={}).json
    # The answer is the patient's own: nothing masked, and who withdrew it.
    assert revoked["sensitive"] == ["hiv"]
    assert revoked["grantee"] == {"type": "person", "national_id": carer.national_id}
    assert (revoked["status"], revoked["revoked_by"]) == ("inactive", f"patient:{me}")
    [listed] = client.get("/v1/me/consents", headers=patient.auth).json
    assert listed["revoked_by"] == f"patient:{me}"
    entries = consent_entries(client, patient)
    assert sorted((e["action"], e["consent_id"], e["purpose"], e["actor"]["type"])
                  for e in entries) == [
        ("consent.grant", granted["id"], "caregiving", "patient"),
        ("consent.revoke", granted["id"], "caregiving", "patient")]
    assert inbox(client, patient, "consent_changed") == [{"consent_id": granted["id"]}] * 2


def test_a_change_by_staff_is_a_security_event_naming_the_consent_and_the_staff_member(
        app, client, hospital, patient, staff, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    me = owner_id(client, patient)
    base = f"/v1/staff/patients/{me}/consents"
    recorded = client.post(base, headers=staff.auth, json={
        "grantee": person(carer), "categories": ["diagnosis"], "purpose": "caregiving",
        "sensitive": ["hiv"], "evidence": "FORM-2026-0042"}).json
    revoked = client.post(f"{base}/{recorded['id']}/revoke", headers=staff.auth,
                          json={"evidence": "FORM-2026-0043"})
    assert revoked.status_code == 200
    entries = consent_entries(client, patient)
    staff_id = {e["actor"]["id"] for e in entries} - {None}
    assert len(staff_id) == 1 and {e["actor"]["type"] for e in entries} == {"staff"}
    [staff_id] = staff_id
    # Staff see the revoked consent as they saw it recorded: the sensitive kinds only as
    # "named", the grantee's national ID masked.
    assert revoked.json["sensitive"] == ["named"]
    assert revoked.json["grantee"]["national_id"] == "********" + carer.national_id[-4:]
    assert revoked.json["revoked_by"] == f"staff:{staff_id}"
    assert sorted((e["action"], e["consent_id"], e["purpose"]) for e in entries) == [
        ("consent.propose", recorded["id"], "caregiving"),
        ("consent.revoke", recorded["id"], "caregiving")]
    assert len(inbox(client, patient, "consent_changed_by_staff")) == 2
    assert inbox(client, patient, "consent_changed") == []
    with app.app_context():
        events = [(e["kind"], e["event"], e["details"]) for e in current_ctx().repos.security_events.list_for(me)
                  if e["event"].startswith("consent_")]
    details = {"consent_id": recorded["id"], "staff_id": staff_id}
    assert sorted(events) == [("patient", "consent_recorded_by_staff", details),
                              ("patient", "consent_revoked_by_staff", details)]
