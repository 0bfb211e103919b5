"""/v1/staff/requests: support staff answer the data-subject requests within their deadlines."""
from api.extensions import ctx
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.requests import (RequestOutcomeIn, RequestReasonIn, StaffRequestOut,
                                  StaffRequestPageOut, StaffRequestQuery)
from services.operations.admin import SUPPORT
from services.rights import queue
from services.signin.tokens import STAFF

blp = Blueprint("staff_requests", __name__, url_prefix="/v1/staff/requests",
                description="The data-subject request queue (support staff)")


@blp.get("")
@require(STAFF, role=SUPPORT)
@blp.arguments(StaffRequestQuery, location="query")
@blp.response(200, StaffRequestPageOut)
def request_queue(query):
    """Every request, closed ones too unless `status` says, earliest due day first."""
    return queue.queue(ctx(), **query)


@blp.post("/<request_id>/acknowledge")
@require(STAFF, role=SUPPORT)
@blp.response(200, StaffRequestOut)
def acknowledge_request(request_id):
    """Acknowledge a received request (409 once it is past that)."""
    return queue.acknowledge(ctx(), request_id, claims()["sub"])


@blp.post("/<request_id>/extend")
@require(STAFF, role=SUPPORT)
@blp.arguments(RequestReasonIn)
@blp.response(200, StaffRequestOut)
def extend_request(body, request_id):
    """Extend the completion day once, with the reason the patient reads (409 the second time)."""
    return queue.extend(ctx(), request_id, claims()["sub"], body["reason"])


@blp.post("/<request_id>/complete")
@require(STAFF, role=SUPPORT)
@blp.arguments(RequestOutcomeIn)
@blp.response(200, StaffRequestOut)
def complete_request(body, request_id):
    """Complete an open request with its outcome (a correction is the hospital's to answer)."""
    return queue.complete(ctx(), request_id, claims()["sub"], body["outcome"])


@blp.post("/<request_id>/refuse")
@require(STAFF, role=SUPPORT)
@blp.arguments(RequestReasonIn)
@blp.response(200, StaffRequestOut)
def refuse_request(body, request_id):
    """Refuse an open request with the reason the patient reads."""
    return queue.refuse(ctx(), request_id, claims()["sub"], body["reason"])
