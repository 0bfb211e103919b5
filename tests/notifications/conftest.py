"""Fixtures: a local FCM and token endpoint, service-account files for a generated key, real
FcmSenders pointed at them, and a guard that refuses any connection beyond the loopback."""
import ipaddress
import json
import socket
import uuid

import pytest

from notifications.fcm import FcmSender
from tests.notifications.fake_fcm import FakeFcm, generate_key, service_account


def _loopback(host) -> bool:
    if host in ("localhost", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_guard(monkeypatch):
    """Every host a test tried to reach beyond 127.0.0.0/8; the test fails unless it cleared it.

    The refusal is an OSError, as a dead network gives, so the sender's own handling runs.
    """
    tried: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host.decode() if isinstance(host, bytes) else host):
            tried.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "blocked by the test network guard")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple) and not _loopback(address[0]):
            tried.append(str(address[0]))
            raise ConnectionRefusedError("blocked by the test network guard")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield tried
    assert tried == [], f"a test tried to leave the machine: {sorted(set(tried))}"


@pytest.fixture(scope="session")
def signing_key():
    return generate_key()


@pytest.fixture
def fcm(signing_key):
    server = FakeFcm(signing_key.public_key()).start()
    yield server
    server.stop()


@pytest.fixture
def write_service_account(tmp_path, signing_key):
    def write(token_uri: str) -> str:
        path = tmp_path / f"service-account-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps(service_account(signing_key, token_uri)))
        return str(path)
    return write


@pytest.fixture
def make_sender(fcm, write_service_account):
    """FcmSenders on the fake (or wherever `fcm_url`/`token_uri` say); closed after the test."""
    made = []

    def make(*, token_uri=None, **kwargs):
        kwargs.setdefault("fcm_url", fcm.url)
        kwargs.setdefault("app_name", f"phr-fcm-test-{uuid.uuid4().hex[:8]}")
        sender = FcmSender(write_service_account(token_uri or fcm.token_uri), **kwargs)
        made.append(sender)
        return sender

    yield make
    for sender in made:
        sender.close()


@pytest.fixture
def sender(make_sender):
    return make_sender()
