"""Every error is problem+json, with no internals."""
import pytest

from services import patients
from tests import factories


def assert_problem(response, status):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    return body


def test_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/v1/nothing-here"), 404)


def test_wrong_method_is_a_405_problem_with_allow(client):
    response = client.get("/v1/auth/login")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_oversized_body_is_a_413_problem(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/v1/auth/login", data='{"password": "' + "a" * 2000 + '"}',
                           content_type="application/json")
    assert_problem(response, 413)


def test_default_body_limit_is_exactly_5_mib(app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 5 * 1024 * 1024
    client = app.test_client()

    def post_body_of(size):
        prefix, suffix = '{"password": "', '"}'
        body = prefix + "a" * (size - len(prefix) - len(suffix)) + suffix
        return client.post("/v1/auth/login", data=body, content_type="application/json")
    # Exactly the limit is read (and refused for its fields); one byte more is not read at all.
    assert post_body_of(limit).status_code == 422
    assert_problem(post_body_of(limit + 1), 413)


def test_non_json_body_is_a_415_problem(client):
    response = client.post("/v1/auth/login", data="national_id=1&password=2",
                           content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


def test_malformed_json_is_a_400_problem(client):
    response = client.post("/v1/auth/login", data='{"national_id": ', content_type="application/json")
    assert_problem(response, 400)


def test_validation_failure_is_a_422_problem_with_field_errors(client):
    body = assert_problem(client.post("/v1/auth/login", json={"national_id": "1", "password": "x",
                                                              "extra": 1}), 422)
    assert set(body["errors"]) == {"national_id", "extra"}
    assert all(isinstance(m, list) for m in body["errors"].values())


def test_json_array_body_is_a_422_problem(client):
    assert_problem(client.post("/v1/auth/login", json=["a", "b"]), 422)


def test_unexpected_failure_is_a_500_problem_without_internals(make_app, monkeypatch, clock):
    app = make_app(TESTING=False)
    client = app.test_client()
    with app.app_context():
        creds = factories.create_hospital()
    account = factories.signed_in_patient(client, creds, clock)

    def explode(_patient_id):
        raise RuntimeError("mongodb://admin:hunter2@db internal detail")
    monkeypatch.setattr(patients, "profile", explode)
    response = client.get("/v1/me", headers=account.auth)
    body = assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["detail"] == "The server could not complete the request."


@pytest.mark.parametrize("path", ["/v1/me", "/v1/me/sessions"])
def test_auth_errors_are_problems(client, path):
    assert_problem(client.get(path), 401)


def test_token_and_error_responses_are_not_cacheable(client, hospital):
    token = client.post("/v1/auth/token", json={"client_id": hospital["client_id"],
                                                "client_secret": hospital["client_secret"]})
    failure = client.post("/v1/auth/login", json={"national_id": "099999999999",
                                                  "password": "wrong password value"})
    for response in (token, failure):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
