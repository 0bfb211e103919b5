"""FcmSender driving firebase-admin's real send_each against the local FCM and token endpoint."""
import json
import logging
import socket

import pytest
from firebase_admin import messaging

from notifications.fcm import DROP_TOKEN, FAILED, RETRY, SENT, FcmSender, Push
from tests.notifications.fake_fcm import PROJECT

CANARY = "CANARY-HIV-positive-viral-load-120000"


def push(token: str, n: int = 1, **changes) -> Push:
    fields = dict(job_id=f"job_{n}", token=token, title="Hồ sơ mới",
                  body="Bạn có thông tin mới trong ứng dụng.",
                  data={"kind": "record_available", "notification_id": f"ntf_{n}"},
                  collapse_key=f"ntf_{n}")
    fields.update(changes)
    return Push(**fields)


def outcomes(results):
    return [(r.push.token, r.outcome, r.error) for r in results]


def test_a_good_token_is_sent_through_the_local_oauth_exchange(sender, fcm):
    [result] = sender.send([push("ok-device-1")])
    assert (result.outcome, result.error) == (SENT, None)
    assert fcm.token_exchanges >= 1 and fcm.unauthorized == 0
    assert fcm.requests[0]["project"] == PROJECT


@pytest.mark.parametrize("prefix, outcome, error", [
    ("unregistered", DROP_TOKEN, "UNREGISTERED"),  # 404
    ("badtoken", DROP_TOKEN, "INVALID_ARGUMENT"),  # 400 naming the token
    ("mismatch", DROP_TOKEN, "SENDER_ID_MISMATCH"),  # 403
    ("quota", RETRY, "QUOTA_EXCEEDED"),  # 429
    ("unavailable", RETRY, "UNAVAILABLE"),  # 503
    ("internal", RETRY, "INTERNAL"),  # 500
    ("gateway", RETRY, "UNKNOWN"),  # 502 with an HTML body
    ("badpayload", FAILED, "INVALID_ARGUMENT"),  # 400 about the payload: the device is fine
    ("apnsauth", FAILED, "THIRD_PARTY_AUTH_ERROR"),  # 401: our APNs set-up, not the device
])
def test_each_fcm_answer_is_classified_per_message(sender, fcm, prefix, outcome, error):
    [result] = sender.send([push(f"{prefix}-device-1")])
    assert (result.outcome, result.error) == (outcome, error)


def test_one_batch_mixes_answers_in_order(sender, fcm):
    tokens = ["ok-a", "unregistered-b", "quota-c", "unavailable-d", "badtoken-e", "mismatch-f",
              "ok-g"]
    results = sender.send([push(token, n) for n, token in enumerate(tokens)])
    assert outcomes(results) == [
        ("ok-a", SENT, None), ("unregistered-b", DROP_TOKEN, "UNREGISTERED"),
        ("quota-c", RETRY, "QUOTA_EXCEEDED"), ("unavailable-d", RETRY, "UNAVAILABLE"),
        ("badtoken-e", DROP_TOKEN, "INVALID_ARGUMENT"),
        ("mismatch-f", DROP_TOKEN, "SENDER_ID_MISMATCH"), ("ok-g", SENT, None)]


def test_a_batch_exchanges_one_access_token_and_reuses_it(sender, fcm):
    sender.send([push(f"ok-device-{n}", n) for n in range(50)])
    sender.send([push("ok-device-again", 99)])
    assert fcm.token_exchanges == 1
    assert len(fcm.requests) == 51 and fcm.unauthorized == 0


def test_quota_answer_carries_fcm_retry_after(sender):
    [result] = sender.send([push("quota-device")])
    assert result.retry_after == 120.0


def test_a_503_is_not_retried_inside_the_request(sender, fcm):
    # firebase-admin's default would resend it 4 times with sleeps inside the worker's lease;
    # the outbox retries instead.
    sender.send([push("unavailable-device")])
    assert fcm.tokens_sent() == ["unavailable-device"]


def test_more_than_500_pushes_go_in_batches_of_at_most_500(sender, fcm, monkeypatch):
    sizes = []
    real_send_each = messaging.send_each

    def spy(messages, *args, **kwargs):
        sizes.append(len(messages))
        return real_send_each(messages, *args, **kwargs)

    monkeypatch.setattr(messaging, "send_each", spy)
    pushes = [push(f"ok-device-{n}", n) for n in range(501)]
    results = sender.send(pushes)
    assert sizes == [500, 1]
    assert [r.push for r in results] == pushes
    assert {r.outcome for r in results} == {SENT}
    assert sorted(fcm.tokens_sent()) == sorted(p.token for p in pushes)


def test_request_body_carries_collapse_key_and_nothing_beyond_title_body_data(sender, fcm):
    # Whatever health data sits beside the job, the push carries only what it was given.
    record = {"patient": "pat_1", "diagnosis": CANARY, "notification_id": "ntf_7"}
    one = push("ok-device-7", 7, data={"kind": "record_available",
                                       "notification_id": record["notification_id"]})
    sender.send([one])
    [body] = fcm.bodies_for("ok-device-7")
    assert CANARY not in json.dumps(body, ensure_ascii=False)
    message = body["message"]
    assert set(body) == {"message"}
    assert set(message) == {"token", "notification", "data", "android", "apns"}
    assert message["notification"] == {"title": one.title, "body": one.body}
    assert message["data"] == {"kind": "record_available", "notification_id": "ntf_7"}
    assert message["android"] == {"collapse_key": "ntf_7", "priority": "normal"}
    assert message["apns"] == {"headers": {"apns-collapse-id": "ntf_7", "apns-priority": "5"}}


def test_security_kinds_go_high_priority(make_sender, fcm):
    sender = make_sender(high_priority_kinds={"security_event", "new_sign_in"})
    sender.send([push("ok-sec", 1, data={"kind": "new_sign_in"}),
                 push("ok-rec", 2, data={"kind": "record_available"})])
    [high] = fcm.bodies_for("ok-sec")
    [normal] = fcm.bodies_for("ok-rec")
    assert high["message"]["android"]["priority"] == "high"
    assert high["message"]["apns"]["headers"]["apns-priority"] == "10"
    assert normal["message"]["android"]["priority"] == "normal"


def test_a_firebase_installation_id_goes_in_the_fid_field(sender, fcm):
    [result] = sender.send([push("ok-installation-1", token_field="fid")])
    assert result.outcome == SENT
    [body] = [r["body"] for r in fcm.requests]
    assert body["message"]["fid"] == "ok-installation-1" and "token" not in body["message"]


def test_sending_registration_tokens_raises_no_deprecation_warning_per_push(sender, recwarn):
    sender.send([push("ok-device-1")])
    assert not [w for w in recwarn if "deprecated" in str(w.message)]


def test_token_endpoint_down_retries_every_push_of_the_batch(make_sender, fcm):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sender = make_sender(token_uri=f"http://127.0.0.1:{closed_port}/token")
    results = sender.send([push("ok-a", 1), push("unregistered-b", 2)])
    assert outcomes(results) == [("ok-a", RETRY, "AUTH_UNAVAILABLE"),
                                 ("unregistered-b", RETRY, "AUTH_UNAVAILABLE")]
    assert fcm.requests == []


def test_token_endpoint_refusing_the_key_retries_every_push(make_sender, fcm):
    sender = make_sender(token_uri=f"{fcm.url}/not-the-token-endpoint")
    results = sender.send([push("ok-a")])
    assert outcomes(results) == [("ok-a", RETRY, "AUTH_REFUSED")]


def test_fcm_unreachable_is_a_transport_error_and_retried(make_sender):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sender = make_sender(fcm_url=f"http://127.0.0.1:{closed_port}")
    [result] = sender.send([push("ok-a")])
    assert (result.outcome, result.error) == (RETRY, "UNAVAILABLE")


def test_without_fcm_url_the_sender_goes_to_google(make_sender, network_guard):
    sender = make_sender(fcm_url=None)
    [result] = sender.send([push("ok-a")])
    assert set(network_guard) == {"fcm.googleapis.com"}  # refused by the guard: nothing left
    network_guard.clear()
    assert (result.outcome, result.error) == (RETRY, "UNAVAILABLE")


def test_plain_http_is_refused_beyond_loopback(write_service_account, fcm):
    with pytest.raises(ValueError, match="loopback"):
        FcmSender(write_service_account(fcm.token_uri), fcm_url="http://fcm.example.org")
    with pytest.raises(ValueError, match="root URL"):
        FcmSender(write_service_account(fcm.token_uri), fcm_url=f"{fcm.url}/v1/projects/x")


def test_project_id_overrides_the_service_accounts(make_sender, fcm):
    sender = make_sender(project_id="phr-other")
    sender.send([push("ok-a")])
    assert sender.project_id == "phr-other"
    assert fcm.requests[0]["project"] == "phr-other"


def test_app_name_is_free_again_after_close(make_sender, write_service_account, fcm):
    first = make_sender(app_name="phr-fcm-reused")
    with pytest.raises(ValueError):
        FcmSender(write_service_account(fcm.token_uri), app_name="phr-fcm-reused",
                  fcm_url=fcm.url)
    first.close()
    with FcmSender(write_service_account(fcm.token_uri), app_name="phr-fcm-reused",
                   fcm_url=fcm.url) as second:
        assert second.send([push("ok-a")])[0].outcome == SENT
    first.close = lambda: None  # already closed; the fixture's teardown must not fail


def test_empty_list_sends_nothing(sender, fcm):
    assert sender.send([]) == []
    assert fcm.requests == [] and fcm.token_exchanges == 0


def test_sender_logs_no_token_title_or_body(sender, caplog):
    tokens = ["ok-CANARYTOKEN1", "unregistered-CANARYTOKEN2", "unavailable-CANARYTOKEN3"]
    with caplog.at_level(logging.DEBUG):
        sender.send([push(token, n) for n, token in enumerate(tokens)])
    for secret in ("CANARYTOKEN", "Hồ sơ mới", "Bạn có thông tin mới"):
        assert secret not in caplog.text
