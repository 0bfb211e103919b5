"""The four-eyes queue: what one staff account recorded on a patient's behalf (a consent from a
signed form, a child's legal representative, an activation code for a person who has not
registered yet) waits here until a second staff account approves or rejects it. The item's id is the consent's or the link's own id, so approving is one
conditional write on the item itself (models.consents.decide, models.representatives.decide):
no second document can disagree with it."""
import base64
import binascii
import json
from datetime import datetime, timezone

from models import activation_codes as code_store
from models import consents as consent_store
from models import representatives as link_store
from services import consents, evidence, registration, representatives
from services.errors import InvalidInput, NotFound

MAX_PAGE = 100
_KINDS = {"cns_": "consent", "rep_": "representative", "act_": "activation_code"}


def queue(staff_id: str, *, cursor: str | None = None, limit: int = 50) -> dict:
    """Items awaiting a decision, oldest first, each marked `own` when this staff account
    recorded it (it cannot decide those). Raises InvalidInput for a bad cursor."""
    limit = max(1, min(limit, MAX_PAGE))
    after = _decode(cursor)
    docs = [("consent", d) for d in consent_store.pending(after, limit + 1)] + \
        [("representative", d) for d in link_store.pending(after, limit + 1)] + \
        [("activation_code", d) for d in code_store.pending(after, limit + 1)]
    docs.sort(key=lambda item: (_recorded_at(item[1]), item[1]["_id"]))
    more, docs = len(docs) > limit, docs[:limit]
    consent_docs = [doc for kind, doc in docs if kind == "consent"]
    shown = dict(zip((d["_id"] for d in consent_docs), consents.staff_views(consent_docs)))
    shown.update({doc["_id"]: representatives.view(doc) for kind, doc in docs
                  if kind == "representative"})
    shown.update({doc["_id"]: registration.code_view(doc) for kind, doc in docs
                  if kind == "activation_code"})
    items = [{"id": doc["_id"], "kind": kind, "own": _recorder(doc) == f"staff:{staff_id}",
              kind: shown[doc["_id"]]} for kind, doc in docs]
    return {"items": items, "next_cursor": _encode(docs[-1][1]) if more else None}


def decide(item_id: str, staff_id: str, approved: bool) -> dict:
    """Approve or reject an item. Raises NotFound, Forbidden (the recorder), Conflict (decided
    already), AuditUnavailable."""
    kind = _kind(item_id)
    decide_kind = {"consent": consents.decide, "representative": representatives.decide,
                   "activation_code": registration.decide_code}[kind]
    return {"id": item_id, "kind": kind, kind: decide_kind(item_id, staff_id, approved)}


def scan(item_id: str, staff_id: str) -> dict:
    """The scan of the signed form behind an item (decided or not), for staff. Raises
    NotFound, AuditUnavailable."""
    kind = _kind(item_id)
    doc = {"consent": consent_store.get_by_id, "representative": link_store.get_by_id}.get(
        kind, lambda _: None)(item_id)
    if doc is None:  # an activation code is issued on an identity check, not on a form
        raise NotFound("No such item.")
    patient_id = doc["patient_id"] if kind == "consent" else doc["child_id"]
    return evidence.open_scan(doc.get("evidence_scan_id"), patient_id, item_id, staff_id)


def _recorded_at(doc: dict):
    return doc.get("recorded_at") or doc["issued_at"]


def _recorder(doc: dict) -> str:
    issuer = doc.get("issued_by")
    return f"{issuer['type']}:{issuer['id']}" if issuer else doc["recorded_by"]


def _kind(item_id: str) -> str:
    kind = _KINDS.get(item_id[:4])
    if kind is None:
        raise NotFound("No such item awaits approval.")
    return kind


def _encode(doc: dict) -> str:
    position = json.dumps([_recorded_at(doc).isoformat(), doc["_id"]])
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple | None:
    if not cursor:
        return None
    try:
        at, item_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(item_id, str):
            raise ValueError
        # In UTC here: a time that cannot be (year 9999 at -23:59) is no cursor we made.
        return datetime.fromisoformat(at).astimezone(timezone.utc), item_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise InvalidInput("The cursor is not valid.", errors={"cursor": ["Not valid."]}) \
            from None
