"""/v1/staff: support staff tools. Account state only, never clinical content."""
from flask_smorest import Blueprint

from api.guard import claims, require
from models.schemas.activation import (ActivationCodeIn, ActivationCodeOut, StaffPatientOut,
                                       StaffPatientQuery)
from services import registration, staff_tools
from services.tokens import STAFF

blp = Blueprint("staff", __name__, url_prefix="/v1/staff", description="Support staff")


@blp.get("/patients")
@require(STAFF)
@blp.arguments(StaffPatientQuery, location="query")
@blp.response(200, StaffPatientOut(many=True))
def find_patient(query):
    """Exact national ID match only: account state, no clinical data."""
    return staff_tools.find_patient(query["national_id"])


@blp.post("/activation-codes")
@require(STAFF)
@blp.arguments(ActivationCodeIn)
@blp.response(201, ActivationCodeOut)
def issue_activation_code(body):
    """Issue a single-use activation code (for example after identity checks by phone)."""
    issuer = {"type": "staff", "id": claims()["sub"]}
    return registration.issue_activation_code(body["national_id"], issuer, body.get("name"),
                                              body.get("birth_date"))
