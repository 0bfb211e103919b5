"""Reads that race a revocation: the consents are judged again once the page is built, so a page
never carries records read under a consent withdrawn before it was returned."""
from services.records import reading
from services.sharing import consents, shared_access
from tests import factories
from tests.factories import bundle, diagnosis, lab_result, push
from tests.factories import current_ctx


def revoke_during_the_read(monkeypatch, patient_id: str, consent_id: str) -> None:
    """The patient withdraws `consent_id` right after the first batch of records is read."""
    real = reading.page

    def page_then_revoke(*args, **kwargs):
        found = real(*args, **kwargs)
        monkeypatch.setattr(shared_access.reading, "page", real)
        consents.revoke(current_ctx(), patient_id, consent_id, actor={"type": "patient", "id": patient_id})
        return found
    monkeypatch.setattr(shared_access.reading, "page", page_then_revoke)


def grant(client, patient, carer, categories):
    return client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": factories.person(carer), "categories": categories,
        "purpose": "caregiving"}).json["id"]


def test_a_page_read_while_its_only_consent_is_withdrawn_is_refused(
        client, hospital, patient, clock, monkeypatch):
    carer = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(patient.national_id)))
    owner = factories.owner_id(client, patient)
    consent_id = grant(client, patient, carer, ["lab"])
    revoke_during_the_read(monkeypatch, owner, consent_id)
    assert factories.shared_records(client, carer, owner).status_code == 403


def test_records_read_under_a_withdrawn_consent_leave_the_page_the_others_stay(
        client, hospital, patient, clock, monkeypatch):
    carer = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    owner = factories.owner_id(client, patient)
    labs = grant(client, patient, carer, ["lab"])
    grant(client, patient, carer, ["diagnosis"])
    revoke_during_the_read(monkeypatch, owner, labs)
    page = factories.shared_records(client, carer, owner)
    assert page.status_code == 200
    assert [r["category"] for r in page.json["items"]] == ["diagnosis"]
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    read_under = {e["consent_id"] for e in log if e["action"] == "records.list"}
    assert labs not in read_under  # nothing was logged as read under the withdrawn consent
