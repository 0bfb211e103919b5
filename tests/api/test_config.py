"""Configuration from the environment; production refuses unsafe settings."""
import base64
import os

import pytest

from api import create_app
from api.config import ConfigError, load_config

SAFE_PRODUCTION = {
    "APP_ENV": "production", "MONGO_URI": "mongodb://db.internal:27017/?replicaSet=rs0",
    "JWT_SECRET_KEY": "k" * 48, "HASH_PEPPER": "p" * 48, "AUDIT_CHAIN_KEY": "a" * 48,
    "DATA_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
    "CONSENT_RECEIPT_KEY": base64.b64encode(os.urandom(32)).decode(),
    "FCM_CREDENTIALS_FILE": "/run/secrets/firebase.json",
    "AUDIT_CHECKPOINT_FILE": "/var/lib/phr-audit/checkpoints.jsonl",
}


def refusal(env: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    return str(caught.value)


def test_production_config_refuses_defaults():
    message = refusal({"APP_ENV": "production"})
    for setting in ("MONGO_URI", "JWT_SECRET_KEY", "HASH_PEPPER", "DATA_ENCRYPTION_KEY",
                    "AUDIT_CHAIN_KEY"):
        assert f"set {setting}" in message


def test_production_refuses_the_embedded_database():
    env = {**SAFE_PRODUCTION}
    del env["MONGO_URI"]
    assert "MONGO_URI" in refusal(env)


def test_production_refuses_a_short_secret():
    assert "JWT_SECRET_KEY" in refusal({**SAFE_PRODUCTION, "JWT_SECRET_KEY": "short-secret"})


def test_production_audit_chain_key_needs_32_characters_and_not_the_default():
    at_the_edge = load_config({**SAFE_PRODUCTION, "AUDIT_CHAIN_KEY": "a" * 32})
    assert at_the_edge["AUDIT_CHAIN_KEY"] == "a" * 32
    assert "set AUDIT_CHAIN_KEY" in refusal({**SAFE_PRODUCTION, "AUDIT_CHAIN_KEY": "a" * 31})
    unset = {k: v for k, v in SAFE_PRODUCTION.items() if k != "AUDIT_CHAIN_KEY"}
    assert "set AUDIT_CHAIN_KEY" in refusal(unset)


def test_development_has_an_audit_chain_key():
    assert len(load_config({})["AUDIT_CHAIN_KEY"]) >= 32


def test_production_refuses_debug():
    assert "FLASK_DEBUG" in refusal({**SAFE_PRODUCTION, "FLASK_DEBUG": "1"})


def test_production_refuses_long_access_tokens_and_cheap_hashing():
    message = refusal({**SAFE_PRODUCTION, "ACCESS_TOKEN_MINUTES": "60", "ARGON2_TIME_COST": "1"})
    assert "ACCESS_TOKEN_MINUTES" in message and "ARGON2_TIME_COST" in message


def test_production_refuses_the_demo_seed():
    assert "PHR_DEMO_SEED" in refusal({**SAFE_PRODUCTION, "PHR_DEMO_SEED": "/tmp/x.json"})


def test_production_accepts_safe_settings():
    config = load_config(SAFE_PRODUCTION)
    assert config["APP_ENV"] == "production" and config["RATELIMIT_ENABLED"] is True


def test_app_factory_refuses_to_start_with_production_defaults(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    for name in ("MONGO_URI", "JWT_SECRET_KEY", "HASH_PEPPER", "DATA_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_rate_limits_are_on_by_default_and_off_only_when_asked():
    assert load_config({})["RATELIMIT_ENABLED"] is True
    assert load_config({"RATELIMIT_ENABLED": "false"})["RATELIMIT_ENABLED"] is False


def test_bad_encryption_key_is_refused(make_app):
    with pytest.raises(ValueError):
        make_app(DATA_ENCRYPTION_KEY=base64.b64encode(b"too short").decode())


# APP_ENV switches the production refusals on, so only its exact names are accepted.

@pytest.mark.parametrize("value", ["Production", "prod", "production ", "PRODUCTION", "staging",
                                   ""])
def test_app_env_other_than_the_three_names_is_refused(value):
    assert "APP_ENV" in refusal({"APP_ENV": value})


@pytest.mark.parametrize("value", ["development", "test"])
def test_app_env_accepts_development_and_test(value):
    assert load_config({"APP_ENV": value})["APP_ENV"] == value


def test_unset_app_env_is_development():
    assert load_config({})["APP_ENV"] == "development"


# Mistyped settings: a ConfigError naming the variable, never a ValueError or a silent default.

INTEGER_SETTINGS = ["PORT", "ACCESS_TOKEN_MINUTES", "REFRESH_TOKEN_DAYS", "FRESH_MINUTES",
                    "MAX_BODY_BYTES", "LOCKOUT_THRESHOLD", "LOCKOUT_SECONDS", "LOCKOUT_MAX_SECONDS",
                    "TRUSTED_DEVICE_DAYS", "CLIENT_SECRET_GRACE_HOURS", "ACTIVATION_CODE_HOURS",
                    "ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM",
                    "PASSWORD_HASH_CONCURRENCY"]


@pytest.mark.parametrize("name", INTEGER_SETTINGS)
@pytest.mark.parametrize("value", ["fifteen", "1.5", "0", "-3"])
def test_integer_setting_that_is_not_a_positive_whole_number_is_refused(name, value):
    assert name in refusal({name: value})


@pytest.mark.parametrize("name", INTEGER_SETTINGS)
def test_integer_setting_is_read(name):
    key = "MAX_CONTENT_LENGTH" if name == "MAX_BODY_BYTES" else name
    assert load_config({name: "7"})[key] == 7


@pytest.mark.parametrize("value", [" 15", "15 ", "1_5", "+15", "١٥", "0x0f", "15m"])
def test_integer_setting_takes_plain_digits_only(value):
    assert "ACCESS_TOKEN_MINUTES" in refusal({"ACCESS_TOKEN_MINUTES": value})


def test_port_above_65535_is_refused():
    assert "PORT" in refusal({"PORT": "65536"})
    assert load_config({"PORT": "65535"})["PORT"] == 65535


def test_proxy_fix_hops_may_be_zero_but_not_negative():
    assert load_config({"PROXY_FIX_HOPS": "0"})["PROXY_FIX_HOPS"] == 0
    assert load_config({"PROXY_FIX_HOPS": "2"})["PROXY_FIX_HOPS"] == 2
    for value in ("-1", "one"):
        assert "PROXY_FIX_HOPS" in refusal({"PROXY_FIX_HOPS": value})


@pytest.mark.parametrize("name", ["FLASK_DEBUG", "RATELIMIT_ENABLED"])
@pytest.mark.parametrize("value", ["ture", "flase", "enabled", "2", "y", "of"])
def test_boolean_setting_outside_the_known_words_is_refused(name, value):
    assert name in refusal({name: value})


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("1", True), ("yes", True), ("on", True), ("TRUE", True),
    ("false", False), ("0", False), ("no", False), ("off", False), ("Off", False)])
def test_boolean_setting_words(value, expected):
    config = load_config({"RATELIMIT_ENABLED": value, "FLASK_DEBUG": value})
    assert config["RATELIMIT_ENABLED"] is expected and config["DEBUG"] is expected


@pytest.mark.parametrize("name", ["AUTH_RATE_LIMIT", "STAFF_SEARCH_RATE_LIMIT"])
def test_unparseable_rate_limit_is_refused(name):
    assert name in refusal({name: "20 per minit"})
    assert load_config({name: "5/minute"})[name] == "5/minute"


def test_staff_search_rate_limit_default():
    assert load_config({})["STAFF_SEARCH_RATE_LIMIT"] == "30 per minute"


# Production bounds on security settings, each tested at its edge.

@pytest.mark.parametrize("name, maximum", [
    ("LOCKOUT_THRESHOLD", 10), ("ACCESS_TOKEN_MINUTES", 15), ("FRESH_MINUTES", 15),
    ("REFRESH_TOKEN_DAYS", 90), ("TRUSTED_DEVICE_DAYS", 365), ("CLIENT_SECRET_GRACE_HOURS", 168),
    ("AUDIT_CHECKPOINT_EVERY", 100_000), ("AUDIT_CHECKPOINT_SECONDS", 86_400)])
def test_production_bound_allows_the_maximum_and_refuses_one_more(name, maximum):
    assert load_config({**SAFE_PRODUCTION, name: str(maximum)})[name] == maximum
    message = refusal({**SAFE_PRODUCTION, name: str(maximum + 1)})
    assert f"set {name} to {maximum} or less" in message


def test_bounds_apply_in_production_only():
    relaxed = {"LOCKOUT_THRESHOLD": "50", "ACCESS_TOKEN_MINUTES": "60", "FRESH_MINUTES": "60",
               "REFRESH_TOKEN_DAYS": "400", "TRUSTED_DEVICE_DAYS": "1000",
               "CLIENT_SECRET_GRACE_HOURS": "1000", "LOCKOUT_MAX_SECONDS": "60",
               "RATELIMIT_ENABLED": "false"}
    assert load_config(relaxed)["ACCESS_TOKEN_MINUTES"] == 60


def test_production_lockout_maximum_is_at_least_the_first_lockout():
    base = {**SAFE_PRODUCTION, "LOCKOUT_SECONDS": "7200"}
    assert load_config({**base, "LOCKOUT_MAX_SECONDS": "7200"})["LOCKOUT_MAX_SECONDS"] == 7200
    message = refusal({**base, "LOCKOUT_MAX_SECONDS": "7199"})
    assert "set LOCKOUT_MAX_SECONDS to at least LOCKOUT_SECONDS" in message


@pytest.mark.parametrize("name, minimum", [("LOCKOUT_SECONDS", 300),
                                           ("LOCKOUT_MAX_SECONDS", 3600)])
def test_production_locks_have_a_floor(name, minimum):
    assert load_config({**SAFE_PRODUCTION, name: str(minimum)})[name] == minimum
    assert f"set {name} to at least {minimum}" in refusal(
        {**SAFE_PRODUCTION, name: str(minimum - 1)})
    assert "LOCKOUT_MAX_SECONDS" in refusal({**SAFE_PRODUCTION, "LOCKOUT_SECONDS": "86401"})


@pytest.mark.parametrize("value", ["false", "0", "off", "no"])
def test_production_refuses_rate_limits_switched_off(value):
    assert "RATELIMIT_ENABLED" in refusal({**SAFE_PRODUCTION, "RATELIMIT_ENABLED": value})


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


@pytest.mark.parametrize("env", [{"DATA_ENCRYPTION_OLD_KEYS": "k0"},
                                 {"DATA_ENCRYPTION_OLD_KEYS": "k0:not-base64!"},
                                 {"DATA_ENCRYPTION_KEY_ID": "has space"},
                                 {"DATA_ENCRYPTION_KEY_ID": "k0", "DATA_ENCRYPTION_OLD_KEYS":
                                  "k0:" + base64.b64encode(os.urandom(32)).decode()},
                                 {"BUNDLE_MAX_BYTES": "0"}, {"BUNDLE_MAX_ENTRIES": "many"}])
def test_mistyped_encryption_and_bundle_settings_refuse_to_start(env):
    with pytest.raises(ConfigError):
        load_config(env)


def test_old_keys_are_read_for_a_rotation():
    old = base64.b64encode(os.urandom(32)).decode()
    config = load_config({"DATA_ENCRYPTION_KEY_ID": "k2", "DATA_ENCRYPTION_OLD_KEYS": f"k1:{old}"})
    assert config["DATA_ENCRYPTION_OLD_KEYS"] == {"k1": old}
    assert config["DATA_ENCRYPTION_KEY_ID"] == "k2"


def test_the_data_key_can_come_from_a_file(tmp_path):
    key = base64.b64encode(os.urandom(32)).decode()
    path = tmp_path / "data.key"
    path.write_text(key + "\n")
    assert load_config({"DATA_ENCRYPTION_KEY_FILE": str(path)})["DATA_ENCRYPTION_KEY"] == key
    with pytest.raises(ConfigError):
        load_config({"DATA_ENCRYPTION_KEY_FILE": str(tmp_path / "missing")})
    with pytest.raises(ConfigError):
        load_config({"DATA_ENCRYPTION_KEY_FILE": str(path), "DATA_ENCRYPTION_KEY": key})
    path.write_text("not a key")
    with pytest.raises(ConfigError):
        load_config({"DATA_ENCRYPTION_KEY_FILE": str(path)})


def test_production_refuses_to_start_without_an_audit_checkpoint_file():
    env = {k: v for k, v in SAFE_PRODUCTION.items() if k != "AUDIT_CHECKPOINT_FILE"}
    assert "set AUDIT_CHECKPOINT_FILE" in refusal(env)


def test_audit_checkpoints_default_to_every_thousand_entries_or_hour_without_a_file():
    config = load_config({})
    assert (config["AUDIT_CHECKPOINT_EVERY"], config["AUDIT_CHECKPOINT_SECONDS"],
            config["AUDIT_CHECKPOINT_FILE"]) == (1000, 3600, None)


def test_production_refuses_to_start_without_a_firebase_service_account():
    env = {k: v for k, v in SAFE_PRODUCTION.items() if k != "FCM_CREDENTIALS_FILE"}
    assert "FCM_CREDENTIALS_FILE" in refusal(env)
    assert load_config({**env, "GOOGLE_APPLICATION_CREDENTIALS": "/x.json"})[
        "FCM_CREDENTIALS_FILE"] == "/x.json"


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
