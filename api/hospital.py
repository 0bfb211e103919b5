"""/v1/hospital: machine-to-machine endpoints for hospital systems."""
from api.guard import claims, require
from api.json_body import Blueprint
from models.schemas.activation import ActivationCodeIn, ActivationCodeOut
from services import registration
from services.tokens import HOSPITAL

blp = Blueprint("hospital", __name__, url_prefix="/v1/hospital",
                description="Hospital integrations (client-credentials tokens)")


@blp.post("/activation-codes")
@require(HOSPITAL, scope="activation-codes:write")
@blp.arguments(ActivationCodeIn)
@blp.response(201, ActivationCodeOut)
def issue_activation_code(body):
    """Issue a single-use activation code for a patient at the front desk."""
    issuer = {"type": "hospital", "id": claims()["sub"]}
    return registration.issue_activation_code(body["national_id"], issuer, body.get("name"),
                                              body.get("birth_date"))
