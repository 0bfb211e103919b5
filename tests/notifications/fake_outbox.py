"""An in-memory Outbox with the semantics the MongoDB one must have.

Claims are atomic under one lock: a job is handed to exactly one worker until its lease runs
out. An end (sent, retry, dead, drop_token) applies only while the caller holds the claim; from
a worker that lost it, it is ignored (and noted in `ignored`). `fail_next(method, job_id)` makes
the next such call raise before it changes anything, as a database that went away would.
"""
from __future__ import annotations

import copy
import threading
from datetime import datetime, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
PENDING, CLAIMED, SENT, DEAD, DROPPED = "pending", "claimed", "sent", "dead", "dropped"


class OutboxDown(RuntimeError):
    pass


class MemoryOutbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs: dict[str, dict] = {}
        self.dropped_tokens: list[str] = []
        self.ignored: list[tuple[str, str, str]] = []  # (method, job_id, worker_id)
        self.claims: list[tuple[str, str]] = []  # (worker_id, job_id), every claim ever made
        self._failures: dict[tuple[str, str], int] = {}

    def add(self, job_id: str, token: str, *, kind: str = "record_available",
            title: str = "Hồ sơ mới", body: str = "Bạn có thông tin mới trong ứng dụng.",
            attempts: int = 0, next_at: datetime = EPOCH, **extra) -> dict:
        job = {"_id": job_id, "token": token, "title": title, "body": body,
               "data": {"kind": kind, "notification_id": f"ntf_{job_id}"},
               "collapse_key": f"ntf_{job_id}", "attempts": attempts, "status": PENDING,
               "next_at": next_at, "claimed_by": None, "lease_until": None, "errors": [],
               "sent_records": 0, **extra}
        with self._lock:
            self.jobs[job_id] = job
        return job

    def fail_next(self, method: str, job_id: str, times: int = 1) -> None:
        with self._lock:
            self._failures[(method, job_id)] = times

    def job(self, job_id: str) -> dict:
        with self._lock:
            return copy.deepcopy(self.jobs[job_id])

    # The Outbox protocol.
    def claim(self, worker_id, now, lease_until, limit):
        with self._lock:
            due = [job for job in self.jobs.values() if _due(job, now)]
            due.sort(key=lambda job: (job["next_at"], job["_id"]))
            taken = due[:limit]
            for job in taken:
                job.update(status=CLAIMED, claimed_by=worker_id, lease_until=lease_until)
                self.claims.append((worker_id, job["_id"]))
            return [{key: copy.deepcopy(job[key]) for key in
                     ("_id", "token", "title", "body", "data", "collapse_key", "attempts")}
                    for job in taken]

    def sent(self, job_id, worker_id, now):
        self._end("sent", job_id, worker_id, status=SENT, sent_at=now)

    def retry(self, job_id, worker_id, next_at, error):
        self._end("retry", job_id, worker_id, status=PENDING, next_at=next_at, error=error,
                  attempt=True)

    def dead(self, job_id, worker_id, error):
        self._end("dead", job_id, worker_id, status=DEAD, error=error, attempt=True)

    def drop_token(self, job_id, worker_id, error):
        self._end("drop_token", job_id, worker_id, status=DROPPED, error=error)

    def _end(self, method, job_id, worker_id, *, status, error=None, attempt=False, **changes):
        with self._lock:
            left = self._failures.get((method, job_id), 0)
            if left:
                self._failures[(method, job_id)] = left - 1
                raise OutboxDown(f"outbox unreachable during {method}")
            job = self.jobs[job_id]
            if job["status"] != CLAIMED or job["claimed_by"] != worker_id:
                self.ignored.append((method, job_id, worker_id))
                return
            job.update(status=status, claimed_by=None, lease_until=None, **changes)
            if attempt:
                job["attempts"] += 1
            if error:
                job["errors"].append(error)
            if status == SENT:
                job["sent_records"] += 1
            if status == DROPPED:
                self.dropped_tokens.append(job["token"])


def _due(job: dict, now: datetime) -> bool:
    if job["status"] == PENDING:
        return job["next_at"] <= now
    return job["status"] == CLAIMED and job["lease_until"] <= now
