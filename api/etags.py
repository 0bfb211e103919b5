"""The API's one ETag path: a weak ETag over what a response's content depends on, and 304 Not
Modified when the client already holds it (If-None-Match). A view hands over its payload and
the basis; no service computes or parses tags."""
import hashlib
import json

from flask import Response, request


def conditional(payload: dict, basis) -> tuple | Response:
    """(payload, 200, ETag header), or an empty 304 with the same ETag when If-None-Match
    names it. `basis` is JSON-able and changes exactly when the content does."""
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:32]
    etag = f'W/"{digest}"'
    if request.if_none_match.contains_weak(digest):
        return Response(status=304, headers={"ETag": etag})
    return payload, 200, {"ETag": etag}
