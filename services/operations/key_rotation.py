"""Re-seal every encrypted value with the active data key.

How to rotate: make the new key DATA_ENCRYPTION_KEY with a new DATA_ENCRYPTION_KEY_ID, list the
old one in DATA_ENCRYPTION_OLD_KEYS, restart (new values use the new key, old ones stay
readable), run `flask --app wsgi rotate-keys`, then drop the old key from the list. The command
can be stopped and run again: it skips what already uses the active key.
"""
import logging

from security.crypto import DecryptionError
from services.sealing import PLACES

log = logging.getLogger(__name__)


def total(ctx) -> int:
    """Documents to visit (for a progress bar)."""
    return sum(ctx.repos.sealed.count(collection, fields) for collection, fields, _ in PLACES)


def rotate(ctx, progress=lambda done: None) -> dict:
    """Re-seal what another key sealed; `progress(n)` after every n documents. Returns counts:
    {"documents", "resealed", "skipped" (changed meanwhile, so already current), "unreadable"
    (no key held opens it: listed in the log by collection and id, left as it is)}."""
    counts = {"documents": 0, "resealed": 0, "skipped": 0, "unreadable": 0}
    for collection, fields, context in PLACES:
        for doc in ctx.repos.sealed.documents(collection, fields):
            for field in fields:
                value = doc.get(field)
                if not isinstance(value, str) or ctx.cipher.is_current(value):
                    continue
                aad = context(doc, field)
                try:
                    fresh = ctx.cipher.encrypt(ctx.cipher.decrypt(value, aad), aad)
                except DecryptionError:
                    log.error("rotate-keys: %s %s field %s opens with no key held",
                              collection, doc["_id"], field)
                    counts["unreadable"] += 1
                    continue
                changed = ctx.repos.sealed.replace(collection, doc["_id"], field, value, fresh)
                counts["resealed" if changed else "skipped"] += 1
            counts["documents"] += 1
            progress(1)
    return counts
