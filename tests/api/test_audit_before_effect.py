"""An effect without its audit entry does not happen: when the trail cannot take the entry (a
contended chain, a database fault), a grant, a revocation, a measurement or a session end
answers 503 and nothing changed. Found by a review: the consent was stored before its entry,
so a failed append answered 503 while the consent worked."""
import pytest

from services.audit import recorder
from services.errors import AuditUnavailable
from tests import factories
from tests.factories import bundle, lab_result, push


@pytest.fixture
def carer(client, hospital, clock):
    return factories.signed_in_patient(client, hospital, clock)


def grant(client, account, grantee):
    return client.post("/v1/me/consents", headers=account.auth, json={
        "grantee": grantee, "categories": ["lab"], "purpose": "caregiving"})


def test_a_grant_that_cannot_be_recorded_permits_nothing(client, hospital, patient,
                                                                 carer, monkeypatch):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    owner = factories.owner_id(client, patient)
    real = recorder.Recorder.record

    def refuse_grants(self, action, **fields):
        if action == "consent.grant":
            raise AuditUnavailable()
        return real(self, action, **fields)
    monkeypatch.setattr(recorder.Recorder, "record", refuse_grants)
    assert grant(client, patient, factories.person(carer)).status_code == 503
    monkeypatch.setattr(recorder.Recorder, "record", real)
    assert client.get("/v1/me/consents", headers=patient.auth).json == []
    assert factories.shared_records(client, carer, owner).status_code == 403


def test_a_revocation_that_cannot_be_recorded_leaves_the_consent_as_it_was(
        client, hospital, patient, carer, monkeypatch):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    owner = factories.owner_id(client, patient)
    consent = grant(client, patient, factories.person(carer)).json
    real = recorder.Recorder.record

    def refuse_revocations(self, action, **fields):
        if action == "consent.revoke":
            raise AuditUnavailable()
        return real(self, action, **fields)
    monkeypatch.setattr(recorder.Recorder, "record", refuse_revocations)
    revoked = client.post(f"/v1/me/consents/{consent['id']}/revoke", headers=patient.auth,
                          json={})
    assert revoked.status_code == 503
    monkeypatch.setattr(recorder.Recorder, "record", real)
    [listed] = client.get("/v1/me/consents", headers=patient.auth).json
    assert listed["status"] == "active" and listed["revoked_at"] is None
    assert factories.shared_records(client, carer, owner).status_code == 200
    # And the withdrawal can still be made once the trail takes entries again.
    again = client.post(f"/v1/me/consents/{consent['id']}/revoke", headers=patient.auth,
                        json={})
    assert again.status_code == 200


def test_a_measurement_that_cannot_be_recorded_is_not_stored(client, patient, monkeypatch):
    real = recorder.Recorder.record

    def refuse_adds(self, action, **fields):
        if action == "records.add":
            raise AuditUnavailable()
        return real(self, action, **fields)
    monkeypatch.setattr(recorder.Recorder, "record", refuse_adds)
    added = client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "weight", "measured_at": "2026-11-20T07:00:00+07:00", "value": 61.5,
        "unit": "kg"})
    assert added.status_code == 503
    monkeypatch.setattr(recorder.Recorder, "record", real)
    assert factories.records_of(client, patient) == []


def test_a_measurement_names_on_the_trail_the_record_it_stored(client, patient):
    added = client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "weight", "measured_at": "2026-11-20T07:00:00+07:00", "value": 61.5,
        "unit": "kg"})
    assert added.status_code == 201
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert [e["record_id"] for e in log if e["action"] == "records.add"] == [added.json["id"]]


def test_a_session_end_that_cannot_be_recorded_leaves_the_device_signed_in(
        client, hospital, patient, clock, monkeypatch):
    other = factories.sign_in(client, factories.Account(
        national_id=patient.national_id, totp_secret=patient.totp_secret), clock)
    real = recorder.Recorder.record

    def refuse_ends(self, action, **fields):
        if action == "session.end":
            raise AuditUnavailable()
        return real(self, action, **fields)
    monkeypatch.setattr(recorder.Recorder, "record", refuse_ends)
    ended = client.delete(f"/v1/me/sessions/{other.session_id}", headers=patient.auth)
    assert ended.status_code == 503
    monkeypatch.setattr(recorder.Recorder, "record", real)
    assert client.get("/v1/me", headers=other.auth).status_code == 200
