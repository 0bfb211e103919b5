"""The OpenAPI document is the truth: it lists every problem type and documents the error
responses as they are served."""
from api.errors import PROBLEM_JSON, PROBLEM_TYPES, type_uri


def spec_of(client):
    return client.get("/v1/openapi.json").json


def test_the_document_lists_every_problem_type_with_its_meaning(client):
    problem = spec_of(client)["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["properties"]["type"]["enum"] == [type_uri(slug) for slug in PROBLEM_TYPES]
    description = problem["properties"]["type"]["description"]
    for slug, kind in PROBLEM_TYPES.items():
        assert f"`{type_uri(slug)}` ({kind.status}, {kind.title}): {kind.meaning}" in description


def test_every_operation_documents_its_errors_as_problem_json(client):
    spec = spec_of(client)
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
    assert default["content"] == {PROBLEM_JSON: problem_ref}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["responses"]["default"] == {
                "$ref": "#/components/responses/DEFAULT_ERROR"}, (method, path)
