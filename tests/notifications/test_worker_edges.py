"""The worker at its edges (from mutation testing): where in the upper half of the ceiling jitter
puts a retry, what the development sender's log line says, and what FCM's Retry-After does to a
round."""
import logging
from datetime import datetime, timedelta, timezone

import pytest
import requests
from firebase_admin import exceptions

from notifications.fcm import LogSender
from notifications.fcm_errors import classify
from notifications.push import Push, Result, device_label
from notifications.worker import MAX_RETRY_AFTER, backoff, deliver_once
from tests.notifications.fake_outbox import PENDING, MemoryOutbox


def test_jitter_places_the_wait_anywhere_in_the_upper_half_of_the_ceiling():
    """Ceiling 20 s for the third attempt: jitter 0 waits 10 s, 0.5 waits 15 s, and a jitter
    close to 1 comes close to the whole 20 s, so a batch that failed together spreads over it."""
    assert backoff(3, jitter=lambda: 0.0) == timedelta(seconds=10)
    assert backoff(3, jitter=lambda: 0.5) == timedelta(seconds=15)
    assert backoff(3, jitter=lambda: 0.99) == timedelta(seconds=19.9)


def test_the_log_sender_names_the_device_by_label_the_kind_and_the_job(caplog):
    pushes = [Push(job_id="ntf_1|dvc_1", token="tok-secret-1", title="t", body="b",
                   data={"kind": "record_available"}, collapse_key="record_available"),
              Push(job_id="ntf_2|dvc_1", token="tok-secret-1", title="t", body="b", data={},
                   collapse_key="no_kind")]
    with caplog.at_level(logging.INFO, logger="notifications.fcm"):
        LogSender().send(pushes)
    label = device_label("tok-secret-1")
    assert [r.getMessage() for r in caplog.records] == [
        f"push to device {label} kind record_available (job ntf_1|dvc_1)",
        f"push to device {label} kind - (job ntf_2|dvc_1)"]


# What FCM's Retry-After does to a round, read by classify() from a 503 as FcmSender would.

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


class AnswersUnavailable:
    """A sender whose every push gets FCM's 503 with this Retry-After header."""

    def __init__(self, retry_after: str) -> None:
        self.retry_after = retry_after

    def send(self, pushes):
        answer = requests.Response()
        answer.status_code, answer._content = 503, b"{}"
        answer.headers["Retry-After"] = self.retry_after
        outcome, code, wait = classify(exceptions.UnavailableError("down", http_response=answer))
        return [Result(push, outcome, code, wait) for push in pushes]


@pytest.mark.parametrize("retry_after", ["nan", "-30"])
def test_a_retry_after_that_is_not_a_wait_leaves_the_backoff_in_charge(retry_after):
    outbox = MemoryOutbox()
    outbox.add("job_1", "unavailable-device")
    counts = deliver_once(outbox, AnswersUnavailable(retry_after), worker_id="w1", now=T0)
    job = outbox.job("job_1")
    assert (counts["retry"], job["status"], job["errors"]) == (1, PENDING, ["UNAVAILABLE"])
    assert T0 + timedelta(seconds=2.5) <= job["next_at"] < T0 + timedelta(seconds=5)


# A defect found by mutation testing, fixed (docs/mutation.md, "Defects found").
def test_a_retry_after_longer_than_the_cap_is_capped_at_an_hour():
    outbox = MemoryOutbox()
    outbox.add("job_1", "unavailable-device")
    counts = deliver_once(outbox, AnswersUnavailable("100000000000000"), worker_id="w1", now=T0)
    assert counts["retry"] == 1
    assert outbox.job("job_1")["next_at"] == T0 + MAX_RETRY_AFTER


class AnswersByToken:
    """A sender that answers each push with the Result named for its token."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers

    def send(self, pushes):
        return [Result(push, *self.answers[push.token]) for push in pushes]


def test_a_round_counts_every_end_it_could_not_record(caplog):
    outbox = MemoryOutbox()
    for n in range(3):
        outbox.add(f"job_{n}", f"ok-device-{n}")
    outbox.fail_next("sent", "job_0")
    outbox.fail_next("sent", "job_2")
    with caplog.at_level(logging.ERROR, logger="notifications.worker"):
        counts = deliver_once(outbox, LogSender(logging.getLogger("quiet")), worker_id="w1",
                              now=T0)
    assert (counts["claimed"], counts["sent"], counts["unrecorded"]) == (3, 1, 2)
    assert [r.getMessage() for r in caplog.records] == [
        f"job job_{n}: could not record sent (OutboxDown); it will be sent again after its lease"
        for n in (0, 2)]


def test_a_round_logs_each_end_with_its_job_and_error_code_and_then_its_counts(caplog):
    outbox = MemoryOutbox()
    outbox.add("job_sent", "ok-device")
    outbox.add("job_retry", "unavailable-device")
    outbox.add("job_broken", None)  # no token: not a push that could be sent
    sender = AnswersByToken({"ok-device": ("sent", None),
                             "unavailable-device": ("retry", "UNAVAILABLE")})
    with caplog.at_level(logging.DEBUG, logger="notifications.worker"):
        deliver_once(outbox, sender, worker_id="w1", now=T0)
    assert sorted(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG) == [
        "job job_broken: dead (INVALID_JOB)", "job job_retry: retry (UNAVAILABLE)",
        "job job_sent: sent"]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "delivery round by w1: claimed=3 sent=1 retry=1 dead=1 drop_token=0 unrecorded=0"]


class Breaks:
    def send(self, pushes):
        raise RuntimeError("connection pool is closed: token tok-secret-1")


def test_a_sender_that_raises_puts_the_batch_off_and_logs_only_the_class(caplog):
    outbox = MemoryOutbox()
    outbox.add("job_1", "tok-secret-1")
    outbox.add("job_2", "tok-secret-2")
    with caplog.at_level(logging.DEBUG, logger="notifications.worker"):
        counts = deliver_once(outbox, Breaks(), worker_id="w1", now=T0)
    assert counts["retry"] == 2
    assert [outbox.job(j)["errors"] for j in ("job_1", "job_2")] == [["SENDER_ERROR"]] * 2
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "sender failed for a batch of 2: RuntimeError"]
    assert "tok-secret" not in caplog.text
