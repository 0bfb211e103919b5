"""Idempotency-key claims: a push that outlived its lease cannot free or answer the key that a
retry has taken over."""
from datetime import timedelta

from models import ingest_requests


def test_a_push_that_outlived_its_lease_cannot_free_or_answer_the_retrys_key(app, clock):
    with app.app_context():
        first, existing = ingest_requests.claim("key", "body")
        assert first and existing is None
        assert ingest_requests.claim("key", "body") == (None, ingest_requests.get_db()
                                                        .ingest_requests.find_one({"_id": "key"}))
        clock.tick(ingest_requests.LEASE + timedelta(seconds=1))
        second, existing = ingest_requests.claim("key", "body")
        assert second and second != first and existing is None

        ingest_requests.release("key", first)            # the slow first push fails late
        ingest_requests.finish("key", first, "stale", 200)  # or answers late
        holder, doc = ingest_requests.claim("key", "body")
        assert holder is None and doc["state"] == "pending"  # still the retry's: a third waits

        ingest_requests.finish("key", second, "answer", 200)
        holder, doc = ingest_requests.claim("key", "body")
        assert holder is None and (doc["state"], doc["answer"]) == ("done", "answer")


def test_the_holder_frees_its_own_key(app):
    with app.app_context():
        holder, _ = ingest_requests.claim("key", "body")
        ingest_requests.release("key", holder)
        again, existing = ingest_requests.claim("key", "body")
        assert again and existing is None
