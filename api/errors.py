"""One error shape for every failure: RFC 9457 problem+json. Nothing internal reaches a client."""
import json
import logging

from flask import Response, request
from werkzeug.exceptions import HTTPException, UnsupportedMediaType
from werkzeug.http import HTTP_STATUS_CODES

from services.errors import DomainError

PROBLEM_JSON = "application/problem+json"
_PASSED_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
log = logging.getLogger(__name__)


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            slug: str | None = None, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    body = {"type": f"urn:phr:problem:{slug}" if slug else "about:blank",
            "title": title or HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail or HTTP_STATUS_CODES.get(status, "Error")}
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body), status=status, headers=headers or {}, mimetype=PROBLEM_JSON)


def flatten_validation(messages) -> dict:
    """webargs nests messages by location ({"json": {...}}); clients want field -> [messages]."""
    if not isinstance(messages, dict):
        return {"_schema": _as_list(messages)}
    if set(messages) <= {"json", "query", "path", "headers", "form", "files"}:
        merged = {}
        for location_messages in messages.values():
            merged.update(flatten_validation(location_messages))
        return merged
    return {str(field): _as_list(msgs) for field, msgs in messages.items()}


def _as_list(messages) -> list[str]:
    if isinstance(messages, dict):  # nested schema: keep the path readable
        return [f"{k}: {m}" for k, v in messages.items() for m in _as_list(v)]
    if isinstance(messages, (list, tuple)):
        return [m if isinstance(m, str) else json.dumps(m) for m in messages]
    return [str(messages)]


def http_exception_problem(error: HTTPException) -> Response:
    """werkzeug/webargs/flask-limiter HTTP errors as problem+json, keeping Allow/Retry-After."""
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k in _PASSED_HEADERS}
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data or "errors" in data:
        errors = flatten_validation(data.get("errors") or data.get("messages"))
    headers.update(data.get("headers") or {})
    if status >= 500:
        # The traceback goes to the server log only (Flask logs it); the client gets nothing of it.
        return problem(500, "The server could not complete the request.", headers=headers)
    detail = "The request did not pass validation." if errors else error.description
    if status == 429 and not errors:
        detail = "Too many requests. Try again later."
    return problem(status, detail, errors=errors, headers=headers)


def domain_problem(error: DomainError) -> Response:
    return problem(error.status, error.detail, title=error.title, slug=error.slug,
                   errors=error.errors, headers=error.headers)


def unexpected_problem(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "The server could not complete the request.")


def require_json_body() -> None:
    """before_request: a body on POST/PUT/PATCH must be JSON (application/json or */*+json)."""
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()
    if request.method in ("POST", "PUT", "PATCH") and has_body and not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")


def protective_headers(response: Response) -> Response:
    """after_request: tokens and health data must not be cached or sniffed into another type.
    Retry-After means "wait" (RFC 9110) and flask-limiter stamps it on every limited response,
    so it is kept only where waiting is the answer."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    if not request.path.startswith("/v1/docs/assets/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app) -> None:
    """Call before other extensions add after_request hooks: Flask runs them in reverse order,
    so protective_headers then sees the final response."""
    app.register_error_handler(DomainError, domain_problem)
    app.register_error_handler(Exception, unexpected_problem)
    app.before_request(require_json_body)
    app.after_request(protective_headers)
