"""What deliver_once needs from an Outbox, checked on the in-memory one.

The MongoDB outbox should pass the same checks: make `outbox` build it (jobs added through
whatever the storage offers) and run this module against it.
"""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests.notifications.fake_outbox import CLAIMED, PENDING, MemoryOutbox

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
LEASE = timedelta(seconds=60)


@pytest.fixture
def outbox():
    return MemoryOutbox()


def test_claimed_jobs_carry_what_a_push_needs(outbox):
    outbox.add("job_1", "ok-device")
    [job] = outbox.claim("w1", T0, T0 + LEASE, 10)
    assert set(job) >= {"_id", "token", "title", "body", "data", "collapse_key", "attempts"}
    assert isinstance(job["_id"], str)
    assert all(isinstance(v, str) for v in job["data"].values())


def test_parallel_claims_hand_each_job_to_one_worker(outbox):
    for n in range(100):
        outbox.add(f"job_{n:03}", f"ok-{n}")
    start = threading.Barrier(8)
    got: dict[str, list[str]] = {}

    def claim(worker_id):
        start.wait()
        mine = []
        while batch := outbox.claim(worker_id, T0, T0 + LEASE, 3):
            mine += [job["_id"] for job in batch]
        got[worker_id] = mine

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    every = [job_id for ids in got.values() for job_id in ids]
    assert sorted(every) == [f"job_{n:03}" for n in range(100)]  # each once, none lost


def test_a_claim_honours_limit_and_due_time(outbox):
    for n in range(5):
        outbox.add(f"job_{n}", f"ok-{n}")
    outbox.add("later", "ok-later", next_at=T0 + timedelta(minutes=1))
    assert len(outbox.claim("w1", T0, T0 + LEASE, 3)) == 3
    assert [j["_id"] for j in outbox.claim("w2", T0, T0 + LEASE, 10)] == ["job_3", "job_4"]


def test_a_held_lease_is_not_claimed_and_an_expired_one_is(outbox):
    outbox.add("job_1", "ok-device")
    outbox.claim("w1", T0, T0 + LEASE, 10)
    assert outbox.claim("w2", T0 + LEASE - timedelta(seconds=1), T0 + 2 * LEASE, 10) == []
    [job] = outbox.claim("w2", T0 + LEASE, T0 + 2 * LEASE, 10)
    assert job["_id"] == "job_1"
    assert outbox.job("job_1")["claimed_by"] == "w2"


@pytest.mark.parametrize("end", ["sent", "retry", "dead", "drop_token"])
def test_an_end_from_a_worker_that_lost_the_claim_changes_nothing(outbox, end):
    outbox.add("job_1", "ok-device")
    outbox.claim("w1", T0, T0 + LEASE, 10)
    outbox.claim("w2", T0 + LEASE, T0 + 2 * LEASE, 10)
    args = {"sent": (T0,), "retry": (T0, "UNAVAILABLE"), "dead": ("INTERNAL",),
            "drop_token": ("UNREGISTERED",)}[end]
    getattr(outbox, end)("job_1", "w1", *args)
    job = outbox.job("job_1")
    assert (job["status"], job["claimed_by"], job["attempts"]) == (CLAIMED, "w2", 0)
    assert outbox.dropped_tokens == []


def test_retry_counts_the_attempt_and_frees_the_job_at_next_at(outbox):
    outbox.add("job_1", "ok-device")
    outbox.claim("w1", T0, T0 + LEASE, 10)
    outbox.retry("job_1", "w1", T0 + timedelta(seconds=5), "UNAVAILABLE")
    job = outbox.job("job_1")
    assert (job["status"], job["attempts"], job["claimed_by"]) == (PENDING, 1, None)
    assert outbox.claim("w2", T0 + timedelta(seconds=4), T0 + LEASE, 10) == []
    assert outbox.claim("w2", T0 + timedelta(seconds=5), T0 + LEASE, 10)[0]["attempts"] == 1


def test_an_ended_job_is_never_claimed_again(outbox):
    for job_id in ("a", "b", "c"):
        outbox.add(job_id, f"ok-{job_id}")
    outbox.claim("w1", T0, T0 + LEASE, 10)
    outbox.sent("a", "w1", T0)
    outbox.dead("b", "w1", "INTERNAL")
    outbox.drop_token("c", "w1", "UNREGISTERED")
    assert outbox.claim("w2", T0 + timedelta(days=30), T0 + timedelta(days=31), 10) == []
    assert outbox.dropped_tokens == ["ok-c"]
