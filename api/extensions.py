"""Extension objects, created once and bound to each app by the factory."""
from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api as SmorestApi

from api.errors import PROBLEM_JSON, PROBLEM_TYPES, http_exception_problem, type_uri
from api.schemas.common import ProblemSchema
from services.context import Context


class Api(SmorestApi):
    """flask-smorest with problem+json errors (its own shape differs and drops Allow on 405)."""
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return http_exception_problem(error)

    def _register_responses(self):
        self._register_problem_schema()
        # Document errors (each status and the `default` response) with the media type they
        # are served with.
        default_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = default_type

    def _register_problem_schema(self):
        """The problem `type` vocabulary belongs to api/errors.py, the shape to the schemas:
        register the shape, then list the vocabulary on it so clients (and the contract tests)
        see every type there is."""
        self.spec.components.schema("Problem", schema=ProblemSchema)
        prop = self.spec.components.schemas["Problem"]["properties"]["type"]
        prop["enum"] = [type_uri(slug) for slug in PROBLEM_TYPES]
        prop["description"] = prop.get("description", "") + "".join(
            f"\n- `{type_uri(slug)}` ({kind.status}, {kind.title}): {kind.meaning}"
            for slug, kind in PROBLEM_TYPES.items())


jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)


def install_context(app, jwt=None) -> Context:
    """Build the app's services context (the composition root calls this once; a key rotation
    test again after changing the keys, keeping the token codec)."""
    built = Context(app.extensions["mongo_db"], app.config,
                    jwt=jwt or getattr(app.extensions.get("ctx"), "jwt", None))
    app.extensions["ctx"] = built
    return built


def ctx() -> Context:
    """The services' context of the app serving this request (built by the factory)."""
    return current_app.extensions["ctx"]
