"""Hospital client credentials and scopes."""
from tests import factories
from tests.factories import bearer


def token_response(client, client_id, secret):
    return client.post("/v1/auth/token", json={"client_id": client_id, "client_secret": secret})


def test_hospital_gets_a_short_scoped_token(client, hospital):
    response = token_response(client, hospital["client_id"], hospital["client_secret"])
    assert response.status_code == 200
    assert response.json["expires_in"] <= 900
    assert "activation-codes:write" in response.json["scope"].split()


def test_wrong_secret_and_unknown_client_answer_identically(client, hospital):
    wrong = token_response(client, hospital["client_id"], "x" * 43)
    unknown = token_response(client, "cli_unknown", "x" * 43)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_client_secret_is_stored_hashed(app, hospital):
    doc = app.extensions["mongo_db"].hospitals.find_one({"client_id": hospital["client_id"]})
    assert hospital["client_secret"] not in str(doc)


def test_token_without_the_scope_is_refused(app, client):
    with app.app_context():
        limited = factories.create_hospital(scopes=["records:write"])
    token = bearer(factories.hospital_token(client, limited))
    response = client.post("/v1/hospital/activation-codes", headers=token,
                           json={"national_id": "001234567890"})
    assert response.status_code == 403
    assert "activation-codes:write" in response.json["detail"]


def test_disabled_hospital_loses_its_tokens(app, client, hospital):
    token = bearer(factories.hospital_token(client, hospital))
    app.extensions["mongo_db"].hospitals.update_one({"client_id": hospital["client_id"]},
                                                    {"$set": {"active": False}})
    response = client.post("/v1/hospital/activation-codes", headers=token,
                           json={"national_id": "001234567890"})
    assert response.status_code == 401
    assert token_response(client, hospital["client_id"],
                          hospital["client_secret"]).status_code == 401


def test_operator_injection_in_client_credentials_is_rejected(client):
    response = client.post("/v1/auth/token", json={"client_id": {"$ne": None},
                                                   "client_secret": {"$ne": None}})
    assert response.status_code == 422
