"""What the benchmark (tests.benchmarks.api) and the load command (tests.load) share: the server
in a subprocess, a keep-alive HTTP client, signing up and in through the public API, FHIR
bodies, and (from tests.benchmarks.driver) concurrent clients driven for a bounded time with
progress.

Why a subprocess server and a Python client: the client is pure standard library, so the
commands run anywhere Python does (no wrk). Were the client threads in the server's process,
they would take the server's GIL and skew every figure; in their own process they only share
the machine's cores. The client is kept cheap (raw sockets, pre-encoded requests, no header
parsing library) because what it spends per request is spent on the same cores as the server.
"""
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from security.totp import code_at
from tests import factories
from tests.benchmarks.driver import Outcome, drive, percentile, pick  # noqa: F401 (shared)
from tests.factories import PASSWORD

HOST = "127.0.0.1"


# The server.

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """tests.benchmarks.server in a subprocess; `credentials` holds the hospitals it made."""

    def __init__(self):
        self.port = free_port()
        self.log = open(os.devnull, "w")  # waitress and app logs would drown the progress
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.server", str(self.port)],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server did not start "
                               "(run python -m tests.benchmarks.server 8001 to see why)")
        self.credentials = json.loads(line)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if Http(self.port).request("GET", "/readyz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the benchmark server never answered /readyz")

    def memory_kib(self) -> dict:
        """The server process's resident memory now and at its peak (VmRSS, VmHWM; Linux)."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            return {"now": int(fields["VmRSS"].split()[0]), "peak": int(fields["VmHWM"].split()[0])}
        except (OSError, KeyError):
            return {"now": None, "peak": None}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# The HTTP client.

@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Http:
    """One keep-alive HTTP/1.1 connection to the server (Content-Length and chunked bodies)."""

    def __init__(self, port: int, timeout: float = 300):
        self.port, self.timeout, self.sock, self.reader = port, timeout, None, None

    def request(self, method: str, path: str, headers: dict | None = None,
                body: bytes | None = None, json_body=None) -> Reply:
        """Raises OSError when the connection fails (a fresh one is tried once when a reused
        connection turns out closed before any answer)."""
        headers = dict(headers or {})
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            head.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
        reused = self.sock is not None
        try:
            return self._exchange(data)
        except ConnectionError:
            self.close()
            if not reused:
                raise
            return self._exchange(data)

    def _exchange(self, data: bytes) -> Reply:
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")
        self.sock.sendall(data)
        status_line = self.reader.readline()
        if not status_line:
            raise ConnectionError("closed before an answer")
        headers = {}
        while (line := self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self._body(headers)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(int(status_line.split()[1]), headers, body)

    def _body(self, headers: dict) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.reader.readline().split(b";")[0], 16):
                chunks.append(self.reader.read(size))
                self.reader.readline()
            while self.reader.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.reader.read(int(headers.get("content-length", 0)))

    def close(self) -> None:
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
        self.sock = self.reader = None


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def expect(reply: Reply, *statuses: int) -> Reply:
    if reply.status not in statuses:
        raise RuntimeError(f"expected {statuses}, got {reply.status}: {reply.body[:300]!r}")
    return reply


# Accounts, through the public API.

@dataclass
class Patient:
    national_id: str
    totp_secret: str = ""
    access_token: str = ""
    session_id: str = ""
    patient_id: str = ""

    @property
    def auth(self) -> dict:
        return bearer(self.access_token)


def hospital_token(http: Http, hospital: dict) -> str:
    return expect(http.request("POST", "/v1/auth/token", json_body={
        "client_id": hospital["client_id"], "client_secret": hospital["client_secret"]}),
        200).json()["access_token"]


def national_id(prefix: str, number: int) -> str:
    """A 12-digit national ID; `prefix` (4 digits) keeps each command's people apart."""
    return f"{prefix}{number:08d}"


def enrolled_patient(http: Http, hospital_auth: dict, nid: str) -> Patient:
    """Activation code, registration, TOTP set-up and activation: signed in. The activation
    uses the previous 30-second step's code, so two more sign-ins can follow at once."""
    code = expect(http.request("POST", "/v1/hospital/activation-codes", hospital_auth,
                               json_body={"national_id": nid}), 201).json()["activation_code"]
    expect(http.request("POST", "/v1/auth/register", json_body={
        "national_id": nid, "activation_code": code, "password": PASSWORD}), 201)
    enrollment = bearer(expect(http.request("POST", "/v1/auth/login", json_body={
        "national_id": nid, "password": PASSWORD}), 200).json()["enrollment_token"])
    patient = Patient(nid)
    patient.totp_secret = expect(http.request("POST", "/v1/auth/totp/setup", enrollment),
                                 200).json()["secret"]
    _take(patient, expect(http.request("POST", "/v1/auth/totp/activate", enrollment, json_body={
        "code": code_at(patient.totp_secret, _now() - timedelta(seconds=30))}), 200).json())
    patient.patient_id = expect(http.request("GET", "/v1/me", patient.auth), 200).json()["id"]
    return patient


def sign_in(http: Http, patient: Patient, step_offset: int = 0) -> Patient:
    """Password, then the code of the current step (+ step_offset steps)."""
    mfa = expect(http.request("POST", "/v1/auth/login", json_body={
        "national_id": patient.national_id, "password": PASSWORD}), 200).json()["mfa_token"]
    code = code_at(patient.totp_secret, _now() + timedelta(seconds=30 * step_offset))
    return _take(patient, expect(http.request("POST", "/v1/auth/mfa", json_body={
        "mfa_token": mfa, "code": code}), 200).json())


def _take(patient: Patient, body: dict) -> Patient:
    patient.access_token, patient.session_id = body["access_token"], body["session_id"]
    return patient


def _now() -> datetime:
    return datetime.now(timezone.utc)


# FHIR bodies.

def lab(nid: str, resource_id: str, day: int, value: float) -> dict:
    """A lab Observation; `day` spreads clinical dates so pages sort on something."""
    when = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(days=day % 2500,
                                                                 minutes=day % 1440)
    return factories.lab_result(nid, resource_id, value=value, when=when.isoformat())


def bundle(resources: list[dict]) -> bytes:
    return json.dumps(factories.bundle(*resources)).encode()


def push(http: Http, hospital_auth: dict, body: bytes, key: str | None = None) -> Reply:
    headers = {**hospital_auth, "Content-Type": "application/fhir+json"}
    if key:
        headers["Idempotency-Key"] = key
    return http.request("POST", "/v1/hospital/bundles", headers, body)
