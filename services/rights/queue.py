"""Support staff answer the data-subject requests: a queue of every request, earliest due day
first, and the four steps each takes (acknowledge, extend once, complete, refuse).

Each step is on the audit trail before it happens and is one conditional write on the request
(two staff members cannot both take it; a lost race undoes its entry); the patient is told of
each. Staff see a request's kind, the patient's words, ids and dates: never a clinical value.
A correction is answered by the hospital whose record it is, not by staff."""
from datetime import date, datetime, timezone

from services import paging
from services.errors import Conflict, NotFound
from services.operations import notify
from services.rights.deadlines import deadlines
from services.rights.requests import ACKNOWLEDGED, CLOSED, COMPLETED, RECEIVED, REFUSED, view

MAX_PAGE = 100
_POSITIONS = paging.Positions(time="due_at")
_NOT_NOW = "The request is not awaiting this step (closed, or taken by another step)."


def queue(ctx, *, status: str | None = None, cursor: str | None = None,
          limit: int = 50) -> dict:
    """A page of every request (closed ones too, unless `status` says), earliest due day first,
    each with its patient's id and `overdue`. Raises InvalidInput for a bad cursor."""
    docs, next_cursor = paging.page(lambda after, n: _read(ctx, status, after, n), _POSITIONS,
                                    cursor, limit, MAX_PAGE)
    return {"items": [staff_view(ctx, doc) for doc in docs], "next_cursor": next_cursor}


def _read(ctx, status, after, n) -> list[dict]:
    due_after = (after[0].date().isoformat(), after[1]) if after else None
    docs = ctx.repos.data_requests.queue(status, after=due_after, limit=n)
    for doc in docs:  # the cursor codec places items by a time: the due day at midnight UTC
        doc["due_at"] = _midnight(doc["due"])
    return docs


def staff_view(ctx, doc: dict) -> dict:
    return {**view(ctx, doc), "patient_id": doc["patient_id"]}


def acknowledge(ctx, request_id: str, staff_id: str) -> dict:
    doc = _get(ctx, request_id)
    # `due` follows the completion day read here: the write holds only while that day stands
    # (an extension meanwhile makes this a 409 to retry, never a stale due day).
    return _step(ctx, doc, staff_id, "request.acknowledge",
                 {"status": RECEIVED, "complete_by": doc["complete_by"]},
                 {"status": ACKNOWLEDGED, "due": doc["complete_by"]})


def extend(ctx, request_id: str, staff_id: str, reason: str) -> dict:
    """Once, with a reason the patient reads: the completion day moves by the kind's days.
    Raises Conflict for a second extension or a closed request."""
    doc = _get(ctx, request_id)
    if doc["status"] in CLOSED:
        raise Conflict(_NOT_NOW)
    later = deadlines(doc["kind"], doc["received_at"], extended=True).complete_by.isoformat()
    due = later if doc["status"] == ACKNOWLEDGED else doc["due"]
    # The status read decides `due`: the write holds only while that status stands.
    return _step(ctx, doc, staff_id, "request.extend",
                 {"status": doc["status"], "extension_reason": None},
                 {"complete_by": later, "extension_reason": reason, "due": due})


def complete(ctx, request_id: str, staff_id: str, outcome: str) -> dict:
    return _close(ctx, request_id, staff_id, COMPLETED, outcome)


def refuse(ctx, request_id: str, staff_id: str, reason: str) -> dict:
    return _close(ctx, request_id, staff_id, REFUSED, reason)


def _close(ctx, request_id: str, staff_id: str, status: str, answer: str) -> dict:
    doc = _get(ctx, request_id)
    if doc["kind"] == "correction" and status == COMPLETED:
        raise Conflict("A correction is completed by the hospital's answer.")
    action = "request.complete" if status == COMPLETED else "request.refuse"
    return _step(ctx, doc, staff_id, action, {"status": {"$nin": list(CLOSED)}},
                 {"status": status, "answer": answer})


def _step(ctx, doc: dict, staff_id: str, action: str, condition: dict, fields: dict) -> dict:
    entry = {"action": action, "actor": {"type": "staff", "id": staff_id},
             "patient_id": doc["patient_id"], "target": {"request_id": doc["_id"]}}
    ctx.audit.record(**entry)  # before the effect: no step happens off the trail
    moved = ctx.repos.data_requests.move(doc["_id"], condition,
                                         {**fields, "updated_at": ctx.now()})
    if moved is None:
        ctx.audit.undone(entry)
        raise Conflict(_NOT_NOW)
    notify.notify(ctx, doc["patient_id"], "request_updated", {"request_id": doc["_id"]})
    return staff_view(ctx, moved)


def _get(ctx, request_id: str) -> dict:
    doc = ctx.repos.data_requests.get_any(request_id)
    if doc is None:
        raise NotFound("No such request.")
    return doc


def _midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=timezone.utc)
