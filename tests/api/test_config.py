"""Configuration from the environment; production refuses unsafe settings."""
import base64
import os

import pytest

from api import create_app
from api.config import ConfigError, load_config

SAFE_PRODUCTION = {
    "APP_ENV": "production", "MONGO_URI": "mongodb://db.internal:27017/?replicaSet=rs0",
    "JWT_SECRET_KEY": "k" * 48, "HASH_PEPPER": "p" * 48,
    "DATA_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
}


def refusal(env: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    return str(caught.value)


def test_production_config_refuses_defaults():
    message = refusal({"APP_ENV": "production"})
    for setting in ("MONGO_URI", "JWT_SECRET_KEY", "HASH_PEPPER", "DATA_ENCRYPTION_KEY"):
        assert f"set {setting}" in message


def test_production_refuses_the_embedded_database():
    env = {**SAFE_PRODUCTION}
    del env["MONGO_URI"]
    assert "MONGO_URI" in refusal(env)


def test_production_refuses_a_short_secret():
    assert "JWT_SECRET_KEY" in refusal({**SAFE_PRODUCTION, "JWT_SECRET_KEY": "short-secret"})


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
