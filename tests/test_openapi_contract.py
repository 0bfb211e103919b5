"""The OpenAPI document is the truth: it lists every problem type, documents the error responses
as they are served, and the contract harness (tests/openapi_contract.py) holds every response
of the suite to it."""
import re

import pytest

from api import errors
from api.errors import PROBLEM_JSON, PROBLEM_TYPES, type_uri
from services import patients
from tests.openapi_contract import ContractClient, ContractViolation


def spec_of(client):
    return client.get("/v1/openapi.json").json


def test_test_apps_check_every_response(app, client):
    assert isinstance(client, ContractClient)


def test_the_harness_catches_a_null_the_document_does_not_allow(client, patient, monkeypatch):
    real_profile = patients.profile
    monkeypatch.setattr(patients, "profile",
                        lambda ctx, pid: {**real_profile(ctx, pid), "national_id": None})
    with pytest.raises(ContractViolation) as caught:
        client.get("/v1/me", headers=patient.auth)
    assert "GET /v1/me answered 200" in str(caught.value)
    assert "at national_id: None" in str(caught.value)


def test_the_harness_catches_a_missing_field_the_document_requires(client, patient, monkeypatch):
    real_profile = patients.profile

    def without_recovery_count(ctx, patient_id):
        return {k: v for k, v in real_profile(ctx, patient_id).items()
                if k != "recovery_codes_left"}
    monkeypatch.setattr(patients, "profile", without_recovery_count)
    with pytest.raises(ContractViolation, match="'recovery_codes_left' is a required property"):
        client.get("/v1/me", headers=patient.auth)


def test_the_harness_catches_a_problem_type_outside_the_vocabulary(client, monkeypatch):
    monkeypatch.setattr(errors, "type_uri", lambda slug: "about:blank")
    with pytest.raises(ContractViolation) as caught:
        client.get("/v1/me")
    assert "at type" in str(caught.value)


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



@pytest.mark.parametrize("path", ["/v1/me/consents/{consent_id}/revoke", "/v1/auth/totp/setup"])
def test_a_body_the_server_does_without_is_documented_as_optional(client, path):
    """Found by schemathesis: the document required a body these two take absent (a patient's
    revocation says nothing; TOTP set-up with an enrollment token has nothing to prove)."""
    assert spec_of(client)["paths"][path]["post"]["requestBody"]["required"] is False


def test_a_revocation_without_a_body_is_accepted(client, hospital, patient):
    granted = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "hospital", "id": hospital["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment"})
    revoked = client.post(f"/v1/me/consents/{granted.json['id']}/revoke", headers=patient.auth)
    assert revoked.status_code == 200 and revoked.json["status"] == "inactive"


def test_every_operation_has_a_unique_operation_id_a_generator_can_use(client):
    spec = spec_of(client)
    ids = [operation.get("operationId") for item in spec["paths"].values()
           for method, operation in item.items() if method in ("get", "post", "put", "delete")]
    assert len(ids) >= 45 and None not in ids
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z][A-Za-z]*", i) for i in ids), ids
    assert spec["paths"]["/v1/me/records"]["get"]["operationId"] == "listRecords"
    assert spec["paths"]["/v1/hospital/export"]["get"]["operationId"] == "hospitalExport"


def test_the_document_names_its_server_the_national_id_system_and_the_scopes(client):
    spec = spec_of(client)
    assert spec["servers"] == [{"url": "/", "description": "this server"}]
    description = spec["info"]["description"]
    assert "http://fhir.hl7.org.vn/core/sid/cccd" in description
    assert "`records:write`" in description and "`audit:checkpoint`" in description
