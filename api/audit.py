"""/v1/audit: what an outside witness of the audit trail reads (witness clients only)."""
from api.guard import require
from api.json_body import Blueprint
from models.audit import MAIN_CHAIN
from api.schemas.audit import CheckpointOut
from api.extensions import ctx
from services.audit import checkpoints
from services.operations.hospitals import WITNESS_SCOPE
from services.signin.tokens import WITNESS

blp = Blueprint("audit", __name__, url_prefix="/v1/audit",
                description="The audit trail's signed checkpoints, for outside witnesses")


@blp.get("/checkpoint")
@require(WITNESS, scope=WITNESS_SCOPE)
@blp.response(200, CheckpointOut)
@blp.alt_response(404, description="no checkpoint has been made yet")
def checkpoint():
    """The newest signed checkpoint of the audit chain, with the public key that verifies it.
    A witness polls it and keeps its own copies: `flask verify-audit --checkpoints` checks the
    chain against them."""
    return checkpoints.latest(ctx(), MAIN_CHAIN)
