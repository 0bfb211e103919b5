"""The patient's data-subject requests: filed from the app, followed to their answer.

A request is received with its deadlines fixed at once (services/rights/deadlines.py); its
details are sealed (they may say anything about the patient's health). What a record or
consent it names must be the patient's own: a correction names one of their records, a
withdrawal may name their consents (without them staff act on the details)."""
from datetime import date

from security.codes import opaque_id
from services import paging, sealing
from services.errors import InvalidInput, NotFound
from services.rights.deadlines import deadlines, is_overdue

RECEIVED, ACKNOWLEDGED, COMPLETED, REFUSED = "received", "acknowledged", "completed", "refused"
CLOSED = (COMPLETED, REFUSED)
MAX_PAGE = 100
_POSITIONS = paging.Positions(time="received_at")  # newest first


def file(ctx, patient_id: str, body: dict) -> dict:
    """Receive a request (body validated by the API: kind, details, record_id for a correction,
    consent_ids for a withdrawal). Raises InvalidInput naming a record or consent that is not
    the patient's; AuditUnavailable (nothing filed)."""
    kind, request_id, now = body["kind"], opaque_id("dsr"), ctx.now()
    record_id, consent_ids = body.get("record_id"), sorted(set(body.get("consent_ids") or []))
    if record_id and ctx.repos.records.get_for_patient(patient_id, record_id) is None:
        raise InvalidInput("No such record.", errors={"record_id": ["No such record."]})
    if consent_ids and set(consent_ids) - {c["_id"] for c in
                                           ctx.repos.consents.of_patient(patient_id)}:
        raise InvalidInput("No such consent.", errors={"consent_ids": ["No such consent."]})
    due = deadlines(kind, now)
    doc = {"_id": request_id, "patient_id": patient_id, "kind": kind, "status": RECEIVED,
           "details": ctx.cipher.encrypt(body["details"],
                                         sealing.request_details(request_id, patient_id)),
           "record_id": record_id, "consent_ids": consent_ids, "received_at": now,
           "acknowledge_by": due.acknowledge_by.isoformat(),
           "complete_by": due.complete_by.isoformat(), "extension_reason": None,
           "answer": None, "due": due.acknowledge_by.isoformat(), "updated_at": now}
    # On the trail before it exists: a request whose entry cannot be written was not filed.
    ctx.audit.record("request.file", actor=_self(patient_id), patient_id=patient_id,
                     target={"request_id": request_id})
    ctx.repos.data_requests.insert(doc)
    return view(ctx, doc)


def list_for(ctx, patient_id: str, *, cursor: str | None = None, limit: int = 50) -> dict:
    """The patient's requests, newest first. Raises InvalidInput for a bad cursor."""
    docs, next_cursor = paging.page(
        lambda after, n: ctx.repos.data_requests.for_patient(patient_id, before=after, limit=n),
        _POSITIONS, cursor, limit, MAX_PAGE)
    return {"items": [view(ctx, doc) for doc in docs], "next_cursor": next_cursor}


def get(ctx, patient_id: str, request_id: str) -> dict:
    """One of the patient's requests. Raises NotFound (also for another patient's)."""
    doc = ctx.repos.data_requests.get(patient_id, request_id)
    if doc is None:
        raise NotFound("No such request.")
    return view(ctx, doc)


def view(ctx, doc: dict) -> dict:
    """What the patient sees of a request: `overdue` once the deadline it waits on has passed
    (acknowledgement while received, completion while open)."""
    waiting_on = doc["acknowledge_by"] if doc["status"] == RECEIVED else doc["complete_by"]
    overdue = doc["status"] not in CLOSED and is_overdue(date.fromisoformat(waiting_on), ctx.now())
    return {"id": doc["_id"], "kind": doc["kind"], "status": doc["status"],
            "details": ctx.cipher.decrypt(doc["details"],
                                          sealing.request_details(doc["_id"], doc["patient_id"])),
            "record_id": doc["record_id"], "consent_ids": doc["consent_ids"],
            "received_at": doc["received_at"], "acknowledge_by": doc["acknowledge_by"],
            "complete_by": doc["complete_by"], "overdue": overdue,
            "extension_reason": doc["extension_reason"], "answer": doc["answer"]}


def _self(patient_id: str) -> dict:
    return {"type": "patient", "id": patient_id}
