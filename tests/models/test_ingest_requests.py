"""Idempotency-key claims: a push that outlived its lease cannot free or answer the key that a
retry has taken over."""
from datetime import timedelta

from models import ingest_requests
from tests.factories import current_ctx


def test_a_push_that_outlived_its_lease_cannot_free_or_answer_the_retrys_key(app, clock):
    with app.app_context():
        requests = current_ctx().repos.ingest_requests
        first, existing = requests.claim("key", "body")
        assert first and existing is None
        assert requests.claim("key", "body") == (
            None, current_ctx().db.ingest_requests.find_one({"_id": "key"}))
        clock.tick(ingest_requests.LEASE + timedelta(seconds=1))
        second, existing = requests.claim("key", "body")
        assert second and second != first and existing is None

        requests.release("key", first)  # the slow first push fails late
        requests.finish("key", first, "stale", 200)  # or answers late
        holder, doc = requests.claim("key", "body")
        assert holder is None and doc["state"] == "pending"  # still the retry's: a third waits

        requests.finish("key", second, "answer", 200)
        holder, doc = requests.claim("key", "body")
        assert holder is None and (doc["state"], doc["answer"]) == ("done", "answer")


def test_the_holder_frees_its_own_key(app):
    with app.app_context():
        requests = current_ctx().repos.ingest_requests
        holder, _ = requests.claim("key", "body")
        requests.release("key", holder)
        again, existing = requests.claim("key", "body")
        assert again and existing is None
