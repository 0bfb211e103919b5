"""The four-eyes queue: what one staff account recorded on a patient's behalf (a consent from a
signed form, a child's legal representative, an activation code for a person who has not
registered yet) waits here until a second staff account approves or rejects it. The item's id
is the consent's or the link's own id, so approving is one conditional write on the item
itself (models.consents.decide, models.representatives.decide): no second document can
disagree with it."""

from services import paging
from services.sharing import consents, evidence, representatives
from services.signin import registration
from services.errors import NotFound

MAX_PAGE = 100
# Oldest first by the time each kind was recorded or issued (queued_at, set when read).
_POSITIONS = paging.Positions(time="queued_at")
_KINDS = {"cns_": "consent", "rep_": "representative", "act_": "activation_code"}


def queue(ctx, staff_id: str, *, cursor: str | None = None, limit: int = 50) -> dict:
    """Items awaiting a decision, oldest first, each marked `own` when this staff account
    recorded it (it cannot decide those). Raises InvalidInput for a bad cursor."""
    found, next_cursor = paging.page(lambda after, n: _pending(ctx, after, n), _POSITIONS, cursor,
                                     limit, MAX_PAGE)
    docs = [(doc.pop("queue_kind"), doc) for doc in found]
    consent_docs = [doc for kind, doc in docs if kind == "consent"]
    shown = dict(zip((d["_id"] for d in consent_docs), consents.staff_views(ctx, consent_docs)))
    shown.update({doc["_id"]: representatives.view(ctx, doc) for kind, doc in docs
                  if kind == "representative"})
    shown.update({doc["_id"]: registration.code_view(doc) for kind, doc in docs
                  if kind == "activation_code"})
    items = [{"id": doc["_id"], "kind": kind, "own": _recorder(doc) == f"staff:{staff_id}",
              kind: shown[doc["_id"]]} for kind, doc in docs]
    return {"items": items, "next_cursor": next_cursor}


def _pending(ctx, after: tuple | None, n: int) -> list[dict]:
    """The first n items after `after` of the three kinds together, oldest first, each marked
    with its kind: n of each read, merged, cut (three queries whatever n)."""
    found = []
    repos = ctx.repos
    for kind, read in (("consent", repos.consents.pending),
                       ("representative", repos.representatives.pending),
                       ("activation_code", repos.activation_codes.pending)):
        for doc in read(after, n):
            found.append({**doc, "queue_kind": kind,
                          "queued_at": doc.get("recorded_at") or doc["issued_at"]})
    found.sort(key=lambda doc: (doc["queued_at"], doc["_id"]))
    return found[:n]


def decide(ctx, item_id: str, staff_id: str, approved: bool) -> dict:
    """Approve or reject an item. Raises NotFound, Forbidden (the recorder), Conflict (decided
    already), AuditUnavailable."""
    kind = _kind(item_id)
    decide_kind = {"consent": consents.decide, "representative": representatives.decide,
                   "activation_code": registration.decide_code}[kind]
    return {"id": item_id, "kind": kind, kind: decide_kind(ctx, item_id, staff_id, approved)}


def scan(ctx, item_id: str, staff_id: str) -> dict:
    """The scan of the signed form behind an item (decided or not), for staff. Raises
    NotFound, AuditUnavailable."""
    kind = _kind(item_id)
    doc = {"consent": ctx.repos.consents.get_by_id,
           "representative": ctx.repos.representatives.get_by_id}.get(
        kind, lambda _: None)(item_id)
    if doc is None:  # an activation code is issued on an identity check, not on a form
        raise NotFound("No such item.")
    patient_id = doc["patient_id"] if kind == "consent" else doc["child_id"]
    return evidence.open_scan(ctx, doc.get("evidence_scan_id"), patient_id, item_id, staff_id)


def _recorder(doc: dict) -> str:
    issuer = doc.get("issued_by")
    return f"{issuer['type']}:{issuer['id']}" if issuer else doc["recorded_by"]


def _kind(item_id: str) -> str:
    kind = _KINDS.get(item_id[:4])
    if kind is None:
        raise NotFound("No such item awaits approval.")
    return kind
