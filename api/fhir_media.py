"""FHIR answers in the media type the client asks for: `application/fhir+json` when its Accept
header prefers it, `application/json` otherwise (the same body either way)."""
from functools import wraps

from flask import make_response, request

FHIR_JSON = "application/fhir+json"
JSON = "application/json"


def fhir_json(view):
    """Wrap a view whose 200 is a FHIR resource (below @blp.route, above @blp.response)."""
    @wraps(view)
    def answer(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.mimetype == JSON and prefers_fhir():
            response.mimetype = FHIR_JSON
        return response
    return answer


def prefers_fhir() -> bool:
    # Listed first, JSON wins a tie (*/*, or no Accept at all).
    return request.accept_mimetypes.best_match([JSON, FHIR_JSON]) == FHIR_JSON


def both_media(schema: str, description: str) -> dict:
    """The doc of a 200 served as either media type (for @blp.doc)."""
    ref = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
    return {"responses": {"200": {"description": description,
                                  "content": {JSON: ref, FHIR_JSON: ref}}}}
