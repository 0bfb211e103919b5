"""A stand-in for FCM's v1 API and Google's OAuth token endpoint, on 127.0.0.1.

The answer to a send is chosen by the token's prefix (the part before the first "-"), or by a
script set for that exact token; every request body is recorded. The token endpoint checks
that the JWT assertion is signed with the generated service-account key before it issues an
access token, and the send endpoint wants that access token: the whole exchange is local.
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PROJECT = "phr-test"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
_SEND_PATH = re.compile(r"/v1/projects/([^/]+)/messages:send")


def _error(status: int, rpc_status: str, fcm_code: str | None = None,
           violation: str | None = None, headers: dict | None = None):
    details = []
    if fcm_code:
        details.append({"@type": FCM_ERROR, "errorCode": fcm_code})
    if violation:
        details.append({"@type": BAD_REQUEST,
                        "fieldViolations": [{"field": violation, "description": "invalid"}]})
    body = {"error": {"code": status, "message": "answer from the fake", "status": rpc_status,
                      "details": details}}
    return status, body, headers or {}


# Answers by token prefix, in the shapes FCM documents for its v1 errors.
ANSWERS = {
    "unregistered": _error(404, "NOT_FOUND", "UNREGISTERED"),
    "quota": _error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", headers={"Retry-After": "120"}),
    "unavailable": _error(503, "UNAVAILABLE", "UNAVAILABLE"),
    "internal": _error(500, "INTERNAL", "INTERNAL"),
    "badtoken": _error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", violation="message.token"),
    "badpayload": _error(400, "INVALID_ARGUMENT", violation="message.data[0].value"),
    "mismatch": _error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"),
    "apnsauth": _error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"),
    "gateway": (502, b"<html><title>Error 502 (Server Error)</title></html>", {}),
}
SHORTHAND = {404: "unregistered", 429: "quota", 503: "unavailable", 500: "internal",
             400: "badtoken", 403: "mismatch"}


class FakeFcm:
    """Start with `start()`, stop with `stop()`. `requests` holds every send body received."""

    def __init__(self, public_key) -> None:
        self._public_key = public_key
        self._lock = threading.Lock()
        self._scripts: dict[str, list[int]] = {}
        self._counter = 0
        self.access_tokens: set[str] = set()
        self.requests: list[dict] = []
        self.token_exchanges = 0
        self.unauthorized = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self), bind_and_activate=False)
        self._server.daemon_threads = True
        self._server.request_queue_size = 1024  # send_each opens up to 500 connections at once
        self._server.server_bind()
        self._server.server_activate()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def start(self) -> FakeFcm:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, token: str, statuses: list[int]) -> None:
        """The next answers for this token, in order (200, or an HTTP status in SHORTHAND)."""
        with self._lock:
            self._scripts[token] = list(statuses)

    def bodies_for(self, token: str) -> list[dict]:
        with self._lock:
            return [r["body"] for r in self.requests if r["body"]["message"].get("token") == token]

    def tokens_sent(self) -> list[str]:
        with self._lock:
            return [r["body"]["message"]["token"] for r in self.requests]

    # Called from the handler's threads.
    def issue_access_token(self, form: dict) -> tuple[int, dict]:
        assertion = form.get("assertion", [""])[0]
        if form.get("grant_type", [""])[0] != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}
        if not self._signed_by_key(assertion):
            return 400, {"error": "invalid_grant"}
        token = "ya29.fake-" + secrets.token_urlsafe(12)
        with self._lock:
            self.token_exchanges += 1
            self.access_tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def answer_send(self, project: str, authorization: str, body: dict):
        with self._lock:
            if authorization.removeprefix("Bearer ") not in self.access_tokens:
                self.unauthorized += 1
                return _error(401, "UNAUTHENTICATED")
            self.requests.append({"project": project, "body": body})
            self._counter += 1
            number = self._counter
            token = body.get("message", {}).get("token", "")
            script = self._scripts.get(token)
            status = script.pop(0) if script else None
        if status is None:
            prefix = token.split("-", 1)[0]
            answer = ANSWERS.get(prefix)
        else:
            answer = None if status == 200 else ANSWERS[SHORTHAND[status]]
        return answer or (200, {"name": f"projects/{project}/messages/{number}"}, {})

    def _signed_by_key(self, assertion: str) -> bool:
        try:
            header, payload, signature = assertion.split(".")
            self._public_key.verify(_b64(signature), f"{header}.{payload}".encode(),
                                    padding.PKCS1v15(), hashes.SHA256())
            claims = json.loads(_b64(payload))
        except Exception:  # pylint: disable=broad-except
            return False
        # google-auth posts to the JSON's token_uri but keeps Google's endpoint as the audience.
        return claims.get("aud") == GOOGLE_TOKEN_AUDIENCE and claims.get("iss", "").endswith(
            f"@{PROJECT}.iam.gserviceaccount.com")


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _handler_for(fake: FakeFcm):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - the name http.server calls
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            send = _SEND_PATH.fullmatch(self.path)
            if self.path == "/token":
                status, body = fake.issue_access_token(parse_qs(raw.decode()))
                headers = {}
            elif send:
                status, body, headers = fake.answer_send(
                    send.group(1), self.headers.get("Authorization", ""), json.loads(raw))
            else:
                status, body, headers = 404, {"error": "no such path"}, {}
            html = isinstance(body, bytes)
            payload = body if html else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if html else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # quiet: the test output is not an access log
            pass

    return Handler


def generate_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account(private_key, token_uri: str, project: str = PROJECT) -> dict:
    """A service-account JSON, as the Firebase console hands out, for a generated key."""
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": project, "private_key_id": "test-key-1",
            "private_key": pem, "client_email": f"fcm-sender@{project}.iam.gserviceaccount.com",
            "client_id": "100000000000000000001", "token_uri": token_uri}
