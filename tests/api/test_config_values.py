"""How each setting is read from the environment: whole numbers, booleans, rate limits and
encryption keys; a mistyped setting is a ConfigError naming the variable, never a ValueError or a
silent default."""
import base64
import os

import pytest

from api.config import ConfigError, load_config
from tests.api.test_config import refusal

INTEGER_SETTINGS = ["PORT", "ACCESS_TOKEN_MINUTES", "REFRESH_TOKEN_DAYS", "FRESH_MINUTES",
                    "MAX_BODY_BYTES", "LOCKOUT_THRESHOLD", "LOCKOUT_SECONDS", "LOCKOUT_MAX_SECONDS",
                    "TRUSTED_DEVICE_DAYS", "CLIENT_SECRET_GRACE_HOURS", "ACTIVATION_CODE_HOURS",
                    "ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM",
                    "PASSWORD_HASH_CONCURRENCY", "BULK_EXPORT_HOURS"]


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
