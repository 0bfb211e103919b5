"""Extension objects, created once and bound to each app by the factory."""
import re
from collections import Counter

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

    def name_operations(self, app) -> None:
        """Give every documented operation an operationId a code generator turns into a good
        method name: the view function's name in camelCase (listRecords, grantConsent), with
        its blueprint's name in front where two blueprints use one name (meExport,
        hospitalExport). Called once every blueprint is registered."""
        views = {}  # (OpenAPI path, method) -> (blueprint, function name)
        for rule in app.url_map.iter_rules():
            blueprint, _, function = rule.endpoint.rpartition(".")
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                views[(path, method.lower())] = (blueprint, function)
        taken = Counter(function for _, function in views.values())
        for path, operations in self.spec._paths.items():  # apispec keeps them here
            for method, operation in operations.items():
                if (path, method) not in views:
                    continue
                blueprint, function = views[(path, method)]
                name = function if taken[function] == 1 else f"{blueprint}_{function}"
                operation["operationId"] = _camel(name)

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


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def install_context(app, jwt=None) -> Context:
    """Build the app's services context (the composition root calls this once; a key rotation
    test again after changing the keys, keeping the token codec)."""
    built = Context(app.extensions["mongo_db"], app.config,
                    jwt=jwt or getattr(app.extensions.get("ctx"), "jwt", None),
                    observe=app.extensions.get("observe"))
    app.extensions["ctx"] = built
    return built


def ctx() -> Context:
    """The services' context of the app serving this request (built by the factory)."""
    return current_app.extensions["ctx"]
