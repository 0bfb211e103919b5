"""Legal representatives of children (Law 91/2025 Art 24: a child's data is handled by the
legal representative). Staff record a link from a signed form; it permits nothing until a
second staff account approves it (four eyes, as a consent staff record). In force, it lets the
representative read all the child's records, sensitive ones included, through the shared
paths, until the birthday at REPRESENTATION_ENDS_AT_AGE, judged at every read.

To the consent engine a link is a consent of the child to the representative (a person) for
caregiving, covering every category and every sensitive label, ending on that birthday: the
same decision, audit and first-read notice as any consent.
"""
import hmac
import logging
from datetime import date, datetime, timedelta, timezone

import consent as engine
from consent.vocabulary import SENSITIVE_LABELS
from models import accounts
from security.codes import opaque_id
from services import patients, sealing
from services.operations import notify
from services.sharing import evidence
from services.sharing.consents import STATUS_NAMES, judged
from security.audit_chain import canonical
from services.errors import Conflict, InvalidInput, NotFound

VIETNAM = timezone(timedelta(hours=7))  # no daylight saving since 1975
log = logging.getLogger(__name__)


def record(ctx, child_id: str, body: dict, *, actor: dict,
           evidence_scan: dict | None = None) -> dict:
    """Record a representative of the child from the signed form, pending approval; the child
    is told. Raises NotFound, InvalidInput (a birth date that makes an adult or lies ahead, the
    child named as their own representative, a bad scan), AuditUnavailable (nothing stored)."""
    child = ctx.repos.patients.get(child_id)
    if child is None:
        raise NotFound("No such patient.")
    born = body["child_birth_date"]
    _check_minor(ctx, born)
    on_record = patients.person(ctx, child)["birth_date"]
    if on_record and on_record != born.isoformat():
        # The approver sees what was typed; what the platform knows must agree with it.
        raise _invalid("child_birth_date", "This birth date differs from the one on record "
                                           "for this patient.")
    key = patients.national_id_hash(ctx, body["representative_national_id"])
    if key == child["national_id_hash"]:
        raise _invalid("representative_national_id", "A child cannot represent themself.")
    scan = evidence.check(ctx, evidence_scan) if evidence_scan else None
    link_id, now = opaque_id("rep"), ctx.now()
    doc = {"_id": link_id, "child_id": child_id, "representative_key": key,
           "representative_national_id": ctx.cipher.encrypt(
               body["representative_national_id"], sealing.representative(link_id, "national_id")),
           "child_birth_date": ctx.cipher.encrypt(
               born.isoformat(), sealing.representative(link_id, "child_birth_date")),
           "relationship": body["relationship"], "evidence": body["evidence"],
           "status": engine.PROPOSED, "recorded_by": f"staff:{actor['id']}", "recorded_at": now}
    doc["seal"] = _seal(ctx, doc)
    ctx.audit.record("representative.propose", actor=actor, patient_id=child_id,
                     consent_id=link_id)
    if scan:
        doc["evidence_scan_id"] = evidence.store(ctx, scan, child_id, link_id, actor)
    ctx.repos.representatives.insert(doc)
    notify.security_event(ctx, accounts.PATIENT, child_id, "representative_recorded_by_staff",
                          {"representative_id": link_id, "staff_id": actor["id"]})
    return view(ctx, doc)


def decide(ctx, link_id: str, staff_id: str, approved: bool) -> dict:
    """A second staff account approves or rejects a recorded link; the child is told. Raises
    NotFound, Forbidden for the account that recorded it, Conflict when it awaits no
    decision, AuditUnavailable (nothing changed)."""
    doc = ctx.repos.representatives.get_by_id(link_id)
    if doc is None:
        raise NotFound("No such item awaits approval.")
    by, actor = f"staff:{staff_id}", {"type": "staff", "id": staff_id}
    decided = judged(as_consent(ctx, doc), by, approved, ctx.now())
    fields = {"status": decided.status, "approved_by": decided.approved_by,
              "approved_at": decided.approved_at, "rejected_by": decided.rejected_by,
              "rejected_at": decided.rejected_at}
    fields["seal"] = _seal(ctx, {**doc, **fields})
    entry = {"action": "representative.approve" if approved else "representative.reject",
             "actor": actor, "patient_id": doc["child_id"], "consent_id": link_id}
    ctx.audit.record(**entry)
    if not ctx.repos.representatives.decide(link_id, by, fields):
        ctx.audit.undone(entry)
        raise Conflict("This link awaits no decision.")
    notify.security_event(ctx, accounts.PATIENT, doc["child_id"],
                          f"representative_{'approved' if approved else 'rejected'}_by_staff",
                          {"representative_id": link_id, "staff_id": staff_id})
    return view(ctx, {**doc, **fields})


def revoke(ctx, child_id: str, link_id: str, *, actor: dict, evidence: str) -> dict:
    """Withdraw a link (pending or in force) on a signed decision (a court order, the form
    withdrawing it); it stops permitting at once, and the child is told. Raises NotFound (also
    for another child's link), Conflict when it was withdrawn or refused already,
    AuditUnavailable (nothing changed)."""
    doc = ctx.repos.representatives.get_by_id(link_id)
    if doc is None or doc["child_id"] != child_id:
        raise NotFound("No such representative.")
    try:
        withdrawn = engine.revoke(as_consent(ctx, doc), f"staff:{actor['id']}", ctx.now(),
                                  evidence=evidence)
    except engine.ConsentError:
        raise Conflict("This link was withdrawn or refused already.") from None
    fields = {"status": withdrawn.status, "revoked_at": withdrawn.revoked_at,
              "revoked_by": withdrawn.revoked_by, "revocation_evidence": evidence}
    fields["seal"] = _seal(ctx, {**doc, **fields})
    entry = {"action": "representative.revoke", "actor": actor, "patient_id": child_id,
             "consent_id": link_id}
    ctx.audit.record(**entry)
    if not ctx.repos.representatives.mark_revoked(child_id, link_id, fields):
        ctx.audit.undone(entry)
        raise Conflict("This link was withdrawn or refused already.")
    notify.security_event(ctx, accounts.PATIENT, child_id, "representative_revoked_by_staff",
                          {"representative_id": link_id, "staff_id": actor["id"]})
    return view(ctx, {**doc, **fields})


def of_child(ctx, child_id: str) -> list[dict]:
    """Every link naming a representative of this patient, newest first: what the patient sees
    of who may act, or acted, for them."""
    return [view(ctx, doc) for doc in ctx.repos.representatives.of_child(child_id)]


def consents_between(ctx, child_id: str, representative_key: str) -> list[engine.Consent]:
    """The links naming this person as the child's representative, as consents."""
    return _as_sealed(ctx, ctx.repos.representatives.between(child_id, representative_key))


def consents_to(ctx, representative_key: str) -> list[engine.Consent]:
    """Approved links naming this person, as consents (the engine judges the end date)."""
    return _as_sealed(ctx, ctx.repos.representatives.of_representative(representative_key))


# What makes a link what it is: sealed with a server key (HASH_PEPPER), so a link approved, or
# pointed at another person or child, by writing to the database is left out.
_SEALED_STATE = ("child_id", "representative_key", "relationship",
                 "evidence", "status", "recorded_by", "recorded_at", "approved_by",
                 "approved_at", "rejected_by", "rejected_at", "revoked_at", "revoked_by")


def _seal(ctx, doc: dict) -> str:
    # The birth date in the clear: its sealed form changes with a key rotation.
    state = {"id": doc["_id"], "child_birth_date": _birth_date(ctx, doc).isoformat(),
             **{name: doc.get(name) for name in _SEALED_STATE}}
    return ctx.peppered_hash("representative-link", canonical(state).decode("utf-8"))


def _as_sealed(ctx, docs) -> list[engine.Consent]:
    found = []
    for doc in docs:
        if hmac.compare_digest(str(doc.get("seal")), _seal(ctx, doc)):
            found.append(as_consent(ctx, doc))
        else:
            log.error("representative link %s does not match its seal: left out", doc["_id"])
    return found


def as_consent(ctx, doc: dict) -> engine.Consent:
    return engine.Consent(
        id=doc["_id"], patient_id=doc["child_id"],
        grantee=engine.Grantee.person(doc["representative_key"]), categories=engine.ALL,
        sensitive=SENSITIVE_LABELS, purpose=engine.CAREGIVING,
        period_start=doc.get("approved_at") or doc["recorded_at"],
        period_end=_ends_at(ctx, _birth_date(ctx, doc)), status=doc["status"], source=engine.STAFF,
        evidence=doc["evidence"], recorded_by=doc["recorded_by"],
        recorded_at=doc["recorded_at"], approved_by=doc.get("approved_by"),
        approved_at=doc.get("approved_at"), rejected_by=doc.get("rejected_by"),
        rejected_at=doc.get("rejected_at"), revoked_at=doc.get("revoked_at"),
        revoked_by=doc.get("revoked_by"), revocation_evidence=doc.get("revocation_evidence"))


def view(ctx, doc: dict) -> dict:
    """What staff see of a link: the representative's national ID masked."""
    national_id = ctx.cipher.decrypt(doc["representative_national_id"],
                                     sealing.representative(doc["_id"], "national_id"))
    born = _birth_date(ctx, doc)
    return {"id": doc["_id"], "patient_id": doc["child_id"],
            "representative_national_id": "********" + national_id[-4:],
            "relationship": doc["relationship"], "child_birth_date": born,
            "ends_at": _ends_at(ctx, born), "evidence": doc["evidence"],
            "evidence_scan": bool(doc.get("evidence_scan_id")),
            "status": STATUS_NAMES.get(doc["status"], doc["status"]),
            "recorded_by": doc["recorded_by"], "recorded_at": doc["recorded_at"],
            "approved_by": doc.get("approved_by"), "approved_at": doc.get("approved_at"),
            "rejected_by": doc.get("rejected_by"), "rejected_at": doc.get("rejected_at"),
            "revoked_by": doc.get("revoked_by"), "revoked_at": doc.get("revoked_at")}


def _check_minor(ctx, born: date) -> None:
    today = ctx.now().astimezone(VIETNAM).date()
    if born > today:
        raise _invalid("child_birth_date", "The birth date lies ahead.")
    if _ends_at(ctx, born) <= ctx.now():
        raise _invalid("child_birth_date", "This birth date makes the person an adult: "
                                           "adults decide for themselves.")


def _ends_at(ctx, born: date) -> datetime:
    """Midnight in Vietnam on the birthday that ends representation (1 March for 29 Feb)."""
    years = born.year + ctx.setting("REPRESENTATION_ENDS_AT_AGE")
    try:
        birthday = born.replace(year=years)
    except ValueError:
        birthday = date(years, 3, 1)
    return datetime(birthday.year, birthday.month, birthday.day, tzinfo=VIETNAM) \
        .astimezone(timezone.utc)


def _birth_date(ctx, doc: dict) -> date:
    return date.fromisoformat(ctx.cipher.decrypt(
        doc["child_birth_date"], sealing.representative(doc["_id"], "child_birth_date")))


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors={field: [message]})
