"""Push at its edges (from mutation testing): FCM's 4096-byte payload limit, to the byte."""
import json

import pytest

from notifications.push import MAX_PAYLOAD_BYTES, Push

TITLE = "Có kết quả mới"  # multi-byte: the limit is in bytes, not characters
DATA = {"kind": "record_available", "notification_id": "ntf_1"}


def payload_bytes(title: str, body: str) -> int:
    """The bytes FCM counts against its limit: title, body, and the data's keys and values."""
    return len(json.dumps({"title": title, "body": body, **DATA}, ensure_ascii=False).encode())


def push_with_body(body: str) -> Push:
    return Push(job_id="job_1", token="tok", title=TITLE, body=body, data=DATA,
                collapse_key="record_available")


def test_a_push_of_exactly_4096_payload_bytes_is_allowed_and_one_more_is_refused():
    body = "x" * (MAX_PAYLOAD_BYTES - payload_bytes(TITLE, ""))
    assert payload_bytes(TITLE, body) == MAX_PAYLOAD_BYTES == 4096
    assert push_with_body(body).body == body
    with pytest.raises(ValueError, match="4096"):
        push_with_body(body + "x")
