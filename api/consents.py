"""/v1/me/consents and /v1/me/shared-with-me: the patient decides who sees what, and reads what
others shared with them; receipts are checked at /v1/consent-receipts/verify."""
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.approvals import RepresentativeOut
from api.schemas.consents import (ConsentIn, ConsentOut, ReceiptCheckIn, ReceiptCheckOut,
                                  RevokeIn, SharedPatientOut, SharedRecordsOut,
                                  SharedRecordsQuery)
from api.extensions import ctx
from services.sharing import consents, representatives, shared_access
from services.signin.tokens import PATIENT

blp = Blueprint("consents", __name__, url_prefix="/v1", description="Consents and sharing")


def _me() -> dict:
    return {"type": "patient", "id": claims()["sub"]}


@blp.get("/me/consents")
@require(PATIENT)
@blp.response(200, ConsentOut(many=True))
def list_consents():
    """Every consent, newest first, withdrawn ones too (the history)."""
    return consents.list_for(ctx(), claims()["sub"], actor=_me())


@blp.post("/me/consents")
@require(PATIENT, fresh_for=(PATIENT,))
@blp.arguments(ConsentIn)
@blp.response(201, ConsentOut)
def grant_consent(body):
    """Grant a hospital or a person access to some record categories for one purpose. Needs a
    fresh sign-in (FRESH_MINUTES), as a password change does: a token refreshed from a stolen
    refresh token must not hand the records to its thief for good. Revoking never does."""
    return consents.grant(ctx(), claims()["sub"], body, actor=_me())


@blp.post("/me/consents/<consent_id>/revoke")
@require(PATIENT)
@blp.arguments(RevokeIn, required=False)  # the app may send no body at all
@blp.response(200, ConsentOut)
def revoke_consent(_body, consent_id):
    """Withdraw a consent: it stops permitting on the very next request."""
    return consents.revoke(ctx(), claims()["sub"], consent_id, actor=_me())


@blp.get("/me/representatives")
@require(PATIENT)
@blp.response(200, RepresentativeOut(many=True))
def my_representatives():
    """Who may act, or acted, for me as my legal representative (recorded by staff under four
    eyes), newest first."""
    return representatives.of_child(ctx(), claims()["sub"])


@blp.get("/me/shared-with-me")
@require(PATIENT)
@blp.response(200, SharedPatientOut(many=True))
def shared_with_me():
    """Patients who granted me access (as a caregiver, a parent)."""
    return shared_access.shared_with_me(ctx(), claims()["sub"])


@blp.get("/me/shared-with-me/<patient_id>/records")
@require(PATIENT)
@blp.arguments(SharedRecordsQuery, location="query")
@blp.response(200, SharedRecordsOut)
def shared_records(query, patient_id):
    """Their records, limited to what the consent allows; 403 once it is withdrawn."""
    return shared_access.caregiver_records(ctx(), claims()["sub"], patient_id, **query)


@blp.post("/consent-receipts/verify")
@blp.arguments(ReceiptCheckIn)
@blp.response(200, ReceiptCheckOut)
def verify_receipt(body):
    """Was this receipt signed by this server? (Anyone can also check it with the public key.)"""
    return {"valid": consents.verify(ctx(), body["payload"], body["signature"]),
            "public_key": consents.public_key(ctx())}
