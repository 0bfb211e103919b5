"""Extension objects, created once and bound to each app by the factory."""
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api as SmorestApi

from api.errors import http_exception_problem
from models.schemas.common import ProblemSchema


class Api(SmorestApi):
    """flask-smorest with problem+json errors (its own shape differs and drops Allow on 405)."""
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return http_exception_problem(error)


jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)
