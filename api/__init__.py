"""The application factory."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import (audit, auth, bulk_export, cli, consents, errors, health, hospital, json_body,
                 jwt_setup, me, metrics, notifications, records, requests, staff,
                 staff_requests)
from api.config import load_config
from api.extensions import Api, install_context, limiter
from api.observability import RequestIdMiddleware, configure_logging
from models import db
from services.fhir import NATIONAL_ID_SYSTEM
from services.operations import demo_seed
from services.operations.hospitals import DEFAULT_SCOPES, WITNESS_SCOPE

API_DOC = {
    "API_TITLE": "Personal Health Record API", "API_VERSION": "1", "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/v1", "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs", "OPENAPI_SWAGGER_UI_URL": health.DOCS_ASSETS_URL,
    # Relative: clients reach the API where they fetched this document (the embedded demo is
    # http://127.0.0.1:8000; a deployment its own https address).
    "API_SPEC_OPTIONS": {
        "servers": [{"url": "/", "description": "this server"}],
        "info": {"description": (
            "The personal health record's API: patients (app), hospitals (machine to machine), "
            "support staff, audit witnesses.\n\n"
            f"- A patient is named by the 12-digit national ID (CCCD), as a FHIR identifier "
            f"with system `{NATIONAL_ID_SYSTEM}`.\n"
            f"- Hospital client scopes: {', '.join(f'`{s}`' for s in DEFAULT_SCOPES)}; "
            f"an audit witness's: `{WITNESS_SCOPE}`.\n"
            "- Errors are `application/problem+json`; their `type` values are listed on the "
            "Problem schema.")}},
}


def create_app(overrides: dict | None = None, served_elsewhere: bool = True,
               seed: bool = True) -> Flask:
    """Build the app from the environment (plus `overrides`, for tests). Raises ConfigError
    when the configuration is unsafe for production. `served_elsewhere` (the default, as for
    `flask --app api` or `gunicorn 'api:create_app()'`): by a server whose listening address
    HOST does not tell (see load_config); only `python wsgi.py` serves on HOST itself. `seed`:
    seed the demo world now when PHR_DEMO_SEED says so; `python wsgi.py` passes False and calls
    seed_demo() once it holds its port."""
    app = Flask(__name__, static_folder=None)
    app.config.update(load_config(overrides=overrides, served_elsewhere=served_elsewhere),
                      **API_DOC,
                      RATELIMIT_HEADERS_ENABLED=True)
    configure_logging()
    if app.config["PROXY_FIX_HOPS"]:
        # The scheme too: absolute URLs handed out (a Bulk Data export's status and file URLs,
        # fetched with a bearer token) must say https behind a proxy that ends TLS.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)
    errors.register(app)
    db.init_app(app)
    metrics.install(app)  # before the context (its `observe`) and the limiter (refusals count)
    install_context(app, jwt=jwt_setup.JwtCodec())
    jwt_setup.configure(app)
    limiter.init_app(app)
    json_body.register(app)
    api = Api(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.components.schema("FhirBundleIn", hospital.FHIR_BUNDLE_IN)
    for blueprint in (auth.blp, me.blp, records.blp, consents.blp, notifications.blp,
                      requests.blp, hospital.blp, bulk_export.blp, staff.blp,
                      staff_requests.blp, audit.blp):
        api.register_blueprint(blueprint)
    api.name_operations(app)
    app.register_blueprint(health.bp)
    cli.register(app)
    if seed:
        seed_demo(app)
    return app


def seed_demo(app) -> None:
    """Seed the demo world (PHR_DEMO_SEED) into an empty database and write its credentials."""
    if app.config["PHR_DEMO_SEED"]:
        with app.app_context():
            demo_seed.seed(app.extensions["ctx"], app.config["PHR_DEMO_SEED"])
