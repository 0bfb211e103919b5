"""The audit trail: one recorder that every service calls, and the patient's access log (the
operators' check of the whole chain is services/audit/verify.py).

An entry says who (actor), did what (a dotted action such as `records.read`), to whose data
(patient_id), why (purpose, consent_id), to which things (target: a few ids and a count), and
how it ended (outcome). It never holds clinical content, names, national IDs, tokens or secrets:
target keys come from a short list of id fields, and every value must look like an id.

The recorder takes its collaborators (the chain, its key, a clock, the checkpoint anchor), so it
runs without Flask; `record`, `record_many` and `access_log` below read them from the app.
"""
import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime

from models.audit import (ACTOR_TYPES, MAIN_CHAIN, OUTCOMES, AppendContended, AuditLog,
                          HeadInvalid)
from services import paging
from services.audit import checkpoints
from services.audit.checkpoints import Anchor
from services.errors import AuditUnavailable

# Ids and counts only. A key outside this list is a programming error, never stored.
TARGET_KEYS = frozenset({"record_id", "bundle_id", "session_id", "consent_id", "hospital_id",
                         "staff_id", "device_id", "export_id", "request_id", "count"})
# Actions done with an activation code: their target names the code's issuer (hospital_id or
# staff_id), shown to the patient as `issued_by`.
CODE_USES = frozenset({"account.register"})
STAFF_NAME = "support staff"  # what a patient is told; the staff username never leaves the staff
MAX_PAGE = 100
_ACTION = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")
_PURPOSE = re.compile(r"[a-z][a-z_-]{0,39}")
_NATIONAL_ID = re.compile(r"[0-9]{12}")
POSITIONS = paging.Positions(time="at", tie="seq", tie_type=int)  # newest first, then seq
ACCESS_LOG_UNAVAILABLE = "The access log cannot be shown now. Try again later."
_log = logging.getLogger("phr.audit")


class Recorder:
    """Seals entries into one chain. `clock` returns the time of an entry (UTC); it is kept to
    the millisecond, as MongoDB keeps it, so the access log's cursor meets stored times.
    `anchor` (services/audit/checkpoints.py) says when a checkpoint is due and writes it; None
    makes none. `observe` is told "audit_unavailable" each time an append is refused."""

    def __init__(self, log: AuditLog, key: bytes, clock: Callable[[], datetime],
                 anchor: Anchor | None = None, observe: Callable[[str], None] | None = None):
        self.log, self.key, self.clock, self.anchor = log, key, clock, anchor
        self.observe = observe or (lambda event: None)

    def undone(self, entry: dict) -> None:
        """Say on the trail that what `entry` (recorded ahead of its effect, as every effect
        is) announced did not happen: the write it preceded lost a race (a parallel decision,
        withdrawal or registration won). Raises as record."""
        self.record(**entry, outcome="failed")

    def record(self, action: str, *, actor: dict, patient_id: str | None = None,
               purpose: str | None = None, consent_id: str | None = None,
               target: dict | None = None, outcome: str = "ok") -> dict:
        """Append one entry; returns it as stored. Raises ValueError for an entry the trail
        must not hold (a caller's bug), AuditUnavailable when the chain cannot take it: the
        caller then does not go on with what it was recording."""
        return self.record_many([{"action": action, "actor": actor, "patient_id": patient_id,
                                  "purpose": purpose, "consent_id": consent_id,
                                  "target": target, "outcome": outcome}])[0]

    def record_many(self, entries: Iterable[dict]) -> list[dict]:
        """Append several entries at once, in order, with one time and a fixed number of
        database round trips; returns them as stored. Each entry is a dict of record's keyword
        arguments plus "action". Every entry is checked before any is written: ValueError
        names the first at fault, and then none is written. AuditUnavailable as record."""
        bodies = [_checked_entry(n, entry) for n, entry in enumerate(entries)]
        at = _to_millis(self.clock())
        schedule = self.anchor.schedule if self.anchor else None
        try:
            appended = self.log.append_batch([{**body, "at": at} for body in bodies], self.key,
                                             schedule, at)
        except AppendContended:
            self.observe("audit_unavailable")
            raise AuditUnavailable() from None
        except HeadInvalid as invalid:
            _log.error("audit entries refused: %s (run flask verify-audit)", invalid)
            self.observe("audit_unavailable")
            raise AuditUnavailable() from None
        if appended.checkpoint is not None:
            self.anchor.write(appended.checkpoint)
        return appended.entries


_ENTRY_FIELDS = frozenset({"action", "actor", "patient_id", "purpose", "consent_id", "target",
                           "outcome"})


def _checked_entry(number: int, entry: dict) -> dict:
    """entry_body of one entry of record_many. Raises ValueError naming its position."""
    if not isinstance(entry, dict) or not {"action", "actor"} <= set(entry) <= _ENTRY_FIELDS:
        raise ValueError(f"entry {number} must hold action and actor, and only "
                         f"{sorted(_ENTRY_FIELDS)}")
    fields = {"patient_id": None, "purpose": None, "consent_id": None, "target": None,
              "outcome": "ok", **entry}
    try:
        return entry_body(fields.pop("action"), **fields)
    except ValueError as error:
        raise ValueError(f"entry {number}: {error}") from None


def _to_millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def entry_body(action: str, *, actor: dict, patient_id: str | None, purpose: str | None,
               consent_id: str | None, target: dict | None, outcome: str) -> dict:
    """The entry's fields, checked. Raises ValueError naming the first field at fault."""
    if not isinstance(action, str) or not _ACTION.fullmatch(action):
        raise ValueError("action must be a dotted lower-case name such as records.read")
    if not isinstance(actor, dict) or set(actor) != {"type", "id"} \
            or actor["type"] not in ACTOR_TYPES:
        raise ValueError(f"actor must be {{'type': one of {ACTOR_TYPES}, 'id': an id}}")
    _check_id("actor.id", actor["id"])
    for name, value in (("patient_id", patient_id), ("consent_id", consent_id)):
        if value is not None:
            _check_id(name, value)
    if purpose is not None and (not isinstance(purpose, str) or not _PURPOSE.fullmatch(purpose)):
        raise ValueError("purpose must be one lower-case word such as treatment")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    return {"action": action, "actor": dict(actor), "patient_id": patient_id,
            "purpose": purpose, "consent_id": consent_id, "target": _checked_target(target),
            "outcome": outcome}


def _checked_target(target: dict | None) -> dict:
    target = target or {}
    unknown = set(target) - TARGET_KEYS
    if unknown:
        raise ValueError(f"target keys {sorted(unknown)} are not audit fields; use "
                         f"{sorted(TARGET_KEYS)}")
    for key, value in target.items():
        if key == "count":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError("target.count must be a whole number")
        else:
            _check_id(f"target.{key}", value)
    return dict(target)


def _check_id(name: str, value) -> None:
    """An id is short printable text that is not a 12-digit national ID."""
    if not isinstance(value, str) or not 0 < len(value) <= 128 or not value.isprintable() \
            or _NATIONAL_ID.fullmatch(value):
        raise ValueError(f"{name} must be an opaque id")


# The access log: what a patient sees of the entries about them.

def access_page(log: AuditLog, hospital_names: Callable[[list], dict], patient_id: str, *,
                limit: int, key: bytes, before: str | None = None) -> dict:
    """One page of the entries about `patient_id`, newest first: {items, next_cursor}.
    Raises InvalidInput for a cursor this API did not hand out; AuditUnavailable when the
    chain's head is missing or its seal does not hold: what the chain holds cannot be told
    then, and an empty page would read as "nobody looked"."""
    try:
        entries, next_cursor = paging.page(
            lambda after, n: log.about_patient(patient_id, n, after, key=key), POSITIONS,
            before, limit, MAX_PAGE)
    except HeadInvalid as invalid:
        _log.error("access log refused: %s (run flask verify-audit)", invalid)
        raise AuditUnavailable(ACCESS_LOG_UNAVAILABLE) from None
    who = [e["actor"] for e in entries] + [i for i in map(_issuer, entries) if i]
    names = hospital_names(sorted({w["id"] for w in who if w["type"] == "hospital"}))
    return {"items": [_item(e, names) for e in entries], "next_cursor": next_cursor}


def _item(entry: dict, hospital_names: dict) -> dict:
    return {"at": entry["at"], "actor": _who(entry["actor"], hospital_names),
            "action": entry["action"], "purpose": entry.get("purpose"),
            "consent_id": entry.get("consent_id"),
            "record_id": (entry.get("target") or {}).get("record_id"),
            "issued_by": _who(issuer, hospital_names) if (issuer := _issuer(entry)) else None,
            "outcome": entry.get("outcome", "ok")}


def _issuer(entry: dict) -> dict | None:
    """Who issued the activation code an entry of CODE_USES was done with."""
    if entry["action"] not in CODE_USES:
        return None
    target = entry.get("target") or {}
    if target.get("hospital_id"):
        return {"type": "hospital", "id": target["hospital_id"]}
    return {"type": "staff", "id": target["staff_id"]} if target.get("staff_id") else None


def _who(actor: dict, hospital_names: dict) -> dict:
    kind, actor_id = actor["type"], actor["id"]
    if kind == "hospital":
        return {"type": kind, "id": actor_id, "name": hospital_names.get(actor_id)}
    if kind == "staff":
        return {"type": kind, "id": actor_id, "name": STAFF_NAME}
    if kind == "patient":
        return {"type": kind, "id": actor_id, "name": None}
    return {"type": kind, "id": None, "name": None}


# The app-facing functions: the chain, key, clock and anchor come from the app.

def main_recorder(ctx) -> Recorder:
    """The recorder on the main chain of `ctx`'s database (ctx.audit is this, built once)."""
    return Recorder(ctx.repos.audit_log, ctx.setting("AUDIT_CHAIN_KEY").encode("utf-8"),
                    ctx.clock, checkpoints.anchor_of(ctx, MAIN_CHAIN), ctx.observe)


def chain_key(ctx) -> bytes:
    return ctx.setting("AUDIT_CHAIN_KEY").encode("utf-8")


def access_log(ctx, patient_id: str, *, limit: int, before: str | None = None) -> dict:
    """The patient's own access log page (see access_page)."""
    return access_page(ctx.repos.audit_log, ctx.repos.hospitals.names, patient_id, limit=limit,
                       key=chain_key(ctx), before=before)
