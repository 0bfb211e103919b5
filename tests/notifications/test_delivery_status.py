"""Each inbox item shows what became of its push (`delivery_status`), read through
GET /v1/me/notifications as the app reads it, after rounds of the real worker on the app's
database: with the log sender (development) or firebase-admin against the local fake FCM."""
from datetime import timedelta

import pytest

from models.db import utcnow
from notifications.fcm import LogSender
from notifications.worker import deliver_once
from services.operations.notify import delivery_status
from services.operations.push_outbox import MongoOutbox
from tests.factories import bundle, current_ctx, lab_result, push


def statuses(client, patient, kind="record_available") -> list[str]:
    response = client.get("/v1/me/notifications", headers=patient.auth)
    assert response.status_code == 200, response.json
    return [item["delivery_status"] for item in response.json["items"] if item["kind"] == kind]


def add_device(client, patient, token: str) -> None:
    response = client.post("/v1/me/devices", headers=patient.auth,
                           json={"token": token, "platform": "android"})
    assert response.status_code == 201, response.json


def deliver(app, sender, later=timedelta()) -> dict:
    with app.app_context():
        return deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w1",
                            now=utcnow() + later)


def test_a_push_is_pending_until_the_worker_runs_then_sent_by_the_log_sender(
        app, client, hospital, patient):
    add_device(client, patient, "log-device-1")
    push(client, hospital, bundle(lab_result(patient.national_id)))
    assert statuses(client, patient) == ["pending"]
    assert deliver(app, LogSender())["sent"] == 1
    assert statuses(client, patient) == ["sent"]


def test_a_muted_kind_is_muted_and_never_sent(app, client, hospital, patient):
    add_device(client, patient, "log-device-2")
    client.put("/v1/me/notification-preferences", headers=patient.auth,
               json={"muted": ["record_available"]})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    assert statuses(client, patient) == ["muted"]
    assert deliver(app, LogSender())["claimed"] == 0
    assert statuses(client, patient) == ["muted"]


def test_a_patient_without_devices_sees_no_device_once_the_worker_looked(
        app, client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    assert statuses(client, patient) == ["pending"]
    assert deliver(app, LogSender())["claimed"] == 0
    assert statuses(client, patient) == ["no_device"]


@pytest.mark.parametrize("token", ["badpayload-device", "unregistered-device"])
def test_a_permanent_failure_or_a_refused_token_is_failed(app, client, hospital, patient,
                                                          fcm, make_sender, token):
    add_device(client, patient, token)
    push(client, hospital, bundle(lab_result(patient.national_id)))
    counts = deliver(app, make_sender())
    assert counts["dead"] + counts["drop_token"] == 1
    assert statuses(client, patient) == ["failed"]


def test_a_transient_failure_stays_pending_until_the_retry_sends_it(app, client, hospital,
                                                                    patient, fcm, make_sender):
    add_device(client, patient, "flaky-status-device")
    fcm.script("flaky-status-device", [503, 200])
    push(client, hospital, bundle(lab_result(patient.national_id)))
    sender = make_sender()
    assert deliver(app, sender)["retry"] == 1
    assert statuses(client, patient) == ["pending"]
    assert deliver(app, sender, later=timedelta(hours=2))["sent"] == 1
    assert statuses(client, patient) == ["sent"]


def test_one_device_reached_of_two_is_sent(app, client, hospital, patient, fcm, make_sender):
    add_device(client, patient, "ok-status-device")
    add_device(client, patient, "badpayload-status-device")
    push(client, hospital, bundle(lab_result(patient.national_id)))
    counts = deliver(app, make_sender())
    assert (counts["sent"], counts["dead"]) == (1, 1)
    assert statuses(client, patient) == ["sent"]


def test_the_statuses_read_the_stored_delivery_state():
    done = {"state": "done", "sent_to": [], "failed_for": []}
    assert delivery_status({"state": "claimed", "sent_to": [], "failed_for": []}) == "pending"
    assert delivery_status({"state": "pending", "sent_to": ["d1"], "failed_for": []}) == "sent"
    assert delivery_status({**done, "muted": True}) == "muted"
    assert delivery_status({**done, "failed_for": ["d1"]}) == "failed"
    assert delivery_status(done) == "no_device"


def test_the_openapi_document_lists_the_statuses(client):
    spec = client.get("/v1/openapi.json").json
    field = spec["components"]["schemas"]["NotificationOut"]["properties"]["delivery_status"]
    assert field["enum"] == ["pending", "sent", "failed", "muted", "no_device"]
    assert "delivery_status" in spec["components"]["schemas"]["NotificationOut"]["required"]
