"""How a request body is read: JSON only, parsed once, and a body that cannot be parsed (even
one nested thousands deep) is a 400, never a 500."""
import marshmallow as ma
from flask import Request, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import RAISE
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from services.errors import redact

_BODY_METHODS = ("POST", "PUT", "PATCH")


class JSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        """Raises ValueError for any body the parser cannot take, so Flask answers 400."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # A few KB of "[" exhaust the C parser's recursion budget. It is the client's input
            # that is at fault, and ValueError is what Flask turns into 400 Bad Request.
            raise ValueError("it is nested too deeply") from None


class JSONRequest(Request):
    def on_json_loading_failed(self, e):
        """Raises BadRequest saying why (Flask's own says nothing outside debug mode). The
        parser's message names a position in the body, never anything of the server's."""
        if e is None:
            return super().on_json_loading_failed(e)  # not a JSON media type: 415
        raise BadRequest(f"The body could not be read as JSON: {e}.")


def large_body(view):
    """Mark a view that takes bodies up to BUNDLE_MAX_BYTES (FHIR bundles with attachments);
    every other view keeps MAX_BODY_BYTES. The wrappers around a view copy the mark."""
    view.large_body = True
    return view


def _apply_body_limit() -> None:
    """before_request: the body limit of the routed view, checked from Content-Length before
    the body is read (413)."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "large_body", False):
        request.max_content_length = current_app.config["BUNDLE_MAX_BYTES"]


def read_json_body() -> None:
    """before_request: a body on POST/PUT/PATCH must be JSON (application/json or */*+json) and
    parse. Raises UnsupportedMediaType (415) or BadRequest (400). Parsing here, once and through
    JSONProvider, also means no later reader meets a body that makes a parser recurse too deep."""
    if request.routing_exception is not None or request.method not in _BODY_METHODS:
        return  # unrouted: the 404/405 is the answer, whatever the body
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()
    if not has_body:
        return
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    request.get_json()  # cached on the request for Parser below


class Parser(FlaskParser):
    """webargs reads JSON with the stdlib parser on its own; this one takes Flask's cached parse,
    so a body is parsed once and only by JSONProvider. Unknown query parameters are refused like
    unknown body fields (webargs drops them by default): a misspelt filter (`categroy=lab`) must
    not quietly answer everything."""
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": RAISE, "querystring": RAISE}

    def load_querystring(self, req, schema):
        """A parameter given twice (`?limit=5&limit=500`) is refused, not read as its first value,
        unless its field takes a list."""
        lists = {field.data_key or name for name, field in schema.fields.items()
                 if isinstance(field, (ma.fields.List, ma.fields.Tuple))}
        repeated = sorted(key for key in req.args
                          if len(req.args.getlist(key)) > 1 and key not in lists)
        if repeated:
            raise ma.ValidationError({redact(key): ["Give this parameter once."]
                                      for key in repeated})
        return super().load_querystring(req, schema)

    def _raw_load_json(self, req):
        if not core.is_json(req.mimetype) or not req.get_data(cache=True):
            return core.missing
        return req.get_json()


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint reading JSON bodies through Parser."""
    ARGUMENTS_PARSER = Parser()


def register(app) -> None:
    """Call after the rate limiter is set up, so a flood of bodies is limited before parsing."""
    app.json = JSONProvider(app)
    app.request_class = JSONRequest
    app.before_request(_apply_body_limit)
    app.before_request(read_json_body)
