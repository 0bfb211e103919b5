"""Whatever a client sends as a body, the answer is a problem, never a 500."""
import json

import pytest
from marshmallow import ValidationError
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

from api import json_body
from api.schemas.common import NOT_TEXT, StrictSchema, holds_lone_surrogate, national_id_field
from tests import factories
from tests.problems import assert_problem

LONE = "\ud800"  # JSON "\ud800": a UTF-16 half that no UTF-8 encoder takes


def post_raw(client, path, text, **kwargs):
    return client.post(path, data=text, content_type="application/json", **kwargs)


@pytest.mark.parametrize("text", ["[" * 10000, '{"a": ' * 10000, '{"password": ' + "[" * 5000],
                         ids=["arrays", "objects", "inside-a-field"])
def test_deeply_nested_json_is_a_400_problem(client, text):
    body = assert_problem(post_raw(client, "/v1/auth/login", text), 400, "bad-request")
    assert "nested too deeply" in body["detail"]


def test_deeply_nested_json_on_a_guarded_endpoint_is_a_400_problem(client, hospital):
    auth = factories.bearer(factories.hospital_token(client, hospital))
    assert_problem(post_raw(client, "/v1/hospital/activation-codes", "[" * 10000, headers=auth),
                   400, "bad-request")


def test_malformed_json_says_where(client):
    body = assert_problem(post_raw(client, "/v1/auth/login", '{"national_id": '), 400)
    assert "line 1 column" in body["detail"]


def test_a_body_is_parsed_once_and_by_the_app_parser(app, client, hospital, monkeypatch):
    """Views read Flask's cached parse; a second parser would meet deep bodies on a deeper
    stack, where the first one's depth check no longer holds."""
    auth = factories.bearer(factories.hospital_token(client, hospital))
    national_id = factories.next_national_id()
    factories.push_visit(client, hospital, national_id)  # what lets the hospital issue a code
    calls = []
    parse = app.json.loads
    monkeypatch.setattr(app.json, "loads", lambda s, **kw: calls.append(1) or parse(s, **kw))
    response = client.post("/v1/hospital/activation-codes", headers=auth,
                           json={"national_id": national_id})
    assert response.status_code == 201 and len(calls) == 1


def test_every_blueprint_reads_json_through_the_app_parser(app):
    blueprints = [bp for bp in app.blueprints.values() if hasattr(bp, "ARGUMENTS_PARSER")]
    assert blueprints and all(isinstance(bp, json_body.Blueprint) for bp in blueprints), [
        bp.name for bp in blueprints if not isinstance(bp, json_body.Blueprint)]


@pytest.mark.parametrize("field", ["username", "password"])
def test_lone_surrogate_at_login_is_a_422_naming_the_field(client, field):
    body = {"username": "support.one", "password": "some password", field: LONE}
    problem = assert_problem(client.post("/v1/auth/login", json=body), 422, "invalid-input")
    assert set(problem["errors"]) == {field}


def test_lone_surrogate_in_a_client_secret_is_a_422(client, hospital):
    body = {"client_id": hospital["client_id"], "client_secret": "x" + LONE}
    problem = assert_problem(client.post("/v1/auth/token", json=body), 422, "invalid-input")
    assert set(problem["errors"]) == {"client_secret"}


@pytest.mark.parametrize("field", ["activation_code", "password", "name"])
def test_lone_surrogate_at_registration_is_a_422_naming_the_field(client, hospital, field):
    national_id = factories.next_national_id()
    body = {"national_id": national_id, "password": factories.PASSWORD,
            "activation_code": factories.activation_code(client, hospital, national_id)}
    body[field] = body.get(field, "Nguyen Van An") + LONE
    problem = assert_problem(client.post("/v1/auth/register", json=body), 422, "invalid-input")
    assert set(problem["errors"]) == {field}


def test_lone_surrogate_in_a_guarded_body_is_a_422(client, hospital):
    auth = factories.bearer(factories.hospital_token(client, hospital))
    response = client.post("/v1/hospital/activation-codes", headers=auth,
                           json={"national_id": factories.next_national_id(), "name": LONE})
    assert set(assert_problem(response, 422, "invalid-input")["errors"]) == {"name"}


def test_lone_surrogate_in_a_key_or_a_nested_value_is_a_422(client):
    key = assert_problem(client.post("/v1/auth/login", json={LONE: "x", "password": "p"}), 422)
    assert set(key["errors"]) == {"_schema"}
    nested = client.post("/v1/auth/login", json={"username": [{"a": ["b", LONE]}],
                                                 "password": "p"})
    assert set(assert_problem(nested, 422)["errors"]) == {"username"}
    assert LONE not in json.dumps(nested.json, ensure_ascii=False)


def test_a_valid_astral_character_is_not_a_lone_surrogate(client):
    response = client.post("/v1/auth/login", json={"username": "an \U0001F600",
                                                   "password": "some password"})
    assert_problem(response, 401, "invalid-credentials")


class NationalIdQuery(StrictSchema):
    national_id = national_id_field(required=True)


def test_query_string_schemas_check_for_lone_surrogates_too():
    schema = NationalIdQuery()
    query = MultiDictProxy(MultiDict([("national_id", "0012" + LONE)]), schema)
    with pytest.raises(ValidationError) as caught:
        schema.load(query)
    assert caught.value.messages == {"national_id": [NOT_TEXT]}


def test_surrogate_search_survives_nesting_deeper_than_python_recursion():
    deep = LONE
    for _ in range(100_000):
        deep = [deep]
    assert holds_lone_surrogate(deep)
    assert not holds_lone_surrogate({"a": [1, None, {"b": "\U0001F600"}]})


@pytest.mark.parametrize("path", ["/v1/me/records", "/v1/me/notifications", "/v1/me/access-log",
                                  "/v1/me/shared-with-me/pat_nobody/records"])
def test_an_unknown_query_parameter_is_refused_not_ignored(client, patient, path):
    """A misspelt filter must not answer everything, as if no filter had been asked for."""
    body = assert_problem(client.get(path, headers=patient.auth,
                                     query_string={"categroy": "lab"}), 422, "invalid-input")
    assert body["errors"] == {"categroy": ["Unknown field."]}


def test_a_query_parameter_given_twice_is_refused_not_read_as_its_first(client, patient):
    body = assert_problem(client.get("/v1/me/records?category=lab&limit=5&limit=500",
                                     headers=patient.auth), 422, "invalid-input")
    assert body["errors"] == {"limit": ["Give this parameter once."]}


def test_a_national_id_typed_as_a_field_name_is_not_echoed(client, patient):
    body = assert_problem(client.get("/v1/me/records?001299887766=1", headers=patient.auth),
                          422, "invalid-input")
    assert body["errors"] == {"[national ID]": ["Unknown field."]}
    body = assert_problem(client.post("/v1/auth/login", json={
        "national_id": "079012345678", "password": "x", "001299887766": "y"}), 422, "invalid-input")
    assert "001299887766" not in str(body)
