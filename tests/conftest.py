"""Fixtures: one app per test on its own database (embedded, or TEST_MONGO_URI when set)."""
import os
import time
import uuid
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time

from api import create_app
from models.indexes import start_audit_chain
from tests import factories
from tests.openapi_contract import ContractClient

# Every query the application sends during the run must be served by a declared index.
pytest_plugins = ["tests.query_shape_check"]

# argon2 at production cost is ~170 ms per hash; tests keep the algorithm, not the cost.
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8, "ARGON2_PARALLELISM": 1}


def test_config(**extra) -> dict:
    real = os.environ.get("TEST_MONGO_URI")
    # HOST pinned: some shells (tcsh) export HOST as the machine's name, which the development
    # secrets may not bind.
    cfg = {"TESTING": True, "APP_ENV": "test", "RATELIMIT_ENABLED": False, "HOST": "127.0.0.1",
           "PHR_DEMO_SEED": None, "MONGO_URI": real or None,
           "MONGO_DB_NAME": f"phr_test_{uuid.uuid4().hex[:12]}", **FAST_ARGON2}
    cfg.update(extra)
    return cfg


def empty_database(app) -> None:
    """Delete every document, keeping the collections and their indexes: for an app that
    outlives one pytest session (a module-level app under mutmut's in-process runs). The audit
    chain is started again, as start-up starts it on an empty database (a deleted head is
    otherwise never made again: models/indexes.py)."""
    db = app.extensions["mongo_client"][app.config["MONGO_DB_NAME"]]
    for name in db.list_collection_names():
        db[name].delete_many({})
    start_audit_chain(db, app.config["AUDIT_CHAIN_KEY"].encode("utf-8"))


def drop_database(app) -> None:
    if app.config["MONGO_URI"]:
        app.extensions["mongo_client"].drop_database(app.config["MONGO_DB_NAME"])
        app.extensions["mongo_client"].close()


@pytest.fixture
def make_app():
    """Build apps with config overrides; each is dropped after the test."""
    built = []

    def build(**overrides):
        app = create_app(test_config(**overrides))
        app.test_client_class = ContractClient  # every response is checked against the spec
        built.append(app)
        return app
    yield build
    for app in built:
        drop_database(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock():
    """Frozen time that tests move on explicitly (TOTP steps, expiries)."""
    # pymongo times server selection and heartbeats with time.monotonic: keep its clock real.
    # So does pytest's own timing: frozen, it reported a test that ticks three days as a test
    # that ran three days (--durations, and mutmut's per-mutant time limits, read those).
    with freeze_time(datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc),
                     ignore=["pymongo", "bson", "_pytest"]) as frozen:
        yield frozen


@pytest.fixture
def hospital(app):
    """A hospital API client with all scopes: {hospital_id, client_id, client_secret}."""
    with app.app_context():
        return factories.create_hospital()


@pytest.fixture
def patient(client, hospital, clock):
    """A registered patient with active TOTP, signed in: a factories.Account."""
    return factories.signed_in_patient(client, hospital, clock)


@pytest.fixture
def server_clock_five_hours_behind_utc():
    """The process's local time zone set to UTC-5 (POSIX "EST5"), as on a server so configured."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "EST5"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()
