"""One round of delivery: claim jobs from the outbox, send them, record what became of each.

Delivery is at least once. A worker that sends and then fails to record (a crash, the database
gone) leaves its jobs claimed; when the lease runs out another worker claims and sends them
again, and the collapse key makes the device show the push once. The outbox records each job's
end at most once, from the worker that holds it (see `Outbox`).

Nothing here logs a token, a title or a body: job ids, kinds, outcomes and error codes only.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from notifications.push import DROP_TOKEN, RETRY, SENT, Push, Result

log = logging.getLogger(__name__)

CLAIMED, DEAD, UNRECORDED = "claimed", "dead", "unrecorded"
INVALID_JOB, SENDER_ERROR, NO_RESULT = "INVALID_JOB", "SENDER_ERROR", "NO_RESULT"
# FCM's Retry-After is honoured up to this; a longer one is more likely a mistake than a plan.
MAX_RETRY_AFTER = timedelta(hours=1)


class Outbox(Protocol):
    """Push jobs, stored elsewhere (MongoDB). Each end (sent, retry, dead, drop_token) applies
    only while `worker_id` still holds the job's claim, and is a silent no-op otherwise."""

    def claim(self, worker_id: str, now: datetime, lease_until: datetime,
              limit: int) -> list[dict]:
        """Up to `limit` jobs due at `now` (pending with next_at <= now, or claimed with an
        expired lease), each claimed atomically for this worker until `lease_until`.
        A job: {"_id": str, "token", "title", "body", "data", "collapse_key", "attempts"}."""

    def sent(self, job_id: str, worker_id: str, now: datetime) -> None:
        """The job is done."""

    def retry(self, job_id: str, worker_id: str, next_at: datetime, error: str) -> None:
        """attempts += 1; due again at next_at; the claim is released."""

    def dead(self, job_id: str, worker_id: str, error: str) -> None:
        """The job is given up (kept with its error, never sent again)."""

    def drop_token(self, job_id: str, worker_id: str, error: str) -> None:
        """The device's token is gone: remove the device, end the job."""


class Sender(Protocol):
    def send(self, pushes: list[Push]) -> list[Result]: ...


def backoff(attempt: int, *, base: float = 5, cap: float = 3600,
            jitter: Callable[[], float] = random.random) -> timedelta:
    """The wait before retry number `attempt` (1 after the first failure): exponential, capped.

    The ceiling is min(cap, base * 2**(attempt-1)); the wait is its upper half, placed by
    `jitter()` in [0, 1), so pushes that failed together (an FCM outage) come back spread out
    but never sooner than half the ceiling. Raises ValueError for an attempt below 1.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(cap, base * 2 ** min(attempt - 1, 64))
    return timedelta(seconds=ceiling / 2 + ceiling / 2 * jitter())


def deliver_once(outbox: Outbox, sender: Sender, *, worker_id: str, now: datetime,
                 lease_seconds: int = 60, batch_size: int = 100, max_attempts: int = 8) -> dict:
    """Claims up to `batch_size` due jobs, sends them, records each; returns counts.

    Counts: "claimed", and where each claimed job ended: "sent", "retry", "dead" (FAILED, out of
    attempts, or not a valid job), "drop_token", "unrecorded" (the outbox raised while recording:
    the job stays claimed until its lease runs out). These five add up to "claimed".
    A RETRY whose attempt (attempts + 1) reaches `max_attempts` is recorded dead instead.
    Raises only what `outbox.claim` raises.
    """
    lease_until = now + timedelta(seconds=lease_seconds)
    jobs = outbox.claim(worker_id, now, lease_until, batch_size)
    counts = dict.fromkeys((CLAIMED, SENT, RETRY, DEAD, DROP_TOKEN, UNRECORDED), 0)
    counts[CLAIMED] = len(jobs)
    pushes, attempts = [], {}
    for job in jobs:
        try:
            push, attempts[str(job["_id"])] = push_from_job(job), int(job.get("attempts") or 0)
        except (KeyError, TypeError, ValueError):
            job_id = str(job.get("_id"))
            _record(counts, DEAD, job_id, INVALID_JOB,
                    lambda job_id=job_id: outbox.dead(job_id, worker_id, INVALID_JOB))
            continue
        pushes.append(push)
    for result in _send(sender, pushes):
        end, call = _end_of(result, attempts[result.push.job_id] + 1, outbox,
                            worker_id=worker_id, now=now, max_attempts=max_attempts)
        _record(counts, end, result.push.job_id, result.error, call)
    if jobs:
        log.info("delivery round by %s: %s", worker_id,
                 " ".join(f"{key}={value}" for key, value in counts.items()))
    return counts


def deliver_until(stop: threading.Event, outbox: Outbox, sender: Sender, *, worker_id: str,
                  clock: Callable[[], datetime], interval: float = 1.0,
                  on_round: Callable[[dict], None] | None = None) -> None:
    """Rounds of `deliver_once` until `stop` is set, waiting `interval` seconds (or less, if
    `stop` is set meanwhile) after a round that found nothing due. `on_round` gets the counts of
    each round that claimed something. A round whose claim raises (the database went away) is
    logged by its class and tried again after `interval`: the loop outlives a passing outage,
    and a worker that quietly stopped would leave every later push undelivered."""
    while not stop.is_set():
        try:
            counts = deliver_once(outbox, sender, worker_id=worker_id, now=clock())
        except Exception as error:  # pylint: disable=broad-except
            log.error("delivery round by %s failed: %s", worker_id, type(error).__name__)
            counts = None
        if counts and counts[CLAIMED]:
            if on_round:
                on_round(counts)
            continue
        stop.wait(interval)


def default_worker_id() -> str:
    """Host and process id: unique among the workers of one deployment."""
    return f"{socket.gethostname()}:{os.getpid()}"


def push_from_job(job: dict) -> Push:
    """The Push for an outbox job. Raises KeyError, TypeError or ValueError for a bad job."""
    return Push(job_id=str(job["_id"]), token=job["token"], title=job["title"], body=job["body"],
                data=job["data"], collapse_key=job["collapse_key"],
                token_field=job.get("token_field") or "token")


def _send(sender: Sender, pushes: list[Push]) -> list[Result]:
    """One Result per push, whatever the sender did: a sender that raised, or left a push
    unanswered, leaves it RETRY (counted as an attempt, so a push that breaks the sender
    every time ends dead rather than looping)."""
    if not pushes:
        return []
    try:
        answered = {result.push.job_id: result for result in sender.send(pushes)}
    except Exception as error:  # pylint: disable=broad-except
        log.error("sender failed for a batch of %d: %s", len(pushes), type(error).__name__)
        return [Result(push, RETRY, SENDER_ERROR) for push in pushes]
    return [answered.get(push.job_id) or Result(push, RETRY, NO_RESULT) for push in pushes]


def _end_of(result: Result, attempt: int, outbox: Outbox, *, worker_id: str, now: datetime,
            max_attempts: int) -> tuple[str, Callable[[], None]]:
    job_id, error = result.push.job_id, result.error or result.outcome.upper()
    if result.outcome == SENT:
        return SENT, lambda: outbox.sent(job_id, worker_id, now)
    if result.outcome == DROP_TOKEN:
        return DROP_TOKEN, lambda: outbox.drop_token(job_id, worker_id, error)
    if result.outcome == RETRY and attempt < max_attempts:
        # Capped in seconds first: Retry-After has no upper bound, and timedelta has one.
        asked = timedelta(seconds=min(result.retry_after or 0, MAX_RETRY_AFTER.total_seconds()))
        wait = max(backoff(attempt), asked)
        return RETRY, lambda: outbox.retry(job_id, worker_id, now + wait, error)
    # FAILED, or RETRY out of attempts.
    return DEAD, lambda: outbox.dead(job_id, worker_id, error)


def _record(counts: dict, end: str, job_id: str, error: str | None,
            call: Callable[[], None]) -> None:
    try:
        call()
    except Exception as exc:  # pylint: disable=broad-except
        # The job stays claimed; its lease runs out and another round sends it again. Only the
        # class is logged: a driver's message may quote the document.
        counts[UNRECORDED] += 1
        log.error("job %s: could not record %s (%s); it will be sent again after its lease",
                  job_id, end, type(exc).__name__)
        return
    counts[end] += 1
    log.debug("job %s: %s%s", job_id, end, f" ({error})" if error else "")
