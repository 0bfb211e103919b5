"""Extension objects, created once and bound to each app by the factory."""
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api as SmorestApi

from api.errors import PROBLEM_JSON, http_exception_problem
from models.schemas.common import ProblemSchema


class Api(SmorestApi):
    """flask-smorest with problem+json errors (its own shape differs and drops Allow on 405)."""
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return http_exception_problem(error)

    def _register_responses(self):
        # Document errors with the media type they are served with.
        default_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = default_type


jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)
