"""Every answer carries a request id, and every log line written while handling it carries the
same id, services' lines included; lines outside a request carry none."""
import json
import logging

import pytest

from api.observability import JsonFormatter, RequestIdFilter, request_id_from
from tests import factories


@pytest.fixture
def json_log():
    """The root logger's lines, formatted as the server writes them (JSON, request ids)."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def test_a_well_formed_incoming_id_is_kept_and_answered(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2026_11-25"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.2026_11-25"


@pytest.mark.parametrize("sent", [None, "short", "x" * 65, "id with spaces 123",
                                  'quote"injection-1', "tab\tinside-000"])
def test_a_missing_or_unsafe_incoming_id_is_replaced_by_a_fresh_one(client, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    answered = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert answered != sent and len(answered) == 32 and int(answered, 16) >= 0


def test_fresh_ids_differ_per_request(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_error_answers_carry_the_id_too(client):
    response = client.get("/v1/me", headers={"X-Request-ID": "req-unauthorized-1"})
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == "req-unauthorized-1"
    assert client.get("/no/such/path").headers["X-Request-ID"]


def test_service_log_lines_carry_the_request_id(client, hospital, clock, json_log):
    """A failed sign-in is logged by services/signin (no flask there): its line has the id."""
    account = factories.registered_patient(client, hospital)
    json_log.clear()
    for _ in range(5):  # the fifth failure locks the path, which the lockout service logs
        client.post("/v1/auth/login", json={"national_id": account.national_id,
                                            "password": "wrong password 123"},
                    headers={"X-Request-ID": "req-failed-signin"})
    service_lines = [line for line in json_log if line["logger"].startswith("services.")]
    assert service_lines, json_log
    assert all(line["request_id"] == "req-failed-signin" for line in service_lines)


def test_lines_outside_a_request_carry_no_id(client, json_log):
    client.get("/healthz", headers={"X-Request-ID": "req-before-0001"})
    logging.getLogger("phr.test").warning("outside any request")
    assert "request_id" not in json_log[-1]


def test_request_id_shape_is_checked_whole():
    assert request_id_from("abcdefgh") == "abcdefgh"
    assert request_id_from("abcdefgh\n") != "abcdefgh\n"
    assert request_id_from("abc/defgh") != "abc/defgh"


def test_the_json_line_holds_a_logged_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",),
                                   exc_info=__import__("sys").exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed here" and "ValueError: boom" in line["exception"]


def test_the_app_logs_json_lines_stamped_with_the_request_id(app):
    """create_app puts the JSON formatter and the request id filter on the root's handler."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(handlers) == 1
    assert any(isinstance(f, RequestIdFilter) for f in handlers[0].filters)
    assert logging.getLogger().level == logging.INFO
