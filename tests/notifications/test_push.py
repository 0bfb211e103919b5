"""Push and Result as values, and the development sender: no network, no firebase app."""
import logging

import pytest

from notifications.fcm import SENT, LogSender, Push, Result
from notifications.push import device_label

TOKEN = "ok-device-token-canary-0001"
TITLE = "Hồ sơ mới"
BODY = "Bạn có thông tin mới trong ứng dụng."


def push(**changes) -> Push:
    fields = dict(job_id="job_1", token=TOKEN, title=TITLE, body=BODY,
                  data={"kind": "record_available", "notification_id": "ntf_01HZX"},
                  collapse_key="ntf_01HZX")
    fields.update(changes)
    return Push(**fields)


@pytest.mark.parametrize("value", [1, 2.5, None, True, ["ntf_1"], {"id": "ntf_1"}, b"ntf_1"])
def test_push_data_values_must_be_strings(value):
    with pytest.raises(TypeError, match="strings"):
        push(data={"kind": "record_available", "notification_id": value})


def test_push_data_keys_must_be_strings():
    with pytest.raises(TypeError, match="strings"):
        push(data={1: "ntf_1"})


@pytest.mark.parametrize("text", ["HIV positive", "Kết quả xét nghiệm: dương tính", "a b", ""])
def test_push_data_refuses_text_that_is_not_an_opaque_id(text):
    with pytest.raises(ValueError, match="opaque id") as refused:
        push(data={"kind": "record_available", "note": text})
    assert text not in str(refused.value) or text == ""


@pytest.mark.parametrize("key", ["from", "message_type", "notification", "collapse_key",
                                 "google_x", "gcm_x"])
def test_push_data_refuses_keys_fcm_reserves(key):
    # FCM answers these with 400 INVALID_ARGUMENT, which must never read as a dead token.
    with pytest.raises(ValueError, match="reserved"):
        push(data={key: "x"})


@pytest.mark.parametrize("key", ["Kind", "notification-id", "1kind", "a.b"])
def test_push_data_keys_are_lower_snake_case(key):
    with pytest.raises(ValueError, match="lower_snake_case"):
        push(data={key: "x"})


@pytest.mark.parametrize("field", ["job_id", "token", "title", "body", "collapse_key"])
def test_push_text_fields_must_be_non_empty_strings(field):
    with pytest.raises(ValueError, match="empty"):
        push(**{field: "  "})
    with pytest.raises(TypeError, match="string"):
        push(**{field: 12})


def test_collapse_key_fits_apns_64_bytes():
    push(collapse_key="k" * 64)
    with pytest.raises(ValueError, match="64 bytes"):
        push(collapse_key="k" * 65)


def test_payload_over_fcm_4096_bytes_is_refused():
    with pytest.raises(ValueError, match="4096"):
        push(body="x" * 4100)


def test_push_has_no_field_beyond_what_it_is_given():
    with pytest.raises(TypeError):
        push(diagnosis="HIV positive")


def test_push_keeps_its_own_copy_of_data():
    data = {"kind": "record_available"}
    sealed = push(data=data)
    data["kind"] = "changed"
    assert sealed.data == {"kind": "record_available"}


def test_push_repr_shows_neither_token_nor_words():
    shown = repr(Result(push(), SENT, None))
    assert "job_1" in shown
    for secret in (TOKEN, TITLE, BODY):
        assert secret not in shown


def test_token_field_is_token_or_fid():
    assert push().token_field == "token"
    assert push(token_field="fid").token_field == "fid"
    with pytest.raises(ValueError):
        push(token_field="topic")


def test_result_outcome_must_be_known():
    with pytest.raises(ValueError):
        Result(push(), "delivered", None)


def test_device_label_is_stable_and_not_the_token():
    assert device_label(TOKEN) == device_label(TOKEN)
    assert device_label(TOKEN) != device_label(TOKEN + "x")
    assert TOKEN not in device_label(TOKEN)


def test_log_sender_answers_sent_and_logs_no_token_title_or_body(caplog):
    pushes = [push(), push(job_id="job_2", data={"kind": "security_event"})]
    with caplog.at_level(logging.DEBUG):
        results = LogSender().send(pushes)
    assert [(r.push.job_id, r.outcome, r.error) for r in results] == [
        ("job_1", SENT, None), ("job_2", SENT, None)]
    assert len(caplog.records) == 2
    assert "push to device dev-" in caplog.text and "kind security_event" in caplog.text
    for secret in (TOKEN, TITLE, BODY):
        assert secret not in caplog.text
