"""/v1/staff: support staff tools. Account state only, never clinical content."""
from flask import current_app

from api.extensions import limiter
from api.guard import claims, require, token_subject
from api.json_body import Blueprint
from models.schemas.activation import (ActivationCodeIn, ActivationCodeOut, StaffPatientOut,
                                       StaffPatientSearchIn)
from models.schemas.consents import ResetMfaIn, StaffConsentIn, StaffConsentOut, StaffRevokeIn
from services import consents, factors, registration, staff_tools
from services.admin import SUPPORT
from services.tokens import STAFF

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
    return staff_tools.find_patient(body["national_id"], claims()["sub"])


@blp.post("/activation-codes")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(ActivationCodeIn)
@blp.response(201, ActivationCodeOut)
def issue_activation_code(body):
    """Issue a single-use activation code (for example after identity checks by phone). Like
    recording a consent and resetting a factor, it gives access, so it needs a fresh sign-in."""
    issuer = {"type": "staff", "id": claims()["sub"]}
    return registration.issue_activation_code(body["national_id"], issuer, body.get("name"),
                                              body.get("birth_date"))


def _staff() -> dict:
    return {"type": "staff", "id": claims()["sub"]}


@blp.get("/patients/<patient_id>/consents")
@require(STAFF, role=SUPPORT)
@blp.response(200, StaffConsentOut(many=True))
def list_consents(patient_id):
    """The patient's consents, withdrawn ones too (no clinical content)."""
    return consents.list_for(patient_id, actor=_staff())


@blp.post("/patients/<patient_id>/consents")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(StaffConsentIn)
@blp.response(201, StaffConsentOut)
def record_consent(body, patient_id):
    """Record a consent the patient signed on paper (evidence: the form's reference)."""
    evidence = body.pop("evidence")
    return consents.grant(patient_id, body, actor=_staff(), evidence=evidence)


@blp.post("/patients/<patient_id>/consents/<consent_id>/revoke")
@require(STAFF, role=SUPPORT)
@blp.arguments(StaffRevokeIn)
@blp.response(200, StaffConsentOut)
def revoke_consent(body, patient_id, consent_id):
    """Withdraw a consent on the patient's behalf (evidence: the signed withdrawal)."""
    return consents.revoke(patient_id, consent_id, actor=_staff(), evidence=body["evidence"])


@blp.post("/patients/<patient_id>/reset-mfa")
@require(STAFF, fresh_for=(STAFF,), role=SUPPORT)
@blp.arguments(ResetMfaIn)
@blp.response(204)
def reset_mfa(body, patient_id):
    """Remove a lost second factor (identity checked in person); the patient is told."""
    factors.reset_by_staff(patient_id, claims()["sub"], body["reason"])
