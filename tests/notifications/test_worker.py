"""deliver_once with the in-memory outbox and the real FcmSender against the local FCM."""
import logging
import threading
from datetime import datetime, timedelta, timezone

import pytest

from notifications.fcm import LogSender, Result
from notifications.push import SENT
from notifications.worker import backoff, deliver_once
from tests.notifications.fake_outbox import CLAIMED, DEAD, DROPPED, PENDING, MemoryOutbox

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
TITLE, BODY = "Hồ sơ mới", "Bạn có thông tin mới trong ứng dụng."


@pytest.fixture
def outbox():
    return MemoryOutbox()


def ends(counts):
    return {key: value for key, value in counts.items() if value}


# backoff

def test_backoff_doubles_from_base_and_keeps_the_upper_half():
    low = [backoff(n, jitter=lambda: 0.0).total_seconds() for n in range(1, 6)]
    high = [backoff(n, jitter=lambda: 0.999).total_seconds() for n in range(1, 6)]
    assert low == [2.5, 5, 10, 20, 40]
    assert all(h < 2 * lo for lo, h in zip(low, high))


def test_backoff_is_capped_and_survives_huge_attempts():
    assert backoff(30, jitter=lambda: 0.999).total_seconds() < 3600
    assert backoff(10_000, jitter=lambda: 0.0) == timedelta(seconds=1800)
    assert backoff(3, base=1, cap=3, jitter=lambda: 0.0) == timedelta(seconds=1.5)


def test_backoff_jitter_spreads_a_batch_that_failed_together():
    waits = {backoff(4) for _ in range(50)}
    assert len(waits) > 40
    assert all(timedelta(seconds=20) <= w < timedelta(seconds=40) for w in waits)


def test_backoff_counts_attempts_from_one():
    with pytest.raises(ValueError):
        backoff(0)


# deliver_once

def test_due_jobs_are_sent_and_recorded_once(outbox, sender, fcm):
    for n in range(3):
        outbox.add(f"job_{n}", f"ok-device-{n}")
    counts = deliver_once(outbox, sender, worker_id="w1", now=T0)
    assert ends(counts) == {"claimed": 3, "sent": 3}
    assert [outbox.job(f"job_{n}")["sent_records"] for n in range(3)] == [1, 1, 1]
    assert deliver_once(outbox, sender, worker_id="w1", now=T0 + timedelta(hours=1))["claimed"] == 0


def test_a_job_not_yet_due_is_left_alone(outbox, sender, fcm):
    outbox.add("job_1", "ok-device", next_at=T0 + timedelta(minutes=5))
    assert deliver_once(outbox, sender, worker_id="w1", now=T0)["claimed"] == 0
    assert fcm.requests == []


def test_unavailable_then_ok_is_retried_with_backoff_until_sent(outbox, sender, fcm):
    outbox.add("job_1", "flaky-device")
    fcm.script("flaky-device", [503, 503, 200])

    assert ends(deliver_once(outbox, sender, worker_id="w1", now=T0)) == {"claimed": 1, "retry": 1}
    first = outbox.job("job_1")
    assert (first["status"], first["attempts"], first["errors"]) == (PENDING, 1, ["UNAVAILABLE"])
    assert T0 + timedelta(seconds=2.5) <= first["next_at"] < T0 + timedelta(seconds=5)

    assert deliver_once(outbox, sender, worker_id="w1", now=T0 + timedelta(seconds=2))["claimed"] == 0
    deliver_once(outbox, sender, worker_id="w1", now=first["next_at"])
    second = outbox.job("job_1")
    assert second["attempts"] == 2
    assert first["next_at"] + timedelta(seconds=5) <= second["next_at"] < first["next_at"] + timedelta(seconds=10)

    assert ends(deliver_once(outbox, sender, worker_id="w1", now=second["next_at"])) == {
        "claimed": 1, "sent": 1}
    assert outbox.job("job_1")["sent_records"] == 1
    assert fcm.tokens_sent() == ["flaky-device"] * 3


def test_fcm_retry_after_is_honoured(outbox, sender):
    outbox.add("job_1", "quota-device")
    deliver_once(outbox, sender, worker_id="w1", now=T0)
    job = outbox.job("job_1")
    assert job["errors"] == ["QUOTA_EXCEEDED"]
    assert job["next_at"] >= T0 + timedelta(seconds=120)


def test_a_job_is_dead_after_max_attempts(outbox, sender, fcm):
    outbox.add("job_1", "unavailable-device")
    now, rounds = T0, []
    for _ in range(3):
        rounds.append(ends(deliver_once(outbox, sender, worker_id="w1", now=now, max_attempts=3)))
        now += timedelta(hours=2)
    assert rounds == [{"claimed": 1, "retry": 1}, {"claimed": 1, "retry": 1},
                      {"claimed": 1, "dead": 1}]
    job = outbox.job("job_1")
    assert (job["status"], job["attempts"]) == (DEAD, 3)
    assert deliver_once(outbox, sender, worker_id="w1", now=now + timedelta(days=1))["claimed"] == 0
    assert len(fcm.tokens_sent()) == 3


def test_a_job_with_one_attempt_left_dies_on_its_next_failure(outbox, sender):
    outbox.add("job_1", "internal-device", attempts=7)
    assert ends(deliver_once(outbox, sender, worker_id="w1", now=T0)) == {"claimed": 1, "dead": 1}
    assert outbox.job("job_1")["errors"] == ["INTERNAL"]


@pytest.mark.parametrize("prefix", ["unregistered", "badtoken", "mismatch"])
def test_a_gone_token_drops_the_device_and_ends_the_job(outbox, sender, fcm, prefix):
    outbox.add("job_1", f"{prefix}-device")
    outbox.add("job_2", "ok-device")
    assert ends(deliver_once(outbox, sender, worker_id="w1", now=T0)) == {
        "claimed": 2, "sent": 1, "drop_token": 1}
    assert outbox.dropped_tokens == [f"{prefix}-device"]
    assert outbox.job("job_1")["status"] == DROPPED
    deliver_once(outbox, sender, worker_id="w1", now=T0 + timedelta(days=1))
    assert fcm.tokens_sent().count(f"{prefix}-device") == 1


def test_a_failed_push_is_dead_at_once_and_keeps_the_device(outbox, sender):
    outbox.add("job_1", "badpayload-device")
    assert ends(deliver_once(outbox, sender, worker_id="w1", now=T0)) == {"claimed": 1, "dead": 1}
    assert outbox.dropped_tokens == []


def test_an_invalid_job_is_dead_without_a_send(outbox, sender, fcm):
    outbox.add("job_1", "ok-device")
    outbox.jobs["job_1"]["data"] = {"kind": "record_available", "count": 3}
    outbox.add("job_2", "ok-device-2")
    assert ends(deliver_once(outbox, sender, worker_id="w1", now=T0)) == {
        "claimed": 2, "sent": 1, "dead": 1}
    assert outbox.job("job_1")["errors"] == ["INVALID_JOB"]
    assert fcm.tokens_sent() == ["ok-device-2"]


def test_token_endpoint_down_keeps_every_job_for_later(outbox, make_sender, fcm):
    sender = make_sender(token_uri=f"{fcm.url}/not-the-token-endpoint")
    for n in range(4):
        outbox.add(f"job_{n}", f"ok-device-{n}")
    assert ends(deliver_once(outbox, sender, worker_id="w1", now=T0)) == {"claimed": 4, "retry": 4}
    assert {outbox.job(f"job_{n}")["status"] for n in range(4)} == {PENDING}


class RaisingSender:
    def send(self, pushes):
        raise RuntimeError("boom")


class ForgetfulSender:
    def send(self, pushes):
        return [Result(pushes[0], SENT, None)]


def test_a_sender_that_raises_leaves_the_whole_batch_to_retry(outbox):
    outbox.add("job_1", "ok-a")
    outbox.add("job_2", "ok-b")
    assert ends(deliver_once(outbox, RaisingSender(), worker_id="w1", now=T0)) == {
        "claimed": 2, "retry": 2}
    assert outbox.job("job_1")["errors"] == ["SENDER_ERROR"]


def test_a_push_the_sender_did_not_answer_is_retried(outbox):
    outbox.add("job_1", "ok-a")
    outbox.add("job_2", "ok-b")
    assert ends(deliver_once(outbox, ForgetfulSender(), worker_id="w1", now=T0)) == {
        "claimed": 2, "sent": 1, "retry": 1}
    assert outbox.job("job_2")["errors"] == ["NO_RESULT"]


def test_log_sender_delivers_for_development(outbox):
    outbox.add("job_1", "any-device")
    assert ends(deliver_once(outbox, LogSender(), worker_id="dev", now=T0)) == {
        "claimed": 1, "sent": 1}


def test_two_workers_at_once_never_send_one_job_twice(outbox, sender, fcm):
    jobs = 60
    for n in range(jobs):
        outbox.add(f"job_{n:02}", f"ok-device-{n:02}")
    start = threading.Barrier(2)
    totals = {}

    def work(worker_id):
        start.wait()
        claimed = 0
        while counts := deliver_once(outbox, sender, worker_id=worker_id, now=T0, batch_size=7):
            if not counts["claimed"]:
                break
            claimed += counts["claimed"]
        totals[worker_id] = claimed

    threads = [threading.Thread(target=work, args=(w,)) for w in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert totals["w1"] > 0 and totals["w2"] > 0
    assert totals["w1"] + totals["w2"] == jobs
    assert sorted(fcm.tokens_sent()) == [f"ok-device-{n:02}" for n in range(jobs)]
    assert len(outbox.claims) == jobs
    assert {outbox.job(f"job_{n:02}")["sent_records"] for n in range(jobs)} == {1}


def test_a_crash_between_send_and_bookkeeping_is_sent_again_and_recorded_once(
        outbox, sender, fcm, caplog):
    outbox.add("job_1", "ok-device-1")
    outbox.add("job_2", "ok-device-2")
    outbox.fail_next("sent", "job_1")  # FCM took it; then the outbox write failed

    with caplog.at_level(logging.DEBUG):
        first = deliver_once(outbox, sender, worker_id="w1", now=T0, lease_seconds=60)
    assert ends(first) == {"claimed": 2, "sent": 1, "unrecorded": 1}
    assert outbox.job("job_1")["status"] == CLAIMED  # still w1's, until the lease runs out
    assert "job_1" in caplog.text and "OutboxDown" in caplog.text

    within_lease = deliver_once(outbox, sender, worker_id="w2", now=T0 + timedelta(seconds=59))
    assert within_lease["claimed"] == 0

    after_lease = deliver_once(outbox, sender, worker_id="w2", now=T0 + timedelta(seconds=61))
    assert ends(after_lease) == {"claimed": 1, "sent": 1}

    # w1 coming back late must not record it a second time.
    outbox.sent("job_1", "w1", T0 + timedelta(seconds=62))
    assert ("sent", "job_1", "w1") in outbox.ignored
    job = outbox.job("job_1")
    assert (job["status"], job["sent_records"]) == ("sent", 1)

    # At least once: FCM got it twice, under one collapse key, so the device shows it once.
    bodies = fcm.bodies_for("ok-device-1")
    assert len(bodies) == 2
    assert {b["message"]["android"]["collapse_key"] for b in bodies} == {"ntf_job_1"}
    assert {b["message"]["apns"]["headers"]["apns-collapse-id"] for b in bodies} == {"ntf_job_1"}


def test_every_claimed_job_ends_in_exactly_one_count(outbox, sender):
    for n, prefix in enumerate(["ok", "unregistered", "quota", "badpayload", "ok", "internal"]):
        outbox.add(f"job_{n}", f"{prefix}-device-{n}")
    outbox.fail_next("sent", "job_4")
    counts = deliver_once(outbox, sender, worker_id="w1", now=T0)
    assert ends(counts) == {"claimed": 6, "sent": 1, "drop_token": 1, "retry": 2, "dead": 1,
                            "unrecorded": 1}
    assert sum(v for k, v in counts.items() if k != "claimed") == counts["claimed"]


def test_the_worker_logs_no_token_title_or_body(outbox, sender, caplog):
    for n, prefix in enumerate(["ok", "unregistered", "unavailable", "badpayload"]):
        outbox.add(f"job_{n}", f"{prefix}-CANARYTOKEN-{n}", title=TITLE, body=BODY)
    outbox.fail_next("sent", "job_0")
    with caplog.at_level(logging.DEBUG):
        deliver_once(outbox, sender, worker_id="w1", now=T0)
        deliver_once(outbox, LogSender(), worker_id="w1", now=T0 + timedelta(hours=2))
    assert "job_1" in caplog.text
    for secret in ("CANARYTOKEN", TITLE, BODY):
        assert secret not in caplog.text


def test_a_retry_leaves_the_job_pending_not_claimed(outbox, sender):
    outbox.add("job_1", "unavailable-device")
    deliver_once(outbox, sender, worker_id="w1", now=T0)
    job = outbox.job("job_1")
    assert job["status"] == PENDING and job["claimed_by"] is None
