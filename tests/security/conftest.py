"""The security suite's worlds: one per module for what leaves it as it was, and one per test
for what changes it (tests/security/audiences.py)."""
import pytest

from tests.conftest import drop_database
from tests.security.audiences import World, world_app


@pytest.fixture(scope="module")
def shared_world():
    app = world_app()
    yield World.build(app, app.test_client())
    drop_database(app)


@pytest.fixture
def fresh_world(app, client):
    return World.build(app, client)
