"""Assertions on problem+json answers, shared by the tests."""
from api.errors import PROBLEM_TYPES, TYPE_PREFIX


def assert_problem(response, status, slug=None):
    """The problem body, after checking its shape and that its type is in the vocabulary (with
    that type's title); `slug` pins the type."""
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    assert body["type"].startswith(TYPE_PREFIX), body
    kind = PROBLEM_TYPES[body["type"].removeprefix(TYPE_PREFIX)]
    assert body["title"] == kind.title
    if slug:
        assert body["type"] == TYPE_PREFIX + slug, body
    return body
