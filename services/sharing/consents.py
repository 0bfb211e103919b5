"""Consents: patients grant and revoke in the app, support staff record and revoke them from a
signed paper form. The pure engine in consent/ validates them and decides; this module loads
and stores them, signs receipts and keeps the audit trail.

Consents are never deleted: revoking records who, when and the evidence, and the history stays
listed. Each grant and revocation returns a receipt signed with the server's Ed25519 key
(CONSENT_RECEIPT_KEY), which anyone can check with the public key.
"""
import base64
import hmac
import logging
from dataclasses import replace

import consent as engine
from models import accounts
from security.codes import opaque_id
from services import patients, sealing
from services.operations import notify
from services.operations import hospitals as hospital_clients
from services.sharing import evidence as scans
from services.errors import Conflict, Forbidden, InvalidInput, NotFound

log = logging.getLogger(__name__)


def grant(ctx, patient_id: str, body: dict, *, actor: dict, evidence: str | None = None,
          evidence_scan: dict | None = None) -> dict:
    """Record a consent: from the app, in force at once; by staff, with the signed form's
    reference (and optionally its scan), pending until a second staff account approves it
    (services.sharing.approvals). Raises NotFound for an unknown patient, InvalidInput for a consent
    the engine refuses or a scan that is not one, AuditUnavailable (nothing stored)."""
    patient = _patient(ctx, patient_id)
    grantee, shown = _grantee(ctx, body["grantee"])
    try:
        granted = engine.new_consent(
            id=opaque_id("cns"), patient_id=patient_id, patient_key=patient["national_id_hash"],
            grantee=grantee, categories=body["categories"], purpose=body["purpose"],
            expires_at=body.get("expires_at"),
            source="staff" if actor["type"] == "staff" else "app",
            recorded_by=_ref(actor), at=ctx.now(), evidence=evidence,
            sensitive=body.get("sensitive", ()))
    except engine.ConsentInvalid as refused:
        raise InvalidInput("The consent was refused.", errors=refused.errors) from None
    scan = scans.check(ctx, evidence_scan) if evidence_scan else None
    doc = {**to_doc(granted), "receipt": _receipt(ctx, granted)}
    if shown:
        doc["grantee_national_id"] = ctx.cipher.encrypt(shown, sealing.consent_grantee(granted.id))
    # On the trail before it exists: a grant whose entry cannot be written never takes effect.
    ctx.audit.record("consent.propose" if granted.source == engine.STAFF else "consent.grant",
                     actor=actor, patient_id=patient_id, consent_id=granted.id,
                     purpose=granted.purpose)
    if scan:
        doc["evidence_scan_id"] = scans.store(ctx, scan, patient_id, granted.id, actor)
    ctx.repos.consents.insert(doc)
    _tell_patient(ctx, actor, patient_id, "consent_recorded_by_staff", granted.id)
    return staff_views(ctx, [doc])[0] if actor["type"] == "staff" else view(ctx, doc)


def decide(ctx, consent_id: str, staff_id: str, approved: bool) -> dict:
    """A second staff account approves or rejects a consent staff recorded; the patient is
    told either way. Raises NotFound, Forbidden for the account that recorded it (four eyes),
    Conflict when it awaits no decision any more, AuditUnavailable (nothing changed)."""
    doc = ctx.repos.consents.get_by_id(consent_id)
    if doc is None:
        raise NotFound("No such item awaits approval.")
    by, actor = f"staff:{staff_id}", {"type": "staff", "id": staff_id}
    decided = judged(from_doc(doc), by, approved, ctx.now())
    fields = {k: v for k, v in to_doc(decided).items() if k in _DECISION_FIELDS}
    fields["receipt"] = _receipt(ctx, decided)
    entry = {"action": "consent.approve" if approved else "consent.reject", "actor": actor,
             "patient_id": doc["patient_id"], "consent_id": consent_id,
             "purpose": decided.purpose}
    ctx.audit.record(**entry)
    if not ctx.repos.consents.decide(consent_id, by, fields):
        ctx.audit.undone(entry)
        raise Conflict("This consent awaits no decision.")
    _tell_patient(ctx, actor, doc["patient_id"],
                  "consent_approved_by_staff" if approved else "consent_rejected_by_staff",
                  consent_id)
    return staff_views(ctx, [{**doc, **fields}])[0]


def revoke(ctx, patient_id: str, consent_id: str, *, actor: dict,
           evidence: str | None = None) -> dict:
    """Withdraw a consent; it stops permitting at once. Raises NotFound (also for another
    patient's consent) or Conflict when it was withdrawn already."""
    doc = ctx.repos.consents.get(patient_id, consent_id)
    if doc is None:
        raise NotFound("No such consent.")
    try:
        revoked = engine.revoke(from_doc(doc), _ref(actor), ctx.now(), evidence=evidence)
    except engine.ConsentError:
        raise Conflict("This consent was withdrawn already.") from None
    fields = {k: v for k, v in to_doc(revoked).items()
              if k in ("status", "revoked_at", "revoked_by", "revocation_evidence")}
    fields["revocation_receipt"] = _receipt(ctx, revoked)
    # Recorded first, as a grant is: the withdrawal is on the trail before it takes effect.
    entry = {"action": "consent.revoke", "actor": actor, "patient_id": patient_id,
             "consent_id": consent_id, "purpose": revoked.purpose}
    ctx.audit.record(**entry)
    if not ctx.repos.consents.mark_revoked(patient_id, consent_id, fields):
        ctx.audit.undone(entry)
        raise Conflict("This consent was withdrawn already.")
    _tell_patient(ctx, actor, patient_id, "consent_revoked_by_staff", consent_id)
    revoked_doc = {**doc, **fields}
    return (staff_views(ctx, [revoked_doc])[0] if actor["type"] == "staff"
            else view(ctx, revoked_doc))


def list_for(ctx, patient_id: str, *, actor: dict) -> list[dict]:
    """Every consent of the patient, newest first, withdrawn ones included. Raises NotFound.
    Staff reading them is on the patient's access log."""
    _patient(ctx, patient_id)
    if actor["type"] != "patient":
        ctx.audit.record("consents.list", actor=actor, patient_id=patient_id)
    docs = ctx.repos.consents.of_patient(patient_id)
    return staff_views(ctx, docs) if actor["type"] == "staff" else [view(ctx, doc) for doc in docs]


def consents_between(ctx, patient_id: str, grantee: engine.Grantee) -> list[engine.Consent]:
    """The patient's consents to the grantee that the engine may judge (see as_signed)."""
    return as_signed(ctx, ctx.repos.consents.between(patient_id, grantee.kind, grantee.key))


def as_signed(ctx, docs) -> list[engine.Consent]:
    """The consents whose stored terms and state are the ones their receipt signs. A receipt
    is signed with the server's key, which the database does not hold: a consent widened, or
    made active without its second approval, by writing to the database no longer matches it
    and is left out (and logged). Ed25519 signatures are deterministic, so the receipt of the
    stored values, signed again, equals the stored receipt exactly when nothing was changed."""
    found = []
    for doc in docs:
        consent = from_doc(doc)
        receipt = doc.get("receipt") or {}
        if hmac.compare_digest(str(receipt.get("signature")), _receipt(ctx, consent)["signature"]):
            found.append(consent)
        else:
            log.error("consent %s does not match its signed receipt: left out", doc["_id"])
    return found


def public_key(ctx) -> str:
    """The receipts' Ed25519 public key, base64."""
    return base64.b64encode(engine.public_key_of(_signing_key(ctx))).decode()


def verify(ctx, payload_b64: str, signature: str) -> bool:
    """Whether a receipt (as handed out) was signed by this server."""
    try:
        payload = base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4))
    except ValueError:
        return False
    return engine.verify_receipt(payload, signature, engine.public_key_of(_signing_key(ctx)))


def judged(proposed: engine.Consent, by: str, approved: bool, at) -> engine.Consent:
    """The proposed consent (or representation link) approved or rejected by `by`. Raises
    Forbidden for the account that recorded it, Conflict when it awaits no decision."""
    try:
        return (engine.approve if approved else engine.reject)(proposed, by, at)
    except engine.SelfApproval:
        raise Forbidden("A second staff account must decide what this account recorded.") \
            from None
    except engine.NotPending:
        raise Conflict("This item awaits no decision.") from None


_DECISION_FIELDS = ("status", "period_start", "approved_by", "approved_at", "rejected_by",
                    "rejected_at")


def to_doc(c: engine.Consent) -> dict:
    return {"_id": c.id, "patient_id": c.patient_id,
            "grantee": {"kind": c.grantee.kind, "key": c.grantee.key},
            "categories": ["all"] if c.categories is engine.ALL else sorted(c.categories),
            "sensitive": sorted(c.sensitive), "purpose": c.purpose,
            "period_start": c.period_start, "period_end": c.period_end, "status": c.status,
            "source": c.source, "evidence": c.evidence, "recorded_by": c.recorded_by,
            "recorded_at": c.recorded_at, "revoked_at": c.revoked_at, "revoked_by": c.revoked_by,
            "revocation_evidence": c.revocation_evidence, "approved_by": c.approved_by,
            "approved_at": c.approved_at, "rejected_by": c.rejected_by,
            "rejected_at": c.rejected_at}


def from_doc(doc: dict) -> engine.Consent:
    return engine.Consent(
        id=doc["_id"], patient_id=doc["patient_id"],
        grantee=engine.Grantee(doc["grantee"]["kind"], doc["grantee"]["key"]),
        categories=doc["categories"], sensitive=frozenset(doc.get("sensitive", ())),
        purpose=doc["purpose"], period_start=doc["period_start"], period_end=doc["period_end"],
        status=doc["status"], source=doc["source"], evidence=doc.get("evidence"),
        recorded_by=doc["recorded_by"], recorded_at=doc["recorded_at"],
        revoked_at=doc.get("revoked_at"), revoked_by=doc.get("revoked_by"),
        revocation_evidence=doc.get("revocation_evidence"),
        approved_by=doc.get("approved_by"), approved_at=doc.get("approved_at"),
        rejected_by=doc.get("rejected_by"), rejected_at=doc.get("rejected_at"))


def staff_views(ctx, docs: list[dict]) -> list[dict]:
    """Consents as staff see them (see view), the sensitive specialties among the hospital
    grantees looked up in one query."""
    ids = sorted({d["grantee"]["key"] for d in docs if d["grantee"]["kind"] == "hospital"})
    hidden = set(hospital_clients.sensitive_labels(ctx, ids)) if ids else set()
    return [view(ctx, doc, for_staff=True, hidden_hospitals=hidden) for doc in docs]


def view(ctx, doc: dict, for_staff: bool = False, hidden_hospitals: set = frozenset()) -> dict:
    """What the patient sees of a consent. Staff see less: the sensitive kinds a consent names
    all but state a diagnosis (only that there are some, and not the receipts, which name them),
    a person's national ID is masked, and a hospital that is a sensitive specialty (an HIV
    clinic) is not named: the patient gave staff no sensitive access."""
    grantee = doc["grantee"]
    shown = ({"type": "hospital", "id": grantee["key"]} if grantee["kind"] == "hospital" else
             {"type": "person", "national_id": ctx.cipher.decrypt(
                 doc["grantee_national_id"], sealing.consent_grantee(doc["_id"]))})
    sensitive = doc.get("sensitive", [])
    if for_staff:
        sensitive = ["named"] if sensitive else []
        if shown["type"] == "person":
            shown["national_id"] = "********" + shown["national_id"][-4:]
        elif shown["id"] in hidden_hospitals:
            shown = {"type": "hospital", "hidden": True}
    receipts = {} if for_staff else {"receipt": doc["receipt"],
                                     "revocation_receipt": doc.get("revocation_receipt")}
    return {"id": doc["_id"], "grantee": shown, "categories": doc["categories"],
            "sensitive": sensitive, "purpose": doc["purpose"],
            "starts_at": doc["period_start"], "expires_at": doc["period_end"],
            "status": STATUS_NAMES.get(doc["status"], doc["status"]), "source": doc["source"],
            "evidence": doc.get("evidence"), "evidence_scan": bool(doc.get("evidence_scan_id")),
            "recorded_by": doc["recorded_by"], "recorded_at": doc["recorded_at"],
            "approved_by": doc.get("approved_by"), "approved_at": doc.get("approved_at"),
            "rejected_by": doc.get("rejected_by"), "rejected_at": doc.get("rejected_at"),
            "revoked_at": doc.get("revoked_at"), "revoked_by": doc.get("revoked_by"), **receipts}


# How the API names a state where FHIR's consent-state code would puzzle a reader.
STATUS_NAMES = {engine.PROPOSED: "pending-approval"}


def _tell_patient(ctx, actor: dict, patient_id: str, staff_event: str, consent_id: str) -> None:
    """A consent recorded or withdrawn on the patient's behalf is a security event (it cannot
    be muted: the patient can revoke at once what they did not sign); their own change is an
    ordinary notification."""
    if actor["type"] == "staff":
        notify.security_event(ctx, accounts.PATIENT, patient_id, staff_event,
                              {"consent_id": consent_id, "staff_id": actor["id"]})
    else:
        notify.notify(ctx, patient_id, "consent_changed", {"consent_id": consent_id})


def _grantee(ctx, body: dict) -> tuple[engine.Grantee, str | None]:
    """The engine's grantee, and the national ID to show the patient (persons). Raises
    InvalidInput for an unknown hospital."""
    if body["type"] == "hospital":
        if not ctx.repos.hospitals.names([body["id"]]):
            raise InvalidInput("No such hospital.", errors={"grantee": ["No such hospital."]})
        return engine.Grantee.hospital(body["id"]), None
    return engine.Grantee.person(patients.national_id_hash(ctx, body["national_id"])), \
        body["national_id"]


def _receipt(ctx, c: engine.Consent) -> dict:
    """Signed terms. A person grantee is named by a value keyed with the consent's id: the
    blind index of the national ID would let anyone who grants to a national ID learn its
    index (and, with a copy of the database, whose records those are), and one value shared by
    two receipts would link them."""
    if c.grantee.kind == engine.PERSON:
        c = replace(c, grantee=engine.Grantee.person(
            ctx.peppered_hash("receipt-grantee", f"{c.id}\x00{c.grantee.key}")))
    payload = engine.receipt_payload(c)
    return {"payload": base64.urlsafe_b64encode(payload).decode().rstrip("="),
            "signature": engine.sign_receipt(payload, _signing_key(ctx))}


def _signing_key(ctx) -> bytes:
    return base64.b64decode(ctx.setting("CONSENT_RECEIPT_KEY"))


def _patient(ctx, patient_id: str) -> dict:
    patient = ctx.repos.patients.get(patient_id)
    if not patient:
        raise NotFound("No such patient.")
    return patient


def _ref(actor: dict) -> str:
    return f"{actor['type']}:{actor['id']}"
