"""/v1/me/requests: the patient's data-subject requests (Law 91/2025)."""
from api.extensions import ctx
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.requests import (DataRequestIn, DataRequestOut, DataRequestPageOut,
                                  DataRequestQuery)
from services.rights import requests
from services.signin.tokens import PATIENT

blp = Blueprint("requests", __name__, url_prefix="/v1/me/requests",
                description="The patient's data-subject requests")


@blp.post("")
@require(PATIENT)
@blp.arguments(DataRequestIn)
@blp.response(201, DataRequestOut)
def file_request(body):
    """File a request: access, copy, correction, restriction, objection, deletion or
    withdrawal; the answer carries the days it must be acknowledged and completed by."""
    return requests.file(ctx(), claims()["sub"], body)


@blp.get("")
@require(PATIENT)
@blp.arguments(DataRequestQuery, location="query")
@blp.response(200, DataRequestPageOut)
def list_requests(query):
    """The patient's requests, newest first, each with its status and deadlines."""
    return requests.list_for(ctx(), claims()["sub"], **query)


@blp.get("/<request_id>")
@require(PATIENT)
@blp.response(200, DataRequestOut)
def get_request(request_id):
    """One request (404 for another patient's)."""
    return requests.get(ctx(), claims()["sub"], request_id)
