"""Notifications at their edges (from mutation testing): the FCM errors that name the token, the
sender the app builds from its configuration, and what a retry leaves on the notification."""
import json

import requests
from firebase_admin import exceptions

import notifications.fcm as fcm_module
from models.db import utcnow
from notifications.fcm import FcmSender, LogSender
from notifications.fcm_errors import classify
from notifications.push import DROP_TOKEN, FAILED, Push
from notifications.worker import deliver_once
from services.operations.push_outbox import MongoOutbox, make_sender
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx

FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


def invalid_argument(body: bytes):
    answer = requests.Response()
    answer.status_code, answer._content = 400, body
    return exceptions.InvalidArgumentError("bad", http_response=answer)


def fcm_detail(**detail) -> bytes:
    return json.dumps({"error": {"details": [detail]}}).encode()


def test_an_fcm_invalid_argument_detail_names_the_token_and_drops_it():
    error = invalid_argument(fcm_detail(**{"@type": FCM_ERROR, "errorCode": "INVALID_ARGUMENT"}))
    assert classify(error)[0] == DROP_TOKEN


def test_another_fcm_error_code_or_another_detail_type_keeps_the_token():
    other_code = invalid_argument(fcm_detail(**{"@type": FCM_ERROR, "errorCode": "UNREGISTERED"}))
    other_type = invalid_argument(fcm_detail(**{"@type": "type.googleapis.com/google.rpc.Help",
                                                "errorCode": "INVALID_ARGUMENT"}))
    assert classify(other_code)[0] == FAILED
    assert classify(other_type)[0] == FAILED


def test_a_400_whose_json_body_is_not_an_object_keeps_the_token():
    assert classify(invalid_argument(b'["not", "an", "object"]'))[0] == FAILED


def test_an_error_from_outside_firebase_is_given_up_not_retried():
    assert classify(ValueError("a bug of ours"))[:2] == (FAILED, "ValueError")


def test_without_a_service_account_pushes_go_to_the_log():
    assert isinstance(make_sender({}), LogSender)


def test_with_a_service_account_the_app_sends_through_fcm_as_configured(
        write_service_account, fcm, monkeypatch):
    monkeypatch.setattr(fcm_module, "FCM_BASE_URL", fcm.url)
    sender = make_sender({"FCM_CREDENTIALS_FILE": write_service_account(fcm.token_uri),
                          "FCM_PROJECT_ID": "phr-configured"})
    try:
        assert isinstance(sender, FcmSender) and sender.project_id == "phr-configured"
        sender.send([Push(job_id=f"job_{n}", token=token, title="t", body="b",
                          data={"kind": kind}, collapse_key=kind)
                     for n, (token, kind) in enumerate([("ok-sec", "credentials_changed"),
                                                        ("ok-rec", "record_available")])])
    finally:
        sender.close()
    assert {r["project"] for r in fcm.requests} == {"phr-configured"}
    [security] = fcm.bodies_for("ok-sec")
    [ordinary] = fcm.bodies_for("ok-rec")
    assert security["message"]["android"]["priority"] == "high"
    assert ordinary["message"]["android"]["priority"] == "normal"


def test_a_retry_puts_the_notification_back_with_its_attempt_and_error(app, client, hospital,
                                                                       patient, fcm,
                                                                       make_sender):
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "flaky-device", "platform": "android"})
    fcm.script("flaky-device", [503])
    push(client, hospital, bundle(lab_result(patient.national_id)))
    with app.app_context():
        before = utcnow()
        counts = deliver_once(MongoOutbox(current_ctx()), make_sender(), worker_id="w1", now=before)
        [notification] = current_ctx().db.notifications.find({"kind": "record_available"})
    assert counts["retry"] == 1
    delivery = notification["delivery"]
    assert (delivery["state"], delivery["attempts"], delivery["last_error"]) == (
        "pending", 1, "UNAVAILABLE")
    assert delivery["next_at"] > before


def test_a_push_given_up_ends_the_notification_for_that_device_and_keeps_the_device(
        app, client, hospital, patient, fcm, make_sender):
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "badpayload-device", "platform": "android"})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    with app.app_context():
        counts = deliver_once(MongoOutbox(current_ctx()), make_sender(), worker_id="w1", now=utcnow())
        [notification] = current_ctx().db.notifications.find({"kind": "record_available"})
        [device] = current_ctx().db.devices.find()
    assert counts["dead"] == 1
    delivery = notification["delivery"]
    assert delivery["state"] == "done" and delivery["failed_for"] == [device["_id"]]
    assert delivery["sent_to"] == []
