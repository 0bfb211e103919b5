"""/v1/staff: support staff tools. Account state only, never clinical content."""
from flask import current_app

from api.extensions import limiter
from api.guard import claims, require, token_subject
from api.json_body import Blueprint
from models.schemas.activation import (ActivationCodeIn, ActivationCodeOut, StaffPatientOut,
                                       StaffPatientSearchIn)
from services import registration, staff_tools
from services.tokens import STAFF

blp = Blueprint("staff", __name__, url_prefix="/v1/staff", description="Support staff")


def staff_search_rate_limit() -> str:
    return current_app.config["STAFF_SEARCH_RATE_LIMIT"]


@blp.post("/patients/search")
@require(STAFF)
# Below @require on purpose: flask-limiter checks a decorated limit when its wrapper is called,
# so the token is verified by then and each staff account gets its own budget (support staff
# share an office address, and a per-address limit would not slow one account's enumeration).
@limiter.limit(staff_search_rate_limit, key_func=token_subject)
@blp.arguments(StaffPatientSearchIn)
@blp.response(200, StaffPatientOut(many=True))
def search_patients(body):
    """Exact national ID match only: account state, no clinical data. A POST, so the ID stays
    out of URLs (and so out of proxy and access logs)."""
    return staff_tools.find_patient(body["national_id"])


@blp.post("/activation-codes")
@require(STAFF)
@blp.arguments(ActivationCodeIn)
@blp.response(201, ActivationCodeOut)
def issue_activation_code(body):
    """Issue a single-use activation code (for example after identity checks by phone)."""
    issuer = {"type": "staff", "id": claims()["sub"]}
    return registration.issue_activation_code(body["national_id"], issuer, body.get("name"),
                                              body.get("birth_date"))
