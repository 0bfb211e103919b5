"""The repository's development secrets never leave this machine: with any one of them, a server
listens on loopback only, and an app another server imports (gunicorn, flask) needs APP_ENV said
to keep one."""
import os

import pytest

from api.config import ConfigError, load_config
from tests.api.test_config import SAFE_PRODUCTION, refusal


# HOST: a server holding the repository's development secrets listens on loopback only.

@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "localhost"])
@pytest.mark.parametrize("app_env", ["development", "test"])
def test_default_secrets_may_bind_loopback(host, app_env):
    assert load_config({"APP_ENV": app_env, "HOST": host})["HOST"] == host


def test_host_defaults_to_loopback():
    assert load_config({})["HOST"] == "127.0.0.1"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "128.0.0.1",
                                  "phr.example.org"])
@pytest.mark.parametrize("app_env", ["development", "test"])
def test_default_secrets_on_a_reachable_host_are_refused(host, app_env):
    message = refusal({"APP_ENV": app_env, "HOST": host})
    assert "HOST" in message
    assert all(name in message for name in ("JWT_SECRET_KEY", "HASH_PEPPER", "DATA_ENCRYPTION_KEY",
                                            "AUDIT_CHAIN_KEY"))


REAL_SECRETS = {key: SAFE_PRODUCTION[key] for key in ("JWT_SECRET_KEY", "HASH_PEPPER",
                                                      "DATA_ENCRYPTION_KEY", "AUDIT_CHAIN_KEY",
                                                      "CONSENT_RECEIPT_KEY")}


@pytest.mark.parametrize("default_one", sorted(REAL_SECRETS))
def test_any_one_default_secret_keeps_the_server_on_loopback(default_one):
    env = {**REAL_SECRETS, "HOST": "0.0.0.0"}
    del env[default_one]
    message = refusal(env)
    assert default_one in message and "HOST" in message


def test_real_secrets_may_bind_any_host():
    assert load_config({**REAL_SECRETS, "HOST": "0.0.0.0"})["HOST"] == "0.0.0.0"


# Imported by another server (gunicorn wsgi:app binds where it is told, not on HOST).

@pytest.mark.parametrize("default_one", sorted(REAL_SECRETS))
def test_an_app_served_elsewhere_needs_app_env_said_to_keep_a_default_secret(default_one):
    env = dict(REAL_SECRETS)
    del env[default_one]
    with pytest.raises(ConfigError) as caught:
        load_config(env, served_elsewhere=True)
    assert default_one in str(caught.value) and "APP_ENV" in str(caught.value)
    assert load_config({**env, "APP_ENV": "development"}, served_elsewhere=True)
    assert load_config(env, overrides={"APP_ENV": "test"}, served_elsewhere=True)
    assert load_config(env)  # `python wsgi.py` on loopback: HOST tells where it listens


def test_an_app_served_elsewhere_with_real_secrets_needs_nothing_more():
    assert load_config(REAL_SECRETS, served_elsewhere=True)


@pytest.mark.parametrize("app_env, started", [("", False), ("development", True)])
def test_gunicorn_or_flask_importing_wsgi_is_refused_the_development_secrets(app_env, started):
    import subprocess
    import sys
    from pathlib import Path
    env = {key: value for key, value in os.environ.items()
           if key not in ("APP_ENV", *REAL_SECRETS)}
    if app_env:
        env["APP_ENV"] = app_env
    imported = subprocess.run([sys.executable, "-c", "import wsgi"], capture_output=True,
                              text=True, env=env, timeout=60,
                              cwd=Path(__file__).resolve().parents[2])
    assert (imported.returncode == 0) is started, imported.stderr[-400:]
    if not started:
        assert "JWT_SECRET_KEY" in imported.stderr and "APP_ENV" in imported.stderr


def test_flask_app_discovery_of_the_api_factory_is_refused_the_development_secrets():
    """`flask --app api run --host 0.0.0.0` (and `gunicorn 'api:create_app()'`) build the app
    through create_app(), which cannot see where they listen either."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("APP_ENV", "HOST", "JWT_SECRET_KEY", "HASH_PEPPER",
                          "DATA_ENCRYPTION_KEY", "AUDIT_CHAIN_KEY", "CONSENT_RECEIPT_KEY",
                          "DATA_ENCRYPTION_KEY_FILE")}
    import subprocess
    import sys
    from pathlib import Path
    loaded = subprocess.run(
        [sys.executable, "-c",
         "from flask.cli import ScriptInfo; ScriptInfo(app_import_path='api').load_app()"],
        capture_output=True, text=True, env=env, timeout=60,
        cwd=Path(__file__).resolve().parents[2])
    assert loaded.returncode != 0, "the app was built with the development secrets"
    assert "APP_ENV" in loaded.stderr
