"""Flask CLI commands that create hospitals and staff in a real deployment."""
import re
from datetime import timedelta

from security.totp import code_at
from tests import factories
from tests.factories import PASSWORD, now


def test_create_hospital_prints_working_credentials(app):
    result = app.test_cli_runner().invoke(args=["create-hospital", "Hue Central Hospital",
                                                "--scope", "records:write"])
    assert result.exit_code == 0, result.output
    client_id = re.search(r"client_id: (\S+)", result.output).group(1)
    secret = re.search(r"client_secret: (\S+)", result.output).group(1)
    token = app.test_client().post("/v1/auth/token", json={"client_id": client_id,
                                                           "client_secret": secret})
    assert token.status_code == 200 and token.json["scope"] == "records:write"


def test_create_staff_then_sign_in_to_enroll(app):
    result = app.test_cli_runner().invoke(args=["create-staff", "support.two"],
                                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    login = app.test_client().post("/v1/auth/login", json={"username": "support.two",
                                                           "password": PASSWORD})
    assert set(login.json) == {"enrollment_token"}


def test_create_staff_gives_the_roles_asked_for_and_support_by_default(app):
    from tests.factories import current_ctx
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-staff", "privacy.one", "--password", PASSWORD, "--role",
                               "privacy_officer"]).exit_code == 0
    assert runner.invoke(args=["create-staff", "support.nine", "--password", PASSWORD]) \
        .exit_code == 0
    assert runner.invoke(args=["create-staff", "x.y", "--password", PASSWORD, "--role",
                               "root"]).exit_code != 0
    with app.app_context():
        from models.accounts import STAFF
        repos = current_ctx().repos
        roles = {name: repos.staff.roles_of(repos.accounts.find_by_login(STAFF, name)["_id"])
                 for name in ("privacy.one", "support.nine")}
    assert roles == {"privacy.one": ["privacy_officer"], "support.nine": ["support"]}


def test_create_staff_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["create-staff", "support.three",
                                                "--password", "password1"])
    assert result.exit_code != 0
    assert "common" in result.output


def test_existing_username_or_hospital_id_is_a_clear_error(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-staff", "support.four", "--password", PASSWORD]).exit_code == 0
    again = runner.invoke(args=["create-staff", "support.four", "--password", PASSWORD])
    assert again.exit_code == 1 and "taken" in again.output
    assert runner.invoke(args=["create-hospital", "A", "--hospital-id", "hosp_a"]).exit_code == 0
    twice = runner.invoke(args=["create-hospital", "B", "--hospital-id", "hosp_a"])
    assert twice.exit_code == 1 and "already exists" in twice.output


def token_status(client, client_id, secret):
    return client.post("/v1/auth/token", json={"client_id": client_id,
                                               "client_secret": secret}).status_code


def test_a_rotated_hospital_secret_keeps_the_old_one_for_the_grace_period(app, hospital, clock):
    client = app.test_client()
    result = app.test_cli_runner().invoke(args=["rotate-hospital-secret", hospital["hospital_id"],
                                                "--grace-hours", "2"])
    assert result.exit_code == 0, result.output
    new_secret = re.search(r"client_secret: (\S+)", result.output).group(1)
    assert token_status(client, hospital["client_id"], new_secret) == 200
    old_token = factories.hospital_token(client, hospital)
    national_id = factories.next_national_id()
    factories.push_visit(client, hospital, national_id, old_token)
    issued = client.post("/v1/hospital/activation-codes", headers=factories.bearer(old_token),
                         json={"national_id": national_id})
    assert issued.status_code == 201  # tokens of the old secret work during the grace period
    clock.tick(timedelta(hours=1, minutes=59))
    assert token_status(client, hospital["client_id"], hospital["client_secret"]) == 200
    clock.tick(timedelta(minutes=1))
    assert token_status(client, hospital["client_id"], hospital["client_secret"]) == 401
    assert token_status(client, hospital["client_id"], new_secret) == 200


def test_rotation_without_grace_ends_the_old_secret_and_its_tokens_at_once(app, hospital):
    client = app.test_client()
    old_token = factories.bearer(factories.hospital_token(client, hospital))
    body = {"national_id": factories.next_national_id()}
    factories.push_visit(client, hospital, body["national_id"])  # so only the token decides
    result = app.test_cli_runner().invoke(args=["rotate-hospital-secret", hospital["hospital_id"],
                                                "--grace-hours", "0"])
    assert result.exit_code == 0, result.output
    assert token_status(client, hospital["client_id"], hospital["client_secret"]) == 401
    assert client.post("/v1/hospital/activation-codes", json=body,
                       headers=old_token).status_code == 401
    new_secret = re.search(r"client_secret: (\S+)", result.output).group(1)
    new_token = factories.bearer(factories.hospital_token(
        client, {**hospital, "client_secret": new_secret}))
    assert client.post("/v1/hospital/activation-codes", json=body,
                       headers=new_token).status_code == 201
    unknown = app.test_cli_runner().invoke(args=["rotate-hospital-secret", "hosp_nobody"])
    assert unknown.exit_code == 1 and "No hospital" in unknown.output


def test_a_deactivated_hospital_loses_its_tokens_at_once(app, hospital):
    client = app.test_client()
    token = factories.hospital_token(client, hospital)
    result = app.test_cli_runner().invoke(args=["deactivate-hospital", hospital["hospital_id"]])
    assert result.exit_code == 0, result.output
    issue = client.post("/v1/hospital/activation-codes", json={"national_id": "001234567890"},
                        headers=factories.bearer(token))
    assert issue.status_code == 401
    assert token_status(client, hospital["client_id"], hospital["client_secret"]) == 401


def test_a_disabled_patient_loses_every_session_and_cannot_sign_in(app, patient):
    client = app.test_client()
    result = app.test_cli_runner().invoke(args=["disable-patient"],
                                          input=f"{patient.national_id}\n")
    assert result.exit_code == 0, result.output
    assert client.get("/v1/me", headers=patient.auth).status_code == 401
    assert client.post("/v1/auth/refresh",
                       headers=factories.bearer(patient.refresh_token)).status_code == 401
    assert client.post("/v1/auth/login", json=patient.login_body).status_code == 401
    device = {**patient.login_body, "trusted_device_token": patient.trusted_device_token}
    assert client.post("/v1/auth/login", json=device).status_code == 401


def test_a_disabled_staff_account_loses_its_sessions(app, clock):
    client = app.test_client()
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    result = app.test_cli_runner().invoke(args=["disable-staff", staff.username])
    assert result.exit_code == 0, result.output
    assert client.post("/v1/auth/refresh",
                       headers=factories.bearer(staff.refresh_token)).status_code == 401
    assert client.post("/v1/auth/login", json=staff.login_body).status_code == 401
    nobody = app.test_cli_runner().invoke(args=["disable-staff", "nobody.here"])
    assert nobody.exit_code == 1


def test_an_mfa_token_of_a_disabled_account_stops_working(app, patient, clock):
    client = app.test_client()
    mfa_token = client.post("/v1/auth/login", json=patient.login_body).json["mfa_token"]
    app.test_cli_runner().invoke(args=["disable-patient", "--national-id", patient.national_id])
    clock.tick(timedelta(seconds=30))
    response = client.post("/v1/auth/mfa", json={"mfa_token": mfa_token,
                                                  "code": code_at(patient.totp_secret, now())})
    assert response.status_code == 401


def test_export_hospital_writes_the_records_and_a_manifest(app, hospital, patient, tmp_path):
    import hashlib
    import json
    from tests.factories import bundle, diagnosis, lab_result, push
    client = app.test_client()
    push(client, hospital, bundle(lab_result(patient.national_id), diagnosis(patient.national_id)))
    result = app.test_cli_runner().invoke(args=["export-hospital", hospital["hospital_id"],
                                                "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "out" / "records.ndjson").read_bytes()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    # The lab result, the diagnosis and the visit pushed before the patient's code.
    assert manifest["lines"] == 3 == len(data.splitlines())
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()


def test_send_notifications_once_without_firebase_logs_and_delivers(app, hospital, patient):
    from tests.factories import bundle, lab_result, push
    client = app.test_client()
    client.post("/v1/me/devices", headers=patient.auth,
                json={"token": "log-device", "platform": "android"})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    result = app.test_cli_runner().invoke(args=["send-notifications", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output and "log and the inbox only" in result.output
    states = {d["delivery"]["state"] for d in app.extensions["mongo_db"].notifications.find()}
    assert states == {"done"}
