"""The README's server command, run as a user runs it: `python wsgi.py` in the repository root."""
import http.client
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.config import load_config
from security.totp import code_at
from tests.factories import bundle, lab_result, now

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30
ANSWER_TIMEOUT = 5
DELIVERY_TIMEOUT = 10  # the in-process loop looks for due pushes every second


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def user_env(**settings) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MONGO_URI", "HOST")}
    return {**env, **settings}


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The running server: {port, seed, limit}. Terminated however the tests end."""
    tmp = tmp_path_factory.mktemp("server")
    port, seed, log_path = free_port(), tmp / "demo-credentials.json", tmp / "server.log"
    env = user_env(PORT=str(port), PHR_DEMO_SEED=str(seed))
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server not ready (exit code {process.poll()}):\n"
                            + log_path.read_text(errors="replace"))
            time.sleep(0.2)
        yield {"port": port, "seed": seed, "log": log_path,
               "limit": load_config(env)["MAX_CONTENT_LENGTH"]}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def raw_post(port: int, content_length: int, body: bytes = b"",
             path: str = "/v1/auth/login") -> bytes:
    """Send headers announcing `content_length` and then `body` (perhaps none); the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {content_length}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)  # raises socket.timeout if the server waits for the body
            if not chunk:
                break
            answer += chunk
    return answer


def test_server_prints_where_it_listens_and_writes_private_demo_credentials(server):
    assert f"http://127.0.0.1:{server['port']}" in server["log"].read_text()
    assert server["seed"].exists()
    assert stat.S_IMODE(server["seed"].stat().st_mode) == 0o600


def test_announced_oversized_body_is_refused_before_it_is_sent(server):
    started = time.monotonic()
    answer = raw_post(server["port"], server["limit"] + 1)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"Content-Type: application/problem+json" in answer
    assert time.monotonic() - started < ANSWER_TIMEOUT


def test_body_of_exactly_the_limit_reaches_the_app(server):
    prefix, suffix = b'{"password": "', b'"}'
    body = prefix + b"a" * (server["limit"] - len(prefix) - len(suffix)) + suffix
    answer = raw_post(server["port"], len(body), body)
    # The app reads it and refuses the fields (no national_id or username), not the size.
    assert answer.startswith(b"HTTP/1.1 422 "), answer[:200]


def test_only_the_bundle_route_takes_bodies_above_the_small_limit(server):
    body = b'{"resourceType": "Bundle", "note": "' + b"a" * (server["limit"] + 10) + b'"}'
    small = raw_post(server["port"], len(body), path="/v1/auth/login")
    assert small.startswith(b"HTTP/1.1 413 "), small[:200]
    bundle = raw_post(server["port"], len(body), body, path="/v1/hospital/bundles")
    # Read in full and refused by the app for want of a token, not for its size.
    assert bundle.startswith(b"HTTP/1.1 401 "), bundle[:200]


def test_mistyped_setting_stops_the_command_with_a_message_not_a_traceback():
    finished = subprocess.run([sys.executable, "wsgi.py"], cwd=ROOT, capture_output=True,
                              text=True, timeout=START_TIMEOUT,
                              env=user_env(PORT=str(free_port()), RATELIMIT_ENABLED="ture"))
    assert finished.returncode != 0
    assert "RATELIMIT_ENABLED" in finished.stderr and "Traceback" not in finished.stderr


def call(port: int, method: str, path: str, body: dict | None = None,
         token: str | None = None) -> tuple[int, dict]:
    """One JSON request to the running server: its status and JSON body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_TIMEOUT)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def registered_demo_patient(port: int, demo: dict) -> str:
    """The first demo patient registers with their activation code and sets up TOTP, as the
    README's first session does; their access token."""
    person, password = demo["patients"][0], "quiet harbour lantern 58"
    status, _ = call(port, "POST", "/v1/auth/register", {
        "national_id": person["national_id"], "activation_code": person["activation_code"],
        "password": password})
    assert status == 201
    _, signed = call(port, "POST", "/v1/auth/login",
                     {"national_id": person["national_id"], "password": password})
    enrollment = signed["enrollment_token"]
    _, setup = call(port, "POST", "/v1/auth/totp/setup", token=enrollment)
    status, active = call(port, "POST", "/v1/auth/totp/activate",
                          {"code": code_at(setup["secret"], now())}, token=enrollment)
    assert status == 200, active
    return active["access_token"]


def test_the_start_up_lines_say_pushes_are_delivered_in_this_process(server):
    assert "Push delivery: in this process (embedded database)" in server["log"].read_text()


def test_a_push_reaches_the_log_sender_in_the_server_process_and_shows_sent(server):
    port, demo = server["port"], json.loads(server["seed"].read_text())
    token = registered_demo_patient(port, demo)
    status, _ = call(port, "POST", "/v1/me/devices", {"token": "demo-phone-token-1",
                                                      "platform": "android"}, token=token)
    assert status == 201
    hospital = demo["hospitals"][0]
    _, granted = call(port, "POST", "/v1/auth/token", {"client_id": hospital["client_id"],
                                                       "client_secret": hospital["client_secret"]})
    status, _ = call(port, "POST", "/v1/hospital/bundles", bundle(lab_result(
        demo["patients"][0]["national_id"], "lab-new-today")), token=granted["access_token"])
    assert status == 200
    deadline, item = time.monotonic() + DELIVERY_TIMEOUT, None
    while time.monotonic() < deadline:
        _, inbox = call(port, "GET", "/v1/me/notifications", token=token)
        item = next(i for i in inbox["items"] if i["kind"] == "record_available")
        if item["delivery_status"] != "pending":
            break
        time.sleep(0.2)
    assert item["delivery_status"] == "sent", item
    log = server["log"].read_text()
    assert f"kind record_available (job {item['id']}|" in log  # the log sender's line
    assert ":in-process: claimed=1 sent=1" in log


def test_a_second_start_on_the_same_port_exits_and_leaves_the_credentials_alone(server):
    before = server["seed"].read_bytes()
    finished = subprocess.run([sys.executable, "wsgi.py"], cwd=ROOT, capture_output=True,
                              text=True, timeout=START_TIMEOUT,
                              env=user_env(PORT=str(server["port"]),
                                           PHR_DEMO_SEED=str(server["seed"])))
    assert finished.returncode != 0
    assert server["seed"].read_bytes() == before
    message = finished.stderr.strip().splitlines()
    assert message == [message[-1]] and "Traceback" not in finished.stderr, finished.stderr
    assert f"127.0.0.1:{server['port']} is in use" in message[0]
    assert "demo credentials file is left as it was" in message[0]
    assert ready(server["port"])  # the first server still answers
