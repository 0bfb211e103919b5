"""The application factory."""
import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import (audit, auth, bulk_export, cli, consents, errors, health, hospital, json_body,
                 jwt_setup, me, notifications, records, staff)
from api.config import load_config
from api.extensions import Api, install_context, limiter
from models import db
from services.operations import demo_seed

API_DOC = {
    "API_TITLE": "Personal Health Record API", "API_VERSION": "1", "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/v1", "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs", "OPENAPI_SWAGGER_UI_URL": health.DOCS_ASSETS_URL,
}


def create_app(overrides: dict | None = None, served_elsewhere: bool = True) -> Flask:
    """Build the app from the environment (plus `overrides`, for tests). Raises ConfigError
    when the configuration is unsafe for production. `served_elsewhere` (the default, as for
    `flask --app api` or `gunicorn 'api:create_app()'`): by a server whose listening address
    HOST does not tell (see load_config); only `python wsgi.py` serves on HOST itself."""
    app = Flask(__name__, static_folder=None)
    app.config.update(load_config(overrides=overrides, served_elsewhere=served_elsewhere),
                      **API_DOC,
                      RATELIMIT_HEADERS_ENABLED=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if app.config["PROXY_FIX_HOPS"]:
        # The scheme too: absolute URLs handed out (a Bulk Data export's status and file URLs,
        # fetched with a bearer token) must say https behind a proxy that ends TLS.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    errors.register(app)
    db.init_app(app)
    install_context(app, jwt=jwt_setup.JwtCodec())
    jwt_setup.configure(app)
    limiter.init_app(app)
    json_body.register(app)
    api = Api(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for blueprint in (auth.blp, me.blp, records.blp, consents.blp, notifications.blp,
                      hospital.blp, bulk_export.blp, staff.blp, audit.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    cli.register(app)
    if app.config["PHR_DEMO_SEED"]:
        with app.app_context():
            demo_seed.seed(app.extensions["ctx"], app.config["PHR_DEMO_SEED"])
    return app
