"""Signed checkpoints of the audit chain, kept outside the database (design: docs/audit-trail.md).

A checkpoint {chain, seq, hash, at} is signed with the server's Ed25519 key (CONSENT_RECEIPT_KEY,
under a context prefix of its own: security/audit_anchor.py) and written three ways:

- one JSON line appended to AUDIT_CHECKPOINT_FILE (opened with O_APPEND, created 0600);
- one INFO line on the `phr.audit.checkpoint` logger, so the log stream carries it off the host;
- the `audit_checkpoints` collection, which GET /v1/audit/checkpoint serves to a witness that
  keeps its own copies.

A checkpoint holds a seq, a hash and a time: no personal data. An append claims one when due
(models/audit.py); `flask audit-checkpoint` writes one now. Writing it never undoes or refuses the
append that claimed it: the entries are stored by then; a copy that cannot be written is logged
as an error, and the other copies still go out.
"""
import base64
import logging
import os
from collections.abc import Iterator

from models.audit_checkpoints import CheckpointStore
from security.audit_anchor import (Schedule, checkpoint_line, public_key, read_checkpoint_line,
                                   sign_checkpoint)
from services.errors import NotFound

log = logging.getLogger("phr.audit.checkpoint")


class Anchor:
    """Signs checkpoints and writes each where it is kept. `path` None: no file (development)."""

    def __init__(self, signing_seed: bytes, schedule: Schedule, path: str | None,
                 points: CheckpointStore | None):
        self.signing_seed, self.schedule = signing_seed, schedule
        self.path, self.points = path, points

    def write(self, point: dict) -> dict:
        """Sign `point` and write it to the log stream, the file and the database; returns it
        signed."""
        signed = sign_checkpoint(point, self.signing_seed)
        line = checkpoint_line(signed)
        log.info("audit checkpoint %s", line.rstrip("\n"))
        if self.path:
            try:
                append_line(self.path, line)
            except OSError as error:
                log.error("audit checkpoint seq %s not written to AUDIT_CHECKPOINT_FILE: %s",
                          signed["seq"], error.strerror)
        if self.points is not None and not self.points.add(signed):
            log.error("audit checkpoint seq %s not stored in the database", signed["seq"])
        return signed


def append_line(path: str, line: str) -> None:
    """Append one line in one write (O_APPEND: never over what is there), created readable by
    its owner only, and flushed to disk: it is evidence."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_lines(path: str) -> Iterator[tuple[int, dict | None]]:
    """(line number, the mapping it holds or None) of each non-blank line of a checkpoint file.
    Raises OSError when the file cannot be read."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, read_checkpoint_line(line)


# The app's keys and settings.

def signing_seed(ctx) -> bytes:
    return base64.b64decode(ctx.setting("CONSENT_RECEIPT_KEY"))


def published_key(ctx) -> bytes:
    """The 32 raw bytes of the public key that verifies checkpoints (and consent receipts)."""
    return public_key(signing_seed(ctx))


def anchor_of(ctx, chain: str) -> Anchor:
    """The anchor of `chain` on `ctx`'s database, with its settings."""
    schedule = Schedule(ctx.setting("AUDIT_CHECKPOINT_EVERY"),
                        ctx.setting("AUDIT_CHECKPOINT_SECONDS"))
    seed = base64.b64decode(ctx.setting("CONSENT_RECEIPT_KEY"))
    return Anchor(seed, schedule, ctx.setting("AUDIT_CHECKPOINT_FILE"),
                  CheckpointStore(ctx.db, chain))


def latest(ctx, chain: str) -> dict:
    """The newest checkpoint in the database with the key to check it, for a witness. Raises
    NotFound before the first one."""
    point = CheckpointStore(ctx.db, chain).latest()
    if point is None:
        raise NotFound("No audit checkpoint has been made yet.")
    return {**point, "public_key": base64.b64encode(published_key(ctx)).decode("ascii")}
