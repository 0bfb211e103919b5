"""Domain tests: services called directly with a Context over an embedded database of their
own and an in-memory token codec. No Flask app, no HTTP. (Time is the real clock, as the
repositories read it; a test that moves time uses freezegun, as the HTTP tests do.)"""
import uuid

import mongomock
import pytest

from api.config import load_config
from models import embedded
from models.db import utcnow
from models.indexes import ensure_indexes, start_audit_chain
from services.context import Context
from tests.conftest import FAST_ARGON2


class MemoryTokens:
    """The token codec (ctx.jwt) as an in-memory fake: a token is an opaque handle to the
    claims it was made with; decode refuses what it did not make or what has expired."""

    def __init__(self, clock):
        self.clock, self.issued = clock, {}

    def _make(self, identity, expires, claims, kind, fresh=False):
        token = f"tok-{uuid.uuid4().hex}"
        self.issued[token] = {**claims, "sub": identity, "type": kind, "fresh": bool(fresh),
                              "jti": claims.get("jti", uuid.uuid4().hex),
                              "exp": self.clock() + expires}
        return token

    def access(self, identity, expires, claims, fresh=False):
        return self._make(identity, expires, claims, "access", fresh)

    def refresh(self, identity, expires, claims):
        return self._make(identity, expires, claims, "refresh")

    def decode(self, token):
        claims = self.issued.get(token)
        if claims is None or claims["exp"] <= self.clock():
            raise ValueError("not a valid token")
        return claims


@pytest.fixture
def ctx():
    """A Context as the app factory builds it, over an empty embedded database."""
    embedded.adapt()
    settings = load_config(env={"APP_ENV": "test"},
                           overrides={"PHR_DEMO_SEED": None, "MONGO_URI": None, **FAST_ARGON2})
    db = mongomock.MongoClient(tz_aware=True)[f"phr_domain_{uuid.uuid4().hex[:8]}"]
    ensure_indexes(db)
    start_audit_chain(db, settings["AUDIT_CHAIN_KEY"].encode("utf-8"))
    return Context(db, settings, jwt=MemoryTokens(utcnow))
