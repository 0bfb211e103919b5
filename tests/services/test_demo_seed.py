"""PHR_DEMO_SEED: the demo world of API.md, usable as written to the credentials file."""
import json
import os
import stat
from datetime import timedelta

from security.totp import code_at
from tests.factories import PASSWORD, bearer, now
from tests.factories import current_ctx


def test_demo_seed_writes_usable_credentials(make_app, tmp_path, clock):
    path = tmp_path / "demo.json"
    app = make_app(PHR_DEMO_SEED=str(path))
    client = app.test_client()
    creds = json.loads(path.read_text())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(creds["hospitals"]) == 2 and len(creds["patients"]) >= 2

    for hospital in creds["hospitals"]:
        token = client.post("/v1/auth/token", json={k: hospital[k] for k in
                                                    ("client_id", "client_secret")})
        assert token.status_code == 200

    staff = creds["staff"]
    mfa_token = client.post("/v1/auth/login", json={"username": staff["username"],
                                                    "password": staff["password"]}).json["mfa_token"]
    signed_in = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                  "code": code_at(staff["totp_secret"], now())})
    assert signed_in.status_code == 200

    for patient in creds["patients"]:
        assert len(patient["national_id"]) == 12 and patient["name"]
        registered = client.post("/v1/auth/register", json={
            "national_id": patient["national_id"], "activation_code": patient["activation_code"],
            "password": PASSWORD})
        assert registered.status_code == 201
        login = client.post("/v1/auth/login", json={"national_id": patient["national_id"],
                                                    "password": PASSWORD})
        assert "enrollment_token" in login.json  # no demo patient has registered before


def test_demo_patients_are_unregistered_and_visible_to_staff(make_app, tmp_path, clock):
    path = tmp_path / "demo.json"
    app = make_app(PHR_DEMO_SEED=str(path))
    client = app.test_client()
    creds = json.loads(path.read_text())
    staff = creds["staff"]
    mfa_token = client.post("/v1/auth/login", json={"username": staff["username"],
                                                    "password": staff["password"]}).json["mfa_token"]
    clock.tick(timedelta(seconds=30))
    token = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": code_at(
        staff["totp_secret"], now())}).json["access_token"]
    found = client.post("/v1/staff/patients/search", headers=bearer(token),
                        json={"national_id": creds["patients"][0]["national_id"]}).json
    assert found[0]["registered"] is False


def test_demo_seed_leaves_a_non_empty_database_alone(app, tmp_path):
    from services.operations import demo_seed
    path = tmp_path / "demo.json"
    with app.app_context():
        assert demo_seed.seed(current_ctx(), str(path)) is True
        assert demo_seed.seed(current_ctx(), str(tmp_path / "again.json")) is False
    assert not (tmp_path / "again.json").exists()


def test_demo_patients_find_the_records_the_demo_hospitals_pushed(make_app, tmp_path, clock):
    from tests import factories
    path = tmp_path / "demo.json"
    app = make_app(PHR_DEMO_SEED=str(path))
    client = app.test_client()
    creds = json.loads(path.read_text())
    for entry in creds["patients"]:
        account = factories.Account(national_id=entry["national_id"])
        assert client.post("/v1/auth/register", json={
            "national_id": entry["national_id"], "activation_code": entry["activation_code"],
            "password": account.password}).status_code == 201
        factories.enroll_totp(client, account, clock)
        items = client.get("/v1/me/records", headers=account.auth).json["items"]
        assert {r["category"] for r in items} == {"lab", "diagnosis", "medication", "imaging"}
        # The code came from the hospital that pushed the results (no other may issue one).
        log = client.get("/v1/me/access-log", headers=account.auth).json["items"]
        [registered] = [i for i in log if i["action"] == "account.register"]
        assert {r["hospital_name"] for r in items} == {registered["issued_by"]["name"]}
        assert len(items) == 7
        assert client.get("/v1/me", headers=account.auth).json["name"] == entry["name"]


def test_demo_staff_accounts_hold_two_support_and_one_privacy_officer(make_app, tmp_path,
                                                                       clock):
    path = tmp_path / "demo.json"
    app = make_app(PHR_DEMO_SEED=str(path))
    client = app.test_client()
    creds = json.loads(path.read_text())
    accounts = creds["staff_accounts"]
    assert creds["staff"] == accounts[0]
    assert sum("support" in a["roles"] for a in accounts) >= 2
    assert any("privacy_officer" in a["roles"] for a in accounts)
    assert len({a["username"] for a in accounts}) == len(accounts)
    for account in accounts:  # each signs in with its own TOTP secret
        clock.tick(timedelta(seconds=30))
        mfa = client.post("/v1/auth/login", json={"username": account["username"],
                                                  "password": account["password"]})
        signed_in = client.post("/v1/auth/mfa", json={
            "mfa_token": mfa.json["mfa_token"], "code": code_at(account["totp_secret"], now())})
        assert signed_in.status_code == 200
