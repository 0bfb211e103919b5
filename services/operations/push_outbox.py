"""The delivery worker's outbox on MongoDB (notifications.worker.Outbox): a notification is
claimed whole by one worker under a lease, and handed out as one push job per device of its
patient that has not had it yet. Job ids are "<notification id>|<device id>".

At least once: a worker that dies after sending but before recording leaves the claim to run
out; the next worker sends again (the collapse key, the kind, shows it once on the device) and
records it once. Devices that got it are remembered on the notification, so a retry after a
partial failure sends only to the others.
"""
import logging
from datetime import timedelta

from notifications import messages
from security.crypto import DecryptionError
from services.operations.devices import token_of

log = logging.getLogger(__name__)


# How long an unlinked device is kept for the security notices recorded before it was unlinked.
UNLINKED_KEPT = timedelta(days=1)
# A security notice also goes to devices unlinked this long before it was recorded: the change
# it tells of may sign them out just before the notice is written.
_TOLD_AROUND = timedelta(minutes=1)


class MongoOutbox:
    """The outbox on the repositories and cipher of `ctx`."""

    def __init__(self, ctx):
        self.ctx = ctx

    def claim(self, worker_id: str, now, lease_until, limit: int) -> list[dict]:
        self.ctx.repos.devices.purge_unlinked(now - UNLINKED_KEPT)
        jobs: list[dict] = []
        while len(jobs) < limit:
            doc = self.ctx.repos.notifications.claim_one(worker_id, now, lease_until)
            if doc is None:
                break
            targets = _remaining(self.ctx, doc)
            if not targets:  # no device (or all done): the inbox is enough
                self.ctx.repos.notifications.finish(doc["_id"], now)
                continue
            for device in targets:
                try:
                    jobs.append(_job(self.ctx, doc, device))
                except DecryptionError:  # sealed under a key no longer held: not this round's end
                    log.error("push outbox: device %s holds a token no key opens; skipped",
                              device["_id"])
                    self._done(f"{doc['_id']}|{device['_id']}", "failed", now)
        return jobs

    def sent(self, job_id: str, worker_id: str, now) -> None:
        self._done(job_id, "sent", now)

    def retry(self, job_id: str, worker_id: str, next_at, error: str) -> None:
        self.ctx.repos.notifications.retry_later(job_id.split("|")[0], worker_id, next_at, error)

    def dead(self, job_id: str, worker_id: str, error: str) -> None:
        self._done(job_id, "failed", None)

    def drop_token(self, job_id: str, worker_id: str, error: str) -> None:
        """FCM said the token is gone (unregistered, invalid, another sender): forget the
        device; nothing will be sent to it again."""
        self.ctx.repos.devices.remove_by_id(job_id.split("|")[1])
        self._done(job_id, "failed", None)

    def _done(self, job_id: str, outcome: str, now) -> None:
        notification_id, device_id = job_id.split("|")
        after = self.ctx.repos.notifications.device_done(notification_id, device_id, outcome)
        if after is not None and not _remaining(self.ctx, after):
            self.ctx.repos.notifications.finish(notification_id, now)


def _remaining(ctx, doc: dict) -> list[dict]:
    """The devices still to get it: the linked ones, and for a security notice also those
    unlinked since it was recorded (the credential change it tells of signed them out)."""
    delivery = doc["delivery"]
    done = set(delivery.get("sent_to", [])) | set(delivery.get("failed_for", []))
    since = None if messages.mutable(doc["kind"]) else doc["created_at"] - _TOLD_AROUND
    return [d for d in ctx.repos.devices.of_patient(doc["patient_id"], unlinked_since=since)
            if d["_id"] not in done]


def _job(ctx, doc: dict, device: dict) -> dict:
    title, body = messages.words(doc["kind"], device.get("language"))
    return {"_id": f"{doc['_id']}|{device['_id']}", "token": token_of(ctx, device), "title": title,
            "body": body, "data": {"kind": doc["kind"], "notification_id": doc["_id"]},
            "collapse_key": doc["kind"], "attempts": doc["delivery"].get("attempts", 0)}


def make_sender(config: dict):
    """The FCM sender when a service account is configured, else the log sender (development:
    pushes go to the log and the inbox only)."""
    from notifications.fcm import FcmSender, LogSender
    credentials = config.get("FCM_CREDENTIALS_FILE")
    if not credentials:
        return LogSender()
    return FcmSender(credentials, project_id=config.get("FCM_PROJECT_ID"),
                     high_priority_kinds=SECURITY_KINDS)


SECURITY_KINDS = frozenset(kind for kind in messages.KINDS if not messages.mutable(kind))
