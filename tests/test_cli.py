"""Flask CLI commands that create hospitals and staff in a real deployment."""
import re

from tests.factories import PASSWORD


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
