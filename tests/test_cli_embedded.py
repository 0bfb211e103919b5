"""The operator commands on the embedded default (no MONGO_URI). In a process of their own they
would open an empty database of their own, so each refuses with one line; `flask --app wsgi`
never seeds the demo; a missing APP_ENV is one line, not a traceback. Under TESTING the suite
invokes them in the app's own process (tests/test_cli.py), on the database its requests use."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import EMBEDDED_REFUSAL

ROOT = Path(__file__).resolve().parents[1]
# Arguments that get each command past click's own checks (and prompts) to its body.
ARGUMENTS = {
    "create-hospital": ["Hue Central Hospital"], "create-staff": ["support.x", "--password",
                                                                  "quiet harbour lantern 58"],
    "rotate-hospital-secret": ["hosp_x"], "deactivate-hospital": ["hosp_x"],
    "mark-hospital-sensitive": ["hosp_x", "--label", "hiv"],
    "disable-patient": ["--national-id", "079000000001"], "disable-staff": ["support.x"],
    "rotate-keys": [], "export-hospital": ["hosp_x", "--out", "{tmp}/out"], "verify-audit": [],
    "audit-checkpoint": [], "create-witness": ["witness"], "send-notifications": ["--once"],
}


@pytest.fixture
def served_app(make_app):
    """The app as `flask --app wsgi` builds it on the embedded default: no TESTING."""
    return make_app(TESTING=False)


def test_every_operator_command_is_listed_here(served_app):
    # flask-smorest's `openapi` prints the document: it needs no database and keeps working.
    assert sorted(set(served_app.cli.commands) - {"openapi"}) == sorted(ARGUMENTS)


@pytest.mark.parametrize("command", sorted(ARGUMENTS))
def test_each_command_refuses_the_embedded_database_in_one_line(served_app, tmp_path, command):
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in ARGUMENTS[command]]
    result = served_app.test_cli_runner().invoke(args=[command, *args])
    assert result.exit_code == 1
    assert result.output == f"Error: {EMBEDDED_REFUSAL}\n"
    db = served_app.extensions["mongo_db"]
    assert db.hospitals.count_documents({}) == 0 and db.staff.count_documents({}) == 0
    assert not (tmp_path / "out").exists()


def flask_command(*args, **settings) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("MONGO_URI", "APP_ENV", "PHR_DEMO_SEED", "JWT_SECRET_KEY",
                          "HASH_PEPPER", "DATA_ENCRYPTION_KEY", "DATA_ENCRYPTION_KEY_FILE",
                          "AUDIT_CHAIN_KEY", "CONSENT_RECEIPT_KEY", "FLASK_RUN_FROM_CLI")}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env={**env, **settings}, capture_output=True, text=True, timeout=60)


def test_verify_audit_as_its_own_process_refuses_and_seeds_nothing(tmp_path):
    seed = tmp_path / "demo-credentials.json"
    finished = flask_command("verify-audit", APP_ENV="development", PHR_DEMO_SEED=str(seed))
    assert finished.returncode == 1
    assert finished.stderr.strip() == f"Error: {EMBEDDED_REFUSAL}", finished.stderr[-600:]
    assert "intact" not in finished.stdout
    assert not seed.exists()  # a throwaway database's credentials would replace the server's


def test_a_missing_app_env_is_one_line_not_a_traceback():
    finished = flask_command("verify-audit")
    assert finished.returncode != 0
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in finished.stderr, finished.stderr[-600:]
    assert lines[0].startswith("flask --app wsgi: ") and "APP_ENV=development" in lines[0]
