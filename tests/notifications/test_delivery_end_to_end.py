"""From a hospital's push to FCM: the notification the inbox shows is handed to firebase-admin's
real client (against the local fake FCM), once per device, with nothing of the record in it."""
import json

from models.db import utcnow
from notifications.worker import deliver_once
from services.operations.push_outbox import MongoOutbox
from tests import factories
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx

CANARY = "CANARY-Melanoma-42"


def test_a_pushed_record_reaches_the_device_without_a_health_detail(app, client, hospital,
                                                                   patient, fcm, make_sender):
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "ok-device-1", "platform": "android", "language": "en"})
    result = lab_result(patient.national_id)
    result["note"] = [{"text": CANARY}]
    push(client, hospital, bundle(result))
    sender = make_sender()
    with app.app_context():
        counts = deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w1", now=utcnow())
        again = deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w2", now=utcnow())
    assert counts["sent"] == 1 and again["claimed"] == 0
    [body] = fcm.bodies_for("ok-device-1")
    text = json.dumps(body)
    assert "New results available" in text and CANARY not in text
    assert patient.national_id not in text and "Test Hospital" not in text


def test_an_unregistered_token_removes_its_device(app, client, hospital, patient, fcm,
                                                  make_sender):
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "unregistered-device", "platform": "ios"})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    with app.app_context():
        counts = deliver_once(MongoOutbox(current_ctx()), make_sender(), worker_id="w1", now=utcnow())
    assert counts["drop_token"] == 1
    assert app.extensions["mongo_db"].devices.count_documents({}) == 0


def test_a_transient_failure_is_retried_later_and_sent_once(app, client, hospital, patient, fcm,
                                                            make_sender):
    from datetime import timedelta
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "flaky-device", "platform": "android"})
    fcm.script("flaky-device", [503, 200])
    push(client, hospital, bundle(lab_result(patient.national_id)))
    sender = make_sender()
    with app.app_context():
        first = deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w1", now=utcnow())
        later = deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w1",
                             now=utcnow() + timedelta(hours=2))
        done = deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w1",
                            now=utcnow() + timedelta(hours=4))
    assert (first["retry"], later["sent"], done["claimed"]) == (1, 1, 0)
    assert len(fcm.bodies_for("flaky-device")) == 2


def test_a_crash_between_send_and_bookkeeping_sends_again_and_records_once(
        app, client, hospital, patient, fcm, make_sender, monkeypatch):
    from datetime import timedelta
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "ok-device-crash", "platform": "android"})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    outbox, sender = MongoOutbox(app.extensions["ctx"]), make_sender()
    real_sent = MongoOutbox.sent
    monkeypatch.setattr(MongoOutbox, "sent", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("the worker died here")))
    with app.app_context():
        crashed = deliver_once(outbox, sender, worker_id="w1", now=utcnow())
        monkeypatch.setattr(MongoOutbox, "sent", real_sent)
        during_lease = deliver_once(outbox, sender, worker_id="w2", now=utcnow())
        after_lease = deliver_once(outbox, sender, worker_id="w2",
                                   now=utcnow() + timedelta(minutes=5))
        nothing_left = deliver_once(outbox, sender, worker_id="w3",
                                    now=utcnow() + timedelta(minutes=10))
        [doc] = app.extensions["mongo_db"].notifications.find({"kind": "record_available"})
    assert crashed["unrecorded"] == 1 and during_lease["claimed"] == 0
    assert after_lease["sent"] == 1 and nothing_left["claimed"] == 0
    assert len(fcm.bodies_for("ok-device-crash")) == 2  # at least once: the device shows it once
    assert doc["delivery"]["state"] == "done" and len(doc["delivery"]["sent_to"]) == 1


def test_two_workers_at_once_send_each_notification_once(app, client, hospital, patient, fcm,
                                                         make_sender):
    import threading
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "ok-device-shared", "platform": "android"})
    for i in range(6):
        push(client, hospital, bundle(lab_result(patient.national_id, f"lab-{i}")))
    sender, start, totals = make_sender(), threading.Barrier(2), []

    def work(name):
        with app.app_context():
            start.wait()
            totals.append(deliver_once(MongoOutbox(current_ctx()), sender, worker_id=name, now=utcnow(),
                                       batch_size=4))
    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(t["sent"] for t in totals) == 6
    assert len(fcm.bodies_for("ok-device-shared")) == 6
