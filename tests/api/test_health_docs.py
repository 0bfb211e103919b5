"""Health probes, the OpenAPI document and the offline docs page."""
import re

from pymongo.errors import ServerSelectionTimeoutError

CONTRACT_PATHS = ["/v1/auth/register", "/v1/auth/login", "/v1/auth/totp/setup",
                  "/v1/auth/totp/activate", "/v1/auth/mfa", "/v1/auth/refresh",
                  "/v1/auth/logout", "/v1/auth/token", "/v1/me", "/v1/me/sessions",
                  "/v1/me/sessions/{session_id}", "/v1/hospital/activation-codes",
                  "/v1/staff/patients/search"]


def test_healthz_and_readyz(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json == {"status": "ready"}


def test_readyz_answers_503_when_the_database_does_not(app, client, monkeypatch):
    def unreachable(*_args, **_kwargs):
        raise ServerSelectionTimeoutError("no servers")
    monkeypatch.setattr(app.extensions["mongo_db"], "command", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"


def test_openapi_document_covers_the_contract(client):
    spec = client.get("/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert set(CONTRACT_PATHS) <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    me = spec["paths"]["/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert me["summary"]  # docstrings become the docs


def test_openapi_marks_secrets_write_only(client):
    schemas = client.get("/v1/openapi.json").json["components"]["schemas"]
    assert schemas["LoginIn"]["properties"]["password"]["writeOnly"] is True


def test_docs_page_loads_no_asset_from_the_internet(client):
    page = client.get("/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/v1/docs/assets/") for a in assets)
    assert "http://" not in html and "https://" not in html
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200


def test_openapi_patterns_are_ecmascript_and_errors_are_problem_json(client):
    spec = client.get("/v1/openapi.json").json
    text = str(spec)
    assert "\\Z" not in text  # Python-only regex syntax would break generated clients
    unauthorized = spec["components"]["responses"]["UNAUTHORIZED"]
    assert list(unauthorized["content"]) == ["application/problem+json"]
    assert "401" in spec["paths"]["/v1/me"]["get"]["responses"]
