"""The MongoDB outbox at its edges (from mutation testing): rounds over several devices, several
patients and several attempts, through the real FcmSender against the local fake FCM.

Each test first runs one round so the security notifications of the sign-in (sent while the
patient had no device) are out of the way; what is left is the notification under test."""
from datetime import timedelta

from models.db import utcnow
from notifications.worker import deliver_once
from services.operations.push_outbox import MongoOutbox
from tests import factories
from tests.factories import bundle, lab_result, push
from tests.factories import current_ctx


def register_device(client, account, token: str) -> str:
    response = client.post("/v1/me/devices", headers=account.auth,
                           json={"token": token, "platform": "android"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def round_at(now, sender, **options) -> dict:
    return deliver_once(MongoOutbox(current_ctx()), sender, worker_id="w1", now=now, **options)


def record_notifications(patient_id: str) -> list[dict]:
    return list(current_ctx().db.notifications.find({"patient_id": patient_id,
                                             "kind": "record_available"}).sort("created_at", 1))


def patient_id_of(app, account) -> str:
    return factories.stored_patient(app, account.national_id)["_id"]


def test_a_round_ends_a_notification_for_a_patient_without_devices_and_goes_on_to_the_next(
        app, client, hospital, patient, clock, fcm, make_sender):
    """A patient without a device has the inbox only: the round marks the notification done
    (at the round's time) and still sends the notifications claimed after it."""
    sender = make_sender()
    other = factories.signed_in_patient(client, hospital, clock)
    with app.app_context():
        round_at(utcnow(), sender)  # the sign-ins' security notifications
    register_device(client, other, "ok-other-phone")
    clock.tick(timedelta(seconds=1))
    push(client, hospital, bundle(lab_result(patient.national_id)))  # due first
    clock.tick(timedelta(seconds=1))
    push(client, hospital, bundle(lab_result(other.national_id, "lab-other")))
    round_time = utcnow() + timedelta(minutes=1)
    with app.app_context():
        counts = round_at(round_time, sender)
        [deviceless] = record_notifications(patient_id_of(app, patient))
        [pushed] = record_notifications(patient_id_of(app, other))
    assert (counts["claimed"], counts["sent"]) == (1, 1)
    assert len(fcm.bodies_for("ok-other-phone")) == 1
    assert deviceless["delivery"]["state"] == "done"
    assert deviceless["delivery"]["done_at"] == round_time
    assert pushed["delivery"]["state"] == "done"


def test_a_round_claims_no_more_notifications_than_its_batch(app, client, hospital, patient,
                                                             clock, fcm, make_sender):
    sender = make_sender()
    with app.app_context():
        round_at(utcnow(), sender)
    register_device(client, patient, "ok-one-phone")
    for n in range(2):
        clock.tick(timedelta(seconds=1))
        push(client, hospital, bundle(lab_result(patient.national_id, f"lab-{n}", value=n)))
    with app.app_context():
        first = round_at(utcnow(), sender, batch_size=1)
        states = [d["delivery"]["state"] for d in record_notifications(
            patient_id_of(app, patient))]
        second = round_at(utcnow(), sender, batch_size=1)
    assert (first["claimed"], first["sent"]) == (1, 1)
    assert states == ["done", "pending"]
    assert (second["claimed"], second["sent"]) == (1, 1)
    assert len(fcm.bodies_for("ok-one-phone")) == 2


def test_a_retry_goes_only_to_the_device_that_has_not_had_the_push(app, client, hospital,
                                                                   patient, clock, fcm,
                                                                   make_sender):
    """Sent to one device, given up for another, put off for a third: the next round sends to
    the third only, and the notification ends when every device has an outcome."""
    sender = make_sender()
    with app.app_context():
        round_at(utcnow(), sender)
    delivered = register_device(client, patient, "ok-phone")
    refused = register_device(client, patient, "badpayload-phone")
    flaky = register_device(client, patient, "flaky-phone")
    fcm.script("flaky-phone", [503, 200])
    push(client, hospital, bundle(lab_result(patient.national_id)))
    later = utcnow() + timedelta(hours=2)
    with app.app_context():
        first = round_at(utcnow(), sender)
        [between] = record_notifications(patient_id_of(app, patient))
        second = round_at(later, sender)
        [after] = record_notifications(patient_id_of(app, patient))
    assert (first["sent"], first["dead"], first["retry"]) == (1, 1, 1)
    assert between["delivery"]["state"] == "pending"
    assert (between["delivery"]["sent_to"], between["delivery"]["failed_for"]) == (
        [delivered], [refused])
    assert (second["claimed"], second["sent"]) == (1, 1)
    assert [len(fcm.bodies_for(t)) for t in ("ok-phone", "badpayload-phone", "flaky-phone")] == [
        1, 1, 2]
    assert after["delivery"]["state"] == "done" and after["delivery"]["done_at"] == later
    assert sorted(after["delivery"]["sent_to"]) == sorted([delivered, flaky])
    assert after["delivery"]["failed_for"] == [refused]


def test_a_push_that_keeps_failing_is_given_up_after_its_last_attempt(app, client, hospital,
                                                                      patient, clock, fcm,
                                                                      make_sender):
    """Attempts are counted on the notification from round to round: with three allowed, the
    third failure gives the push up for that device instead of putting it off again."""
    sender = make_sender()
    with app.app_context():
        round_at(utcnow(), sender)
    device = register_device(client, patient, "unavailable-phone")
    push(client, hospital, bundle(lab_result(patient.national_id)))
    with app.app_context():
        ends = [round_at(utcnow() + timedelta(hours=2 * n), sender, max_attempts=3)
                for n in range(4)]
        [notification] = record_notifications(patient_id_of(app, patient))
    assert [(c["retry"], c["dead"]) for c in ends] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert len(fcm.bodies_for("unavailable-phone")) == 3
    delivery = notification["delivery"]
    assert (delivery["state"], delivery["attempts"], delivery["failed_for"]) == (
        "done", 2, [device])
    assert get_db_devices(app) == [device]  # given up, not dropped: the token may still work


def get_db_devices(app) -> list[str]:
    with app.app_context():
        return [d["_id"] for d in current_ctx().db.devices.find()]


def test_a_device_whose_token_no_key_opens_is_skipped_and_the_others_still_get_the_push(
        app, client, hospital, patient, clock, fcm, make_sender):
    """A token left sealed under a dropped key fails that device only: the round goes on."""
    sender = make_sender()
    with app.app_context():
        round_at(utcnow(), sender)
    delivered = register_device(client, patient, "ok-phone")
    lost = register_device(client, patient, "lost-phone")
    with app.app_context():
        current_ctx().db.devices.update_one({"_id": lost}, {"$set": {"token": "v2:gone:" + "A" * 48}})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    with app.app_context():
        counts = round_at(utcnow(), sender)
        [after] = record_notifications(patient_id_of(app, patient))
    assert (counts["claimed"], counts["sent"]) == (1, 1)
    assert len(fcm.bodies_for("ok-phone")) == 1
    assert after["delivery"]["sent_to"] == [delivered]
    assert after["delivery"]["failed_for"] == [lost]
    assert after["delivery"]["state"] == "done"
