"""/v1/staff: support staff tools. Account state only, never clinical content."""
from flask import Response, current_app

from api.extensions import limiter
from api.guard import claims, require, token_subject
from api.json_body import Blueprint
from api.schemas.activation import (ActivationCodeIn, ActivationCodeOut, StaffPatientOut,
                                    StaffPatientSearchIn)
from api.schemas.approvals import (ApprovalOut, ApprovalPageOut, ApprovalQuery, DecisionIn,
                                   RepresentativeIn, RepresentativeOut)
from api.schemas.consents import ResetMfaIn, StaffConsentIn, StaffConsentOut, StaffRevokeIn
from api.extensions import ctx
from services.operations import staff_tools
from services.sharing import approvals, consents, representatives
from services.signin import factors, registration
from services.operations.admin import SUPPORT
from services.signin.tokens import STAFF

blp = Blueprint("staff", __name__, url_prefix="/v1/staff", description="Support staff")


def staff_search_rate_limit() -> str:
    return current_app.config["STAFF_SEARCH_RATE_LIMIT"]


@blp.post("/patients/search")
@require(STAFF, role=SUPPORT)
# Below @require on purpose: flask-limiter checks a decorated limit when its wrapper is called,
# so the token is verified by then and each staff account gets its own budget (support staff
# share an office address, and a per-address limit would not slow one account's enumeration).
@limiter.limit(staff_search_rate_limit, key_func=token_subject)
@blp.arguments(StaffPatientSearchIn)
@blp.response(200, StaffPatientOut(many=True))
def search_patients(body):
    """Exact national ID match only: account state, no clinical data. A POST, so the ID stays
    out of URLs (and so out of proxy and access logs)."""
    return staff_tools.find_patient(ctx(), body["national_id"], claims()["sub"])


@blp.post("/activation-codes")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(ActivationCodeIn)
@blp.response(201, ActivationCodeOut)
def issue_activation_code(body):
    """Issue a single-use activation code (for example after identity checks by phone). Like
    recording a consent and resetting a factor, it gives access, so it needs a fresh sign-in."""
    issuer = {"type": "staff", "id": claims()["sub"]}
    return registration.issue_activation_code(ctx(), body["national_id"], issuer, body.get("name"),
                                              body.get("birth_date"))


def _staff() -> dict:
    return {"type": "staff", "id": claims()["sub"]}


@blp.get("/patients/<patient_id>/consents")
@require(STAFF, role=SUPPORT)
@blp.response(200, StaffConsentOut(many=True))
def list_consents(patient_id):
    """The patient's consents, withdrawn ones too (no clinical content)."""
    return consents.list_for(ctx(), patient_id, actor=_staff())


@blp.post("/patients/<patient_id>/consents")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(StaffConsentIn)
@blp.response(202, StaffConsentOut)
def record_consent(body, patient_id):
    """Record a consent the patient signed on paper (evidence: the form's reference, and
    optionally its scan). It answers `pending-approval` and permits nothing until a second
    staff account approves it; the patient is told at once."""
    evidence, scan = body.pop("evidence"), body.pop("evidence_scan", None)
    return consents.grant(ctx(), patient_id, body, actor=_staff(), evidence=evidence,
                          evidence_scan=scan)


@blp.post("/patients/<patient_id>/representatives")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(RepresentativeIn)
@blp.response(202, RepresentativeOut)
def record_representative(body, patient_id):
    """Record a child's legal representative from the signed form; `pending-approval` until a
    second staff account approves it, then the representative reads all the child's records
    until the child comes of age. The child is told."""
    scan = body.pop("evidence_scan", None)
    return representatives.record(ctx(), patient_id, body, actor=_staff(), evidence_scan=scan)


@blp.post("/patients/<patient_id>/representatives/<link_id>/revoke")
@require(STAFF, role=SUPPORT)
@blp.arguments(StaffRevokeIn)
@blp.response(200, RepresentativeOut)
def revoke_representative(body, patient_id, link_id):
    """Withdraw a legal representative on a signed decision (evidence); it stops permitting at
    once and the child is told. Taking access away needs no second account."""
    return representatives.revoke(ctx(), patient_id, link_id, actor=_staff(),
                                  evidence=body["evidence"])


@blp.get("/approvals")
@require(STAFF, role=SUPPORT)
@blp.arguments(ApprovalQuery, location="query")
@blp.response(200, ApprovalPageOut)
def approval_queue(query):
    """What staff recorded and a second staff account must approve, oldest first."""
    return approvals.queue(ctx(), claims()["sub"], **query)


@blp.post("/approvals/<item_id>/approve")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(DecisionIn, required=False)
@blp.response(200, ApprovalOut)
def approve(_body, item_id):
    """Approve a colleague's item; it takes effect now. The account that recorded it: 403."""
    return approvals.decide(ctx(), item_id, claims()["sub"], approved=True)


@blp.post("/approvals/<item_id>/reject")
@require(STAFF, role=SUPPORT)
@blp.arguments(DecisionIn, required=False)
@blp.response(200, ApprovalOut)
def reject(_body, item_id):
    """Reject a colleague's item; it never takes effect. The account that recorded it: 403."""
    return approvals.decide(ctx(), item_id, claims()["sub"], approved=False)


SCAN_DOC = {"responses": {"200": {
    "description": "the scan of the signed form, as uploaded",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/pdf", "image/jpeg", "image/png")}}}}


@blp.get("/approvals/<item_id>/evidence-scan")
@require(STAFF, role=SUPPORT)
@blp.doc(**SCAN_DOC)
def evidence_scan(item_id):
    """The scan of the signed form behind an item; the viewing is on the patient's log."""
    scan = approvals.scan(ctx(), item_id, claims()["sub"])
    return Response(scan["data"], mimetype=scan["content_type"], headers={
        "Content-Disposition": "attachment", "Cache-Control": "no-store"})


@blp.post("/patients/<patient_id>/consents/<consent_id>/revoke")
@require(STAFF, role=SUPPORT)
@blp.arguments(StaffRevokeIn)
@blp.response(200, StaffConsentOut)
def revoke_consent(body, patient_id, consent_id):
    """Withdraw a consent on the patient's behalf (evidence: the signed withdrawal)."""
    return consents.revoke(ctx(), patient_id, consent_id, actor=_staff(), evidence=body["evidence"])


@blp.post("/patients/<patient_id>/reset-mfa")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(ResetMfaIn)
@blp.response(204)
def reset_mfa(body, patient_id):
    """Remove a lost second factor (identity checked in person); the patient is told."""
    factors.reset_by_staff(ctx(), patient_id, claims()["sub"], body["reason"])
