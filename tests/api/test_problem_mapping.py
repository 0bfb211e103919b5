"""Domain errors name what went wrong; api/errors.py alone turns them into HTTP."""
import inspect

import pytest

from api.errors import DOMAIN_PROBLEMS, PROBLEM_TYPES, domain_headers, domain_problem
from services import errors as domain
from services.operations import hospitals
from tests.problems import assert_problem

TOKEN_BODY = {"client_id": "cli_x", "client_secret": "secret"}


def raise_from_token_endpoint(monkeypatch, error):
    def fail(*_args):
        raise error
    monkeypatch.setattr(hospitals, "issue_token", fail)


def domain_error_classes():
    return [cls for _, cls in inspect.getmembers(domain, inspect.isclass)
            if issubclass(cls, domain.DomainError)]


@pytest.mark.parametrize("cls", domain_error_classes(), ids=lambda cls: cls.__name__)
def test_domain_errors_carry_meaning_only(cls):
    for http_concern in ("status", "title", "slug", "headers"):
        assert not hasattr(cls, http_concern), f"{cls.__name__}.{http_concern}"
    assert cls.detail and "http" not in cls.detail.lower() and "/v1" not in cls.detail


@pytest.mark.parametrize("cls", domain_error_classes(), ids=lambda cls: cls.__name__)
def test_every_domain_error_is_mapped_to_a_documented_type(cls):
    assert DOMAIN_PROBLEMS.get(cls) in PROBLEM_TYPES


def test_an_unmapped_domain_error_answers_400_rather_than_crashing(client, monkeypatch):
    class SomethingNew(domain.DomainError):
        pass
    raise_from_token_endpoint(monkeypatch, SomethingNew())
    body = assert_problem(client.post("/v1/auth/token", json=TOKEN_BODY), 400, "bad-request")
    assert body["detail"] == domain.DomainError.detail


def test_a_subclass_answers_like_its_parent_with_its_own_detail(client, monkeypatch):
    class StepTokenReused(domain.InvalidCredentials):
        detail = "That sign-in step was already used."
    raise_from_token_endpoint(monkeypatch, StepTokenReused())
    body = assert_problem(client.post("/v1/auth/token", json=TOKEN_BODY), 401,
                          "invalid-credentials")
    assert body["detail"] == "That sign-in step was already used."


@pytest.mark.parametrize("seconds, header", [(0, "1"), (0.2, "1"), (1.2, "2"), (900, "900")])
def test_locked_answers_retry_after_in_whole_seconds_rounded_up(client, monkeypatch, seconds,
                                                                header):
    class LockedForReset(domain.TooManyAttempts):  # a subclass keeps the header too
        pass
    raise_from_token_endpoint(monkeypatch, LockedForReset(seconds))
    response = client.post("/v1/auth/token", json=TOKEN_BODY)
    assert_problem(response, 429, "locked")
    assert response.headers["Retry-After"] == header


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), None, "900"])
def test_a_lock_without_a_usable_duration_still_answers_without_retry_after(seconds):
    assert domain_headers(domain.TooManyAttempts(seconds)) == {}


def test_validation_errors_of_a_domain_error_reach_the_client(client, monkeypatch):
    raise_from_token_endpoint(monkeypatch, domain.InvalidInput(errors={"client_id": ["No."]}))
    body = assert_problem(client.post("/v1/auth/token", json=TOKEN_BODY), 422, "invalid-input")
    assert body["errors"] == {"client_id": ["No."]}
    assert body["detail"] == domain.InvalidInput.detail


def test_token_problems_challenge_for_a_bearer_token(app):
    with app.test_request_context():
        for error in (domain.Unauthorized(), domain.FreshSignInRequired()):
            assert domain_problem(error).headers["WWW-Authenticate"].startswith("Bearer")
        assert "WWW-Authenticate" not in domain_problem(domain.Forbidden()).headers


def test_fresh_sign_in_required_has_its_own_type(app):
    with app.test_request_context():
        response = domain_problem(domain.FreshSignInRequired())
    assert response.status_code == 401
    assert response.json["type"] == "urn:phr:problem:fresh-sign-in-required"
