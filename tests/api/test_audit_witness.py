"""GET /v1/audit/checkpoint: an outside witness, created with flask create-witness, reads the
newest signed checkpoint and checks it with the published public key alone; nobody else reads
it, and a witness reads nothing else."""
import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.sharing import consents
from tests import factories
from tests.factories import bearer, bundle, lab_result, push
from tests.factories import current_ctx

CHECKPOINT = "/v1/audit/checkpoint"
CONTEXT = b"phr-audit-checkpoint/v1\x00"


def create_witness(app, name: str = "Kiểm toán viên độc lập") -> dict:
    result = app.test_cli_runner().invoke(args=["create-witness", name])
    assert result.exit_code == 0, result.output
    return dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)


@pytest.fixture
def witness(app, client) -> dict:
    creds = create_witness(app)
    response = client.post("/v1/auth/token", json={"client_id": creds["client_id"],
                                                   "client_secret": creds["client_secret"]})
    assert response.status_code == 200, response.json
    return {**creds, "token": response.json["access_token"], "scope": response.json["scope"]}


def signed_bytes(answer: dict) -> bytes:
    body = {name: answer[name] for name in ("chain", "seq", "hash", "at")}
    return CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def test_a_witness_reads_a_checkpoint_it_verifies_with_the_published_key(app, client, patient,
                                                                       witness):
    assert witness["scope"] == "audit:checkpoint"
    response = client.get(CHECKPOINT, headers=bearer(witness["token"]))
    assert response.status_code == 200, response.json
    answer = response.json
    assert (answer["chain"], answer["seq"]) == ("main", 1)
    assert answer["signature"].startswith("ed25519:")
    raw = answer["signature"][len("ed25519:"):]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(answer["public_key"]))
    public.verify(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)), signed_bytes(answer))
    with app.app_context():  # the key consent receipts are checked with: one key to publish
        assert answer["public_key"] == consents.public_key(current_ctx())


def test_the_witness_sees_the_newest_checkpoint(app, client, patient, witness):
    assert app.test_cli_runner().invoke(args=["audit-checkpoint"]).exit_code == 0
    first = client.get(CHECKPOINT, headers=bearer(witness["token"])).json["seq"]
    for _ in range(2):
        client.get("/v1/me", headers=patient.auth)
    assert app.test_cli_runner().invoke(args=["audit-checkpoint"]).exit_code == 0
    assert client.get(CHECKPOINT, headers=bearer(witness["token"])).json["seq"] == first + 2


def test_before_the_first_checkpoint_there_is_nothing_to_read(client, witness):
    response = client.get(CHECKPOINT, headers=bearer(witness["token"]))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_a_hospital_token_is_refused_even_one_given_the_witness_scope(app, client, patient):
    for scopes in (None, ["audit:checkpoint"]):
        with app.app_context():
            hospital = factories.create_hospital("Bệnh viện", scopes=scopes)
        token = factories.hospital_token(client, hospital)
        assert client.get(CHECKPOINT, headers=bearer(token)).status_code == 403


def test_a_patient_token_is_refused(client, patient):
    assert client.get(CHECKPOINT, headers=patient.auth).status_code == 403


def test_a_witness_can_never_act_as_a_hospital(app, client, hospital, patient, witness):
    # Even with hospital scopes written into its stored document, a witness's token holds only
    # its own audience and scope.
    app.extensions["mongo_db"].hospitals.update_one(
        {"_id": witness["witness_id"]},
        {"$set": {"scopes": ["records:write", "records:read", "export:read",
                             "activation-codes:write"]}})
    response = client.post("/v1/auth/token", json={"client_id": witness["client_id"],
                                                   "client_secret": witness["client_secret"]})
    assert response.json["scope"] == "audit:checkpoint"
    token = bearer(response.json["access_token"])
    assert client.get("/v1/hospital/export", headers=token).status_code == 403
    assert client.post("/v1/hospital/activation-codes", headers=token,
                       json={"national_id": "079000000999"}).status_code == 403
    assert client.post("/v1/hospital/records/search", headers=token, json={
        "national_id": patient.national_id, "purpose": "treatment"}).status_code == 403
    pushed = client.post("/v1/hospital/bundles", headers=token,
                         json=bundle(lab_result(patient.national_id)))
    assert pushed.status_code == 403
    push(client, hospital, bundle(lab_result(patient.national_id)))  # a hospital still can


def test_a_deactivated_witness_token_stops_working(app, client, patient, witness):
    result = app.test_cli_runner().invoke(args=["deactivate-hospital", witness["witness_id"]])
    assert result.exit_code == 0, result.output
    assert client.get(CHECKPOINT, headers=bearer(witness["token"])).status_code == 401


def test_a_witness_is_no_hospital_to_grant_a_consent_to(app, client, patient, witness):
    granted = client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "hospital", "id": witness["witness_id"]}, "categories": ["lab"],
        "purpose": "treatment"})
    assert granted.status_code == 422 and "grantee" in granted.json["errors"]
