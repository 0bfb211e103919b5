"""Configuration from the environment; production refuses unsafe settings (how each setting is
read: test_config_values.py; development secrets kept on loopback: test_development_secrets.py)."""
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


# Production bounds on security settings, each tested at its edge.

@pytest.mark.parametrize("name, maximum", [
    ("LOCKOUT_THRESHOLD", 10), ("ACCESS_TOKEN_MINUTES", 15), ("FRESH_MINUTES", 15),
    ("REFRESH_TOKEN_DAYS", 90), ("TRUSTED_DEVICE_DAYS", 365), ("CLIENT_SECRET_GRACE_HOURS", 168),
    ("AUDIT_CHECKPOINT_EVERY", 100_000), ("AUDIT_CHECKPOINT_SECONDS", 86_400),
    ("BULK_EXPORT_HOURS", 168)])
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
