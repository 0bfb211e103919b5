"""Re-seal every encrypted value with the active data key.

How to rotate: make the new key DATA_ENCRYPTION_KEY with a new DATA_ENCRYPTION_KEY_ID, list the
old one in DATA_ENCRYPTION_OLD_KEYS, restart (new values use the new key, old ones stay
readable), run `flask --app wsgi rotate-keys`, then drop the old key from the list. The command
can be stopped and run again: it skips what already uses the active key.
"""
import logging

from models import patients
from security.crypto import DecryptionError
from services import evidence, factors, representatives
from services.consents import shown_context
from services.devices import token_context
from services.ingest import record_context, summary_context, version_context

log = logging.getLogger(__name__)


def _patient_context(doc, field):
    return f"patients:{doc['_id']}:{field}"


def _totp_context(kind):
    return lambda doc, field: factors.totp_context(kind, doc["_id"])


# (collection, sealed fields, the associated data of a field of a document)
PLACES = [
    ("patients", patients.SEALED_FIELDS, _patient_context),
    ("patients", ("totp_secret", "totp_pending"), _totp_context("patient")),
    ("staff", ("totp_secret", "totp_pending"), _totp_context("staff")),
    ("records", ("resource",), lambda doc, field: record_context(doc)),
    ("records", ("summary",), lambda doc, field: summary_context(doc)),
    ("record_versions", ("resource",), lambda doc, field: version_context(doc)),
    ("ingest_requests", ("answer",), lambda doc, field: f"ingest_requests:{doc['_id']}:answer"),
    ("consents", ("grantee_national_id",), lambda doc, field: shown_context(doc["_id"])),
    ("devices", ("token",), lambda doc, field: token_context(doc["token_hash"])),
    ("representatives", representatives.SEALED_FIELDS, representatives.sealed_context),
    ("evidence_scans", ("data",), evidence.sealed_context),
]


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
