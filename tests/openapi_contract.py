"""Every response a test receives is checked against the OpenAPI document the app serves at
/v1/openapi.json: status documented for the operation (or its `default`), media type, body
schema (required fields, nullables, formats, enums). A mismatch fails the test that made the
request, saying what and where."""
import json

from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.exceptions import HTTPException

from api.errors import PROBLEM_JSON

SPEC_PATH = "/v1/openapi.json"
# Served by the app but outside the API it documents.
UNDOCUMENTED = ("/healthz", "/readyz", "/metrics", SPEC_PATH, "/v1/docs")

# Building an OpenAPI validates the document itself (~100 ms); every test app serves the same
# document, so one validator per distinct document text.
_validators: dict[bytes, OpenAPI] = {}
# openapi-core reads only the media types it knows as JSON; errors are application/problem+json.
# problem+json and fhir+json are JSON; NDJSON (the hospital exports) is checked as the text it is documented as.
_AS_TEXT = lambda body: body.decode() if isinstance(body, bytes) else body  # noqa: E731
_CONFIG = Config(extra_media_type_deserializers={
    PROBLEM_JSON: json.loads, "application/fhir+json": json.loads,
    "application/x-ndjson": _AS_TEXT,
    "application/fhir+ndjson": _AS_TEXT})


class _SentRequest(WerkzeugOpenAPIRequest):
    """The request only locates the operation; its body stream was already read by the app."""

    @property
    def body(self):
        return None


class ContractViolation(AssertionError):
    """The app answered something its own OpenAPI document does not allow."""


class ContractClient(FlaskClient):
    """The test client of every test app: each response is checked before the test sees it."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check_response(self.application, response)
        return response


def check_response(app, response) -> None:
    """Raises ContractViolation when `response` breaks the app's OpenAPI document."""
    request = response.request
    path = request.path
    if path in UNDOCUMENTED or path.startswith("/v1/docs/") or request.method == "OPTIONS":
        return
    if not _routed(app, request) and response.status_code in (404, 405):
        return  # the app never reached a view: nothing of the document applies
    errors = list(_validator(app).iter_response_errors(_SentRequest(request),
                                                       WerkzeugOpenAPIResponse(response)))
    if errors:
        raise ContractViolation(_describe(request, response, errors))


def _routed(app, request) -> bool:
    try:
        app.url_map.bind_to_environ(request.environ).match()
    except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
        return False
    return True


def _validator(app) -> OpenAPI:
    if "contract_validator" not in app.extensions:
        document = FlaskClient(app).get(SPEC_PATH).get_data()  # a plain client: not checked
        if document not in _validators:
            _validators[document] = OpenAPI.from_dict(json.loads(document), config=_CONFIG)
        app.extensions["contract_validator"] = _validators[document]
    return app.extensions["contract_validator"]


def _describe(request, response, errors) -> str:
    lines = [f"{request.method} {request.path} answered {response.status_code} "
             f"{response.mimetype} that {SPEC_PATH} does not allow:"]
    for error in errors:
        lines.extend("  " + line for line in _explain(error))
    lines.append(f"  body: {response.get_data(as_text=True)[:500]}")
    return "\n".join(lines)


def _explain(error) -> list[str]:
    """The JSON Schema messages with their locations, or else the chain of causes."""
    chain, cause = [], error
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            return ["the body does not match the documented schema:"] + [
                f"  at {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
                for e in schema_errors]
        chain.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return [chain[0]] + ["  because " + line for line in chain[1:]]
