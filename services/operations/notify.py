"""Telling patients: every notification is in the in-app inbox and, unless the patient muted its
kind (security events cannot be muted), pushed to their devices by the delivery worker. One
write records both (models.notifications): a crash cannot lose a push the inbox shows."""

from models import accounts
from notifications import messages
from security.codes import opaque_id
from services import paging
from services.errors import InvalidInput, NotFound

_POSITIONS = paging.Positions(time="created_at")  # newest first
DELIVERY_STATUSES = PENDING, SENT, FAILED, MUTED, NO_DEVICE = (
    "pending", "sent", "failed", "muted", "no_device")


def notify(ctx, patient_id: str, kind: str, ids: dict | None = None,
           once_for: str | None = None) -> str | None:
    """Record a notification of `kind` for the patient; its id, or None when nothing was
    recorded. `ids` are opaque ids for the app to fetch with (never content). A patient who has
    no account yet gets only what must wait for them (messages.WAITS_FOR_REGISTRATION: what
    someone else did with their data), and finds it in the inbox on registering. `once_for`
    makes the notice one of a kind for that id (say a consent's first read): its id is derived
    from it, so of two parallel notices one is stored, and "told" is the notice itself, never a
    flag that could be set without it."""
    patient = ctx.repos.patients.get(patient_id)
    if not _told(patient, kind):
        return None
    doc = _notification(ctx, patient, kind, ids,
                        f"ntf_{kind}_{once_for}" if once_for else opaque_id("ntf"))
    return doc["_id"] if ctx.repos.notifications.insert(doc) else None


def notify_each(ctx, patient_ids: list[str], kind: str) -> None:
    """notify for several patients at once (one read, one write), as after a push."""
    patients = ctx.repos.patients.get_many(patient_ids, ["registered_at", "muted_kinds"])
    ctx.repos.notifications.insert_many([
        _notification(ctx, patients[p], kind, None, opaque_id("ntf")) for p in patient_ids
        if _told(patients.get(p), kind)])


def _told(patient: dict | None, kind: str) -> bool:
    """Whether a notice of `kind` is kept for this patient now (see notify)."""
    return bool(patient) and bool(patient.get("registered_at")
                                  or kind in messages.WAITS_FOR_REGISTRATION)


def _notification(ctx, patient: dict, kind: str, ids: dict | None, notification_id: str) -> dict:
    muted = messages.mutable(kind) and kind in patient.get("muted_kinds", [])
    now = ctx.now()
    return {"_id": notification_id, "patient_id": patient["_id"], "kind": kind,
            "data": {k: str(v) for k, v in (ids or {}).items()}, "created_at": now,
            "read_at": None,
            "delivery": {"state": "done" if muted else "pending", "muted": muted, "next_at": now,
                         "attempts": 0, "sent_to": [], "failed_for": []}}


def security_event(ctx, kind: str, account_id: str, event: str,
                   details: dict | None = None) -> None:
    """Keep a security event of the account and tell the patient (staff have no app)."""
    if kind == accounts.PATIENT and event in messages.SECURITY_EVENTS:
        notify(ctx, account_id, messages.SECURITY_EVENTS[event])
    ctx.repos.security_events.record(kind, account_id, event, details)


def inbox(ctx, patient_id: str, *, cursor: str | None = None, limit: int = 50) -> dict:
    """The patient's notifications, newest first, in their language. Raises InvalidInput for a
    bad cursor."""
    language = (ctx.repos.patients.get(patient_id) or {}).get("language")
    docs, next_cursor = paging.page(
        lambda after, n: ctx.repos.notifications.inbox(patient_id, before=after, limit=n),
        _POSITIONS, cursor, limit)
    items = [{"id": d["_id"], "kind": d["kind"], **dict(zip(("title", "body"), messages.words(
        d["kind"], language))), "created_at": d["created_at"], "read_at": d["read_at"],
        "data": d["data"], "delivery_status": delivery_status(d.get("delivery") or {})}
        for d in docs]
    return {"items": items, "next_cursor": next_cursor}


def delivery_status(delivery: dict) -> str:
    """What became of the push, from what the delivery worker recorded (push_outbox): "sent"
    once a device got it (the log sender counts: development has no other); "pending" until
    the worker is done with it (due, claimed, or waiting to retry); then "muted" (never sent:
    its kind was muted when it was recorded), "failed" (every device it was meant for gave up
    or had its token refused) or "no_device" (the patient had no device to send it to)."""
    if delivery.get("sent_to"):
        return SENT
    if delivery.get("state") != "done":
        return PENDING
    if delivery.get("muted"):
        return MUTED
    return FAILED if delivery.get("failed_for") else NO_DEVICE


def mark_read(ctx, patient_id: str, notification_id: str) -> None:
    """Raises NotFound (also for another patient's notification)."""
    if not ctx.repos.notifications.mark_read(patient_id, notification_id):
        raise NotFound("No such notification.")


def preferences(ctx, patient_id: str) -> dict:
    patient = ctx.repos.patients.get(patient_id) or {}
    return {"muted": sorted(patient.get("muted_kinds", [])),
            "mutable": sorted(k for k in messages.KINDS if messages.mutable(k))}


def set_muted(ctx, patient_id: str, muted: list[str]) -> dict:
    """Raises InvalidInput for a kind that cannot be muted (security events)."""
    refused = [k for k in muted if k not in messages.KINDS or not messages.mutable(k)]
    if refused:
        raise InvalidInput("Security notifications cannot be muted.",
                           errors={"muted": [f"{k} cannot be muted." for k in refused]})
    ctx.repos.patients.set_fields(patient_id, {"muted_kinds": sorted(set(muted))})
    return preferences(ctx, patient_id)
