"""Review of issue 15: what staff see and do in the approval queue, and what the trail says."""
import pytest
import base64

from models import consents as consent_store
from tests import factories
from tests.review.common import access_log, decide, record_consent, staff
from tests.factories import current_ctx


def test_an_approval_that_loses_a_race_leaves_no_ok_approval_on_the_trail(
        app, client, hospital, patient, clock, monkeypatch):
    recorder = staff(app, client, clock, "support.recorder")
    approver = staff(app, client, clock, "support.approver")
    friend = factories.signed_in_patient(client, hospital, clock)
    owner = factories.owner_id(client, patient)
    item = record_consent(client, recorder, owner, factories.person(friend)).json["id"]
    with app.app_context():
        as_read = current_ctx().db.consents.find_one({"_id": item})
    # The patient withdraws it between the approver's read and the approver's write.
    assert client.post(f"/v1/me/consents/{item}/revoke", headers=patient.auth,
                       json={}).status_code == 200
    monkeypatch.setattr(consent_store.Consents, "get_by_id",
                        lambda self, consent_id: dict(as_read))
    assert decide(client, approver, item).status_code == 409
    approvals = [e["outcome"] for e in access_log(client, patient)
                 if e["action"] == "consent.approve"]
    # Recorded ahead of the write (audit before effect), then marked as not having happened.
    assert approvals == ["failed", "ok"]  # newest first


def test_an_approvals_cursor_out_of_the_dates_range_is_refused_not_a_500(app, client, clock):
    onlooker = staff(app, client, clock, "support.onlooker")
    for moment in ("9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+14:00"):
        cursor = base64.urlsafe_b64encode(f'["{moment}", "cns_x"]'.encode()).decode()
        answer = client.get("/v1/staff/approvals", headers=onlooker.auth,
                            query_string={"cursor": cursor})
        assert answer.status_code == 422


def test_a_notifications_cursor_out_of_the_dates_range_is_refused_not_a_500(client, patient):
    for moment in ("9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+14:00"):
        cursor = base64.urlsafe_b64encode(f'["{moment}", "ntf_x"]'.encode()).decode()
        answer = client.get("/v1/me/notifications", headers=patient.auth,
                            query_string={"cursor": cursor})
        assert answer.status_code == 422
