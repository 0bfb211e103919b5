"""FcmSender at its edges (from mutation testing): a loopback named "localhost", a firebase-admin
whose messaging service moved the attributes the sender tunes, a message the SDK refuses on its
own, and the warning for a batch that could not be sent."""
import logging
import socket
import time
import types

import pytest
from firebase_admin import messaging

from notifications.fcm import FAILED, RETRY, SENT, FcmSender, Push


def push(token: str, n: int = 1) -> Push:
    return Push(job_id=f"job_{n}", token=token, title="t", body="b",
                data={"kind": "record_available", "notification_id": f"ntf_{n}"},
                collapse_key="record_available")


def test_plain_http_is_allowed_to_localhost(make_sender, fcm):
    sender = make_sender(fcm_url=fcm.url.replace("127.0.0.1", "localhost"))
    [result] = sender.send([push("ok-a")])
    assert (result.outcome, result.error) == (SENT, None)
    assert fcm.tokens_sent() == ["ok-a"]


@pytest.mark.parametrize("service", [
    types.SimpleNamespace(_fcm_url="https://fcm.googleapis.com/x"),  # no _client
    types.SimpleNamespace(_fcm_url="https://fcm.googleapis.com/x",
                          _client=types.SimpleNamespace()),  # a client without a session
], ids=["no-client", "no-session"])
def test_a_firebase_admin_that_moved_what_the_sender_tunes_is_refused_and_the_name_freed(
        write_service_account, fcm, monkeypatch, service):
    monkeypatch.setattr(messaging, "_get_messaging_service", lambda app: service)
    with pytest.raises(RuntimeError, match="STACK.md"):
        FcmSender(write_service_account(fcm.token_uri), fcm_url=fcm.url, app_name="phr-moved")
    monkeypatch.undo()
    with FcmSender(write_service_account(fcm.token_uri), fcm_url=fcm.url,
                   app_name="phr-moved") as sender:
        assert sender.send([push("ok-a")])[0].outcome == SENT


def test_a_message_the_sdk_refuses_fails_alone_and_the_rest_of_the_batch_goes(
        sender, fcm, monkeypatch):
    """send_each refuses a whole list for one message it cannot encode; the sender checks each
    first, so a stricter firebase-admin than Push's own rules costs that push only."""
    encode = messaging._MessagingService.encode_message  # pylint: disable=protected-access

    def stricter(message):
        if message.token == "ok-refused":
            raise ValueError("refused by the SDK")
        return encode(message)
    monkeypatch.setattr(messaging._MessagingService, "encode_message",  # pylint: disable=protected-access
                        staticmethod(stricter))
    results = sender.send([push("ok-a", 1), push("ok-refused", 2), push("ok-c", 3)])
    assert [(r.push.job_id, r.outcome, r.error) for r in results] == [
        ("job_1", SENT, None), ("job_2", FAILED, "INVALID_MESSAGE"), ("job_3", SENT, None)]
    assert sorted(fcm.tokens_sent()) == ["ok-a", "ok-c"]


def test_a_batch_that_could_not_be_sent_is_one_warning_with_its_code(make_sender, fcm, caplog):
    sender = make_sender(token_uri=f"{fcm.url}/not-the-token-endpoint")
    with caplog.at_level(logging.WARNING, logger="notifications.fcm"):
        results = sender.send([push("ok-a", 1), push("ok-b", 2)])
    assert [(r.outcome, r.error) for r in results] == [(RETRY, "AUTH_REFUSED")] * 2
    assert [r.getMessage() for r in caplog.records if r.name == "notifications.fcm"] == [
        "FCM batch of 2 not sent: AUTH_REFUSED"]


def test_a_root_url_with_a_trailing_slash_is_the_same_root(make_sender, fcm):
    sender = make_sender(fcm_url=fcm.url + "/")
    [result] = sender.send([push("ok-a")])
    assert (result.outcome, result.error) == (SENT, None)
    assert fcm.tokens_sent() == ["ok-a"]


def test_a_url_that_is_neither_http_nor_https_is_refused(write_service_account, fcm):
    with pytest.raises(ValueError, match="root URL"):
        FcmSender(write_service_account(fcm.token_uri), fcm_url="ftp://127.0.0.1")


def test_two_senders_with_their_own_names_work_side_by_side(make_sender, fcm):
    first, second = make_sender(app_name="phr-fcm-first"), make_sender(app_name="phr-fcm-second")
    assert first.send([push("ok-a")])[0].outcome == SENT
    assert second.send([push("ok-b")])[0].outcome == SENT


@pytest.fixture
def silent_url():
    """A loopback port that takes connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_http_timeout_bounds_a_silent_fcm(make_sender, silent_url):
    sender = make_sender(fcm_url=silent_url, http_timeout=0.5)
    started = time.monotonic()
    [result] = sender.send([push("ok-a")])
    assert time.monotonic() - started < 5
    assert result.outcome == RETRY


def test_http_timeout_bounds_a_silent_token_endpoint(make_sender, silent_url):
    sender = make_sender(token_uri=f"{silent_url}/token", http_timeout=0.5)
    started = time.monotonic()
    [result] = sender.send([push("ok-a")])
    assert time.monotonic() - started < 5
    assert (result.outcome, result.error) == (RETRY, "AUTH_UNAVAILABLE")
