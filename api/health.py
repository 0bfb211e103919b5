"""Liveness, readiness and the docs page's static assets (served locally, never from a CDN)."""
from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api.errors import problem
from api.extensions import ctx
from models.db import ping

bp = Blueprint("health", __name__)
DOCS_ASSETS_URL = "/v1/docs/assets/"


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    if not ping(ctx().db):
        return problem(503, "The database does not answer.")
    return {"status": "ready"}


@bp.get(DOCS_ASSETS_URL + "<path:filename>")
def docs_asset(filename):
    return send_from_directory(swagger_ui_path, filename, max_age=3600)
