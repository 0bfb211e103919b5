"""Structured logs with a request id.

Every request gets an id: a well-formed incoming `X-Request-ID` (a proxy's or a client's, so one
id follows a request through the proxy's log and ours) is kept, anything else is replaced by a
fresh random one. It is answered as the `X-Request-ID` response header and stamped on every log
line written while the request is handled, services' lines included: it lives in a contextvar,
which services read through logging without importing Flask. Lines written outside a request
(start-up, the delivery worker) carry no id.

Each line is one JSON object: time, level, logger, message, request_id (when in a request) and
the traceback of a logged exception. What goes into a message is each caller's care: messages
name ids and counts, never national IDs, names, tokens or clinical content (tests/api/
test_logs_hold_no_personal_data.py runs a whole session and greps the log for them).
"""
import contextvars
import json
import logging
import re
import secrets
from datetime import datetime, timezone

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits, dot, underscore, dash; 8 to 64 of them: enough for a UUID or a proxy's id,
# nothing a log reader could mistake for structure (no quotes, spaces, newlines).
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                         default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this context, None outside a request."""
    return _request_id.get()


def request_id_from(incoming: str | None) -> str:
    """The incoming id when it has the safe shape, else a fresh random one (32 hex digits)."""
    if incoming and _SAFE_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was written in (None outside one). A
    handler filter, so records that propagate from any logger to the root's handler get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line. Written here rather than taken from python-json-logger: the
    fields are fixed and few, and one dependency fewer is one audit fewer."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc)
                .isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> logging.Handler:
    """JSON lines with request ids on the root logger's handler; once per process (a second
    app in the same process reuses the handler)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return handler
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class RequestIdMiddleware:
    """WSGI middleware: sets the request id for the whole request, the streamed body included
    (an export's lines are made while the body is read), and answers it as a header."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        environ["phr.request_id"] = request_id

        def start_with_id(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            return start_response(status, headers + [(REQUEST_ID_HEADER, request_id)], exc_info)

        token = _request_id.set(request_id)
        try:
            body = self.wsgi_app(environ, start_with_id)
        finally:
            _request_id.reset(token)
        return _BodyWithId(body, request_id)


class _BodyWithId:
    """The response body, each chunk made (and the body closed) under the request's id."""

    def __init__(self, body, request_id: str):
        self.body, self.request_id, self.chunks = body, request_id, iter(body)

    def __iter__(self):
        return self

    def __next__(self):
        token = _request_id.set(self.request_id)
        try:
            return next(self.chunks)
        finally:
            _request_id.reset(token)

    def close(self):
        close = getattr(self.body, "close", None)
        if close is not None:
            token = _request_id.set(self.request_id)
            try:
                close()
            finally:
                _request_id.reset(token)
