"""Every error is problem+json, with no internals, and a `type` from one vocabulary."""
import pytest

from api.errors import TYPE_PREFIX
from services import patients
from tests import factories
from tests.problems import assert_problem

WEAK_BUT_WELL_FORMED = "password123"  # passes the schema (8+ characters), refused by the policy


def test_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/v1/nothing-here"), 404, "not-found")


def test_wrong_method_is_a_405_problem_with_allow(client):
    response = client.get("/v1/auth/login")
    assert_problem(response, 405, "method-not-allowed")
    assert "POST" in response.headers["Allow"]


def test_oversized_body_is_a_413_problem(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/v1/auth/login", data='{"password": "' + "a" * 2000 + '"}',
                           content_type="application/json")
    assert_problem(response, 413, "payload-too-large")


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
    assert_problem(response, 415, "unsupported-media-type")


def test_malformed_json_is_a_400_problem(client):
    response = client.post("/v1/auth/login", data='{"national_id": ', content_type="application/json")
    assert_problem(response, 400, "bad-request")


def test_validation_failure_is_a_422_problem_with_field_errors(client):
    body = assert_problem(client.post("/v1/auth/login", json={"national_id": "1", "password": "x",
                                                              "extra": 1}), 422,
                          "invalid-input")
    assert set(body["errors"]) == {"national_id", "extra"}
    assert all(isinstance(m, list) for m in body["errors"].values())


def test_json_array_body_is_a_422_problem(client):
    assert_problem(client.post("/v1/auth/login", json=["a", "b"]), 422, "invalid-input")


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
    body = assert_problem(response, 500, "server-error")
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["detail"] == "The server could not complete the request."


@pytest.mark.parametrize("path", ["/v1/me", "/v1/me/sessions"])
def test_auth_errors_are_problems(client, path):
    assert_problem(client.get(path), 401, "unauthorized")


def test_token_and_error_responses_are_not_cacheable(client, hospital):
    token = client.post("/v1/auth/token", json={"client_id": hospital["client_id"],
                                                "client_secret": hospital["client_secret"]})
    failure = client.post("/v1/auth/login", json={"national_id": "099999999999",
                                                  "password": "wrong password value"})
    for response in (token, failure):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_schema_and_password_policy_failures_share_one_type(client, hospital):
    """A client handles "your input was refused" once, whichever layer refused it."""
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    schema = assert_problem(client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code, "password": "short"}), 422)
    policy = assert_problem(client.post("/v1/auth/register", json={
        "national_id": national_id, "activation_code": code,
        "password": WEAK_BUT_WELL_FORMED}), 422)
    assert schema["type"] == policy["type"] == TYPE_PREFIX + "invalid-input"
    assert set(schema["errors"]) == set(policy["errors"]) == {"password"}


def test_wrong_credentials_forbidden_token_and_readiness_have_their_types(app, client, monkeypatch,
                                                                           hospital):
    assert_problem(client.post("/v1/auth/token", json={"client_id": hospital["client_id"],
                                                       "client_secret": "wrong"}),
                   401, "invalid-credentials")
    hospital_auth = factories.bearer(factories.hospital_token(client, hospital))
    assert_problem(client.get("/v1/me", headers=hospital_auth), 403, "forbidden")

    def unreachable(*_args, **_kwargs):
        from pymongo.errors import ServerSelectionTimeoutError
        raise ServerSelectionTimeoutError("no servers")
    monkeypatch.setattr(app.extensions["mongo_db"], "command", unreachable)
    assert_problem(client.get("/readyz"), 503, "unavailable")


def test_per_client_rate_limit_and_account_lockout_are_told_apart(make_app):
    """Both are 429; a client waits out a rate limit but tells its user about a lockout."""
    client = make_app(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="2 per minute").test_client()
    body = {"national_id": "099999999993", "password": "wrong password value"}
    responses = [client.post("/v1/auth/login", json=body) for _ in range(3)]
    assert_problem(responses[-1], 429, "rate-limited")
    locking = make_app(LOCKOUT_THRESHOLD=2).test_client()
    responses = [locking.post("/v1/auth/login", json=body) for _ in range(2)]
    assert_problem(responses[-1], 429, "locked")
