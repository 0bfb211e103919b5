"""The scanned form behind an item staff record: sealed at rest and shown to staff only, refused
when it is not what it claims, and each viewing on the patient's access log naming the item."""
import base64

import pytest

from tests import factories
from tests.api.test_staff_approval_queue import record_link
from tests.api.test_staff_approvals import (  # noqa: F401 (fixtures)
    approver, cursors_as_a_real_server_takes_them, friend, record, recorder)
from tests.factories import current_ctx

PDF = b"%PDF-1.7\n% a signed consent form\n"


def test_the_scan_of_the_signed_form_is_sealed_and_shown_to_staff_only(
        app, client, patient, recorder, approver, friend):
    owner = factories.owner_id(client, patient)
    scan = {"content_type": "application/pdf", "data": base64.b64encode(PDF).decode()}
    recorded = record(client, recorder, owner, factories.person(friend), evidence_scan=scan)
    assert recorded.status_code == 202 and recorded.json["evidence_scan"] is True
    item = recorded.json["id"]
    fetched = client.get(f"/v1/staff/approvals/{item}/evidence-scan", headers=approver.auth)
    assert fetched.status_code == 200 and fetched.data == PDF
    assert fetched.content_type == "application/pdf"
    assert fetched.headers["Cache-Control"] == "no-store"
    refused = client.get(f"/v1/staff/approvals/{item}/evidence-scan", headers=patient.auth)
    assert refused.status_code == 403
    with app.app_context():
        [stored] = list(current_ctx().db.evidence_scans.find({}))
    assert b"signed consent form" not in repr(stored).encode()
    assert base64.b64encode(PDF).decode() not in repr(stored)
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert "evidence.read" in [e["action"] for e in log if e["actor"]["type"] == "staff"]


@pytest.mark.parametrize("scan, field_message", [
    ({"content_type": "application/pdf", "data": base64.b64encode(b"\x89PNG\r\n\x1a\n..")
      .decode()}, "not a application/pdf"),
    ({"content_type": "image/png", "data": "not base64 at all!"}, "not base64"),
])
def test_a_scan_that_is_not_what_it_claims_is_refused(client, patient, recorder, friend, scan,
                                                      field_message):
    owner = factories.owner_id(client, patient)
    refused = record(client, recorder, owner, factories.person(friend), evidence_scan=scan)
    assert refused.status_code == 422
    assert field_message in refused.json["errors"]["evidence_scan"][0]
    assert client.get("/v1/me/consents", headers=patient.auth).json == []


def test_an_item_without_a_scan_has_none_to_show(client, patient, recorder, approver, friend):
    owner = factories.owner_id(client, patient)
    item = record(client, recorder, owner, factories.person(friend)).json["id"]
    fetched = client.get(f"/v1/staff/approvals/{item}/evidence-scan", headers=approver.auth)
    assert fetched.status_code == 404


def test_each_viewing_of_a_scan_is_on_the_patients_log_naming_the_item(
        app, client, patient, recorder, approver, friend):
    owner = factories.owner_id(client, patient)
    scan = {"content_type": "application/pdf", "data": base64.b64encode(PDF).decode()}
    consent = record(client, recorder, owner, factories.person(friend), evidence_scan=scan)
    link = record_link(client, recorder, owner, evidence_scan=scan)  # the patient as the child
    for item in (consent.json["id"], link.json["id"]):
        fetched = client.get(f"/v1/staff/approvals/{item}/evidence-scan", headers=approver.auth)
        assert fetched.status_code == 200 and fetched.data == PDF
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    read = [e["consent_id"] for e in log if e["action"] == "evidence.read"]
    assert len(read) == 2 and set(read) == {consent.json["id"], link.json["id"]}
    with app.app_context():
        stored = {s["subject_id"]: s for s in current_ctx().db.evidence_scans.find({})}
    assert [(s["uploaded_by"] or {}).get("type") for s in stored.values()] == ["staff", "staff"]
    assert stored[consent.json["id"]]["uploaded_by"] == stored[link.json["id"]]["uploaded_by"]
