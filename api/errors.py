"""One error shape for every failure: RFC 9457 problem+json. Nothing internal reaches a client.

PROBLEM_TYPES is the whole `type` vocabulary; the OpenAPI document lists it (api/extensions.py).
Domain errors name what went wrong; DOMAIN_PROBLEMS and the header builders below are the only
place that turns them into HTTP.
"""
import json
import logging
import math
from dataclasses import dataclass

from flask import Response, request
from werkzeug.exceptions import HTTPException

from services.errors import (ActivationFailed, AuditUnavailable, Conflict, DomainError,
                             ExportFailed, Forbidden, FreshSignInRequired, IdempotencyKeyReused,
                             InvalidCredentials, InvalidInput, NotFound, ResetFailed,
                             TooManyAttempts, TooManyExports, TransactionRejected, Unauthorized,
                             UnsupportedRequest, redact)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:phr:problem:"
SERVER_ERROR_DETAIL = "The server could not complete the request."
_PASSED_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
_BEARER_CHALLENGE = 'Bearer realm="phr"'
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str
    meaning: str


PROBLEM_TYPES = {
    "bad-request": ProblemType(400, "Bad request", "The request could not be read (malformed or "
                               "too deeply nested JSON), or another client error without a more "
                               "specific type; `status` is the HTTP status."),
    "invalid-input": ProblemType(422, "Invalid input", "A field was refused, by the schema or by "
                                 "a rule such as the password policy; `errors` maps each field "
                                 "to its messages."),
    "invalid-credentials": ProblemType(401, "Sign-in failed", "A password, code, client secret "
                                       "or sign-in step token is wrong; never says which part, "
                                       "nor whether the account exists."),
    "unauthorized": ProblemType(401, "Unauthorized", "The bearer token is missing, malformed, "
                                "expired or revoked; sign in again."),
    "fresh-sign-in-required": ProblemType(401, "Fresh sign-in required", "The change needs a "
                                          "token from a sign-in of the last few minutes."),
    "forbidden": ProblemType(403, "Forbidden", "The token is valid but may not use this "
                             "resource (audience or scope)."),
    "not-found": ProblemType(404, "Not found", "No such resource, or not one this token may "
                             "see."),
    "method-not-allowed": ProblemType(405, "Method not allowed", "The path does not accept this "
                                      "method; the Allow header lists those it does."),
    "conflict": ProblemType(409, "Conflict", "The resource's current state does not allow "
                            "this request now."),
    "payload-too-large": ProblemType(413, "Payload too large", "The body exceeds the size "
                                     "limit."),
    "unsupported-media-type": ProblemType(415, "Unsupported media type", "Send the body as "
                                          "application/json."),
    "activation-failed": ProblemType(400, "Registration failed", "The national ID and "
                                     "activation code do not match a valid, unused code; never "
                                     "says which part was wrong."),
    "reset-failed": ProblemType(400, "Password reset failed", "The national ID, activation "
                                "code and second factor do not match; never says which part "
                                "was wrong."),
    "idempotency-key-reused": ProblemType(422, "Idempotency-Key reused", "The key was used "
                                          "before with a different body; nothing was stored."),
    "transaction-rejected": ProblemType(422, "Transaction rejected", "Some entries of a "
                                        "transaction bundle are not valid, so none was stored; "
                                        "errors names each entry, outcome is the FHIR "
                                        "OperationOutcome."),
    "locked": ProblemType(429, "Too many failed attempts", "This sign-in path (the identifier "
                          "without a trusted device token, one trusted device, one session, or "
                          "activation codes for a national ID) is locked for a while after "
                          "repeated failures; Retry-After says how many seconds."),
    "rate-limited": ProblemType(429, "Too many requests", "This client sent too many requests; "
                                "Retry-After says how many seconds to wait."),
    "server-error": ProblemType(500, "Internal server error", "The server failed; the request "
                                "may be retried later."),
    "unavailable": ProblemType(503, "Service unavailable", "A dependency (the database, or the "
                               "audit trail that must record the request) does not answer; "
                               "retry later."),
}

# Looked up along the error's MRO, so a subclass answers like its parent until it is listed.
DOMAIN_PROBLEMS = {
    DomainError: "bad-request",
    InvalidCredentials: "invalid-credentials",
    Unauthorized: "unauthorized",
    FreshSignInRequired: "fresh-sign-in-required",
    TooManyAttempts: "locked",
    ActivationFailed: "activation-failed",
    ResetFailed: "reset-failed",
    IdempotencyKeyReused: "idempotency-key-reused",
    TransactionRejected: "transaction-rejected",
    InvalidInput: "invalid-input",
    Forbidden: "forbidden",
    NotFound: "not-found",
    Conflict: "conflict",
    AuditUnavailable: "unavailable",
    UnsupportedRequest: "bad-request",
    TooManyExports: "rate-limited",
    ExportFailed: "server-error",
}

# The type of an HTTP error raised by werkzeug, webargs or flask-limiter, by status.
_STATUS_TYPES = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                 405: "method-not-allowed", 409: "conflict", 413: "payload-too-large",
                 415: "unsupported-media-type", 422: "invalid-input", 429: "rate-limited",
                 500: "server-error", 503: "unavailable"}


def type_uri(slug: str) -> str:
    return TYPE_PREFIX + slug


def slug_for_status(status: int) -> str:
    return _STATUS_TYPES.get(status, "server-error" if status >= 500 else "bad-request")


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            slug: str | None = None, errors: dict | None = None,
            headers: dict | None = None, outcome: dict | None = None) -> Response:
    """A problem+json response; `slug` defaults to the type of `status`, `title` to the type's."""
    slug = slug if slug in PROBLEM_TYPES else slug_for_status(status)
    kind = PROBLEM_TYPES[slug]
    body = {"type": type_uri(slug), "title": title or kind.title, "status": status,
            "detail": detail or kind.title}
    if errors:
        body["errors"] = errors
    if outcome:
        body["outcome"] = outcome
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
    # A field name is the client's own text: an unknown one may be a national ID typed as a key.
    return {redact(str(field)): _as_list(msgs) for field, msgs in messages.items()}


def _as_list(messages) -> list[str]:
    if isinstance(messages, dict):  # nested schema: keep the path readable
        return [redact(f"{k}: {m}") for k, v in messages.items() for m in _as_list(v)]
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
        return problem(status, SERVER_ERROR_DETAIL, headers=headers)
    detail = "The request did not pass validation." if errors else error.description
    if status == 429 and not errors:
        detail = "Too many requests. Try again later."
    return problem(status, detail, errors=errors, headers=headers)


def domain_problem(error: DomainError) -> Response:
    slug = _lookup(DOMAIN_PROBLEMS, error)
    return problem(PROBLEM_TYPES[slug].status, error.detail, slug=slug,
                   errors=getattr(error, "errors", None), headers=domain_headers(error),
                   outcome=getattr(error, "outcome", None))


def domain_headers(error: DomainError) -> dict:
    builder = _lookup(_HEADER_BUILDERS, error)
    return builder(error) if builder else {}


def _retry_after(error) -> dict:
    """Whole seconds, rounded up so a client never retries early, and never 0."""
    seconds = getattr(error, "retry_after_seconds", None)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) \
            or not math.isfinite(seconds):
        return {}  # no usable figure: still a 429, without a promise of when
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def _bearer_challenge(_error) -> dict:
    return {"WWW-Authenticate": _BEARER_CHALLENGE}


_HEADER_BUILDERS = {TooManyAttempts: _retry_after, TooManyExports: _retry_after,
                    Unauthorized: _bearer_challenge}


def _lookup(table: dict, error: Exception):
    for cls in type(error).__mro__:
        if cls in table:
            return table[cls]
    return None


def unexpected_problem(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, SERVER_ERROR_DETAIL)


def protective_headers(response: Response) -> Response:
    """after_request: tokens and health data must not be cached or sniffed into another type.
    Retry-After means "wait" (RFC 9110) and flask-limiter stamps it on every limited response,
    so it is kept only where waiting is the answer."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A 202 that says it is still at work (X-Progress: an asynchronous request's poll) means
    # wait too.
    waiting = response.status_code == 202 and "X-Progress" in response.headers
    if response.status_code not in (429, 503) and not waiting:
        response.headers.pop("Retry-After", None)
    if not request.path.startswith("/v1/docs/assets/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app) -> None:
    """Call before other extensions add after_request hooks: Flask runs them in reverse order,
    so protective_headers then sees the final response."""
    app.register_error_handler(DomainError, domain_problem)
    app.register_error_handler(Exception, unexpected_problem)
    app.after_request(protective_headers)
