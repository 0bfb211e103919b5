"""Settings from environment variables. A mistyped value refuses start-up with a message naming
the variable; production also refuses defaults, weak secrets, the embedded database and
security settings outside their bounds."""
import base64
import os
import re

from limits import parse_many

from security.crypto import decode_key, parse_keys
from security.net import is_loopback

# Development-only values. Production refuses every one of them.
DEV_JWT_SECRET = "dev-only-jwt-secret-do-not-use-in-production-000"
DEV_DATA_KEY = base64.b64encode(b"dev-only-data-key-not-for-prod!!").decode()
DEV_HASH_PEPPER = "dev-only-hash-pepper-do-not-use-in-production-0"
DEV_AUDIT_CHAIN_KEY = "dev-only-audit-chain-key-do-not-use-in-production"
DEV_CONSENT_RECEIPT_KEY = base64.b64encode(b"dev-only-consent-receipt-key-000").decode()
DEV_SECRETS = {"JWT_SECRET_KEY": DEV_JWT_SECRET, "HASH_PEPPER": DEV_HASH_PEPPER,
               "DATA_ENCRYPTION_KEY": DEV_DATA_KEY, "AUDIT_CHAIN_KEY": DEV_AUDIT_CHAIN_KEY,
               "CONSENT_RECEIPT_KEY": DEV_CONSENT_RECEIPT_KEY}
ARGON2_MINIMUM = {"ARGON2_TIME_COST": 3, "ARGON2_MEMORY_KIB": 65536, "ARGON2_PARALLELISM": 4}
# Upper bounds in production: longer tokens, more guesses or a longer grace widen what one leak
# or one attacker gets.
PRODUCTION_MAXIMUM = {"LOCKOUT_THRESHOLD": 10, "ACCESS_TOKEN_MINUTES": 15, "FRESH_MINUTES": 15,
                      "REFRESH_TOKEN_DAYS": 90, "TRUSTED_DEVICE_DAYS": 365,
                      "CLIENT_SECRET_GRACE_HOURS": 168,
                      # Each export is a copy of a hospital's health data until it expires.
                      "BULK_EXPORT_HOURS": 168,
                      # Entries after the last checkpoint can be rolled back unseen by it.
                      "AUDIT_CHECKPOINT_EVERY": 100_000, "AUDIT_CHECKPOINT_SECONDS": 86_400}
# A lock shorter than these would let a guesser through faster than the design assumes.
PRODUCTION_MINIMUM = {"LOCKOUT_SECONDS": 300, "LOCKOUT_MAX_SECONDS": 3600, **ARGON2_MINIMUM}
APP_ENVS = ("development", "test", "production")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
# Integer settings and their defaults. Zero and negatives are refused: a zero lifetime, threshold
# or body limit is never what anyone meant.
INTEGERS = {"ACCESS_TOKEN_MINUTES": 15, "REFRESH_TOKEN_DAYS": 30, "FRESH_MINUTES": 5,
            "LOCKOUT_THRESHOLD": 5, "LOCKOUT_SECONDS": 900, "LOCKOUT_MAX_SECONDS": 86400,
            "TRUSTED_DEVICE_DAYS": 90, "CLIENT_SECRET_GRACE_HOURS": 24,
            "ACTIVATION_CODE_HOURS": 72, "PASSWORD_HASH_CONCURRENCY": 2,
            "AUDIT_CHECKPOINT_EVERY": 1000, "AUDIT_CHECKPOINT_SECONDS": 3600,
            "BULK_EXPORT_HOURS": 24, **ARGON2_MINIMUM}
RATE_LIMITS = {"AUTH_RATE_LIMIT": "20 per minute", "STAFF_SEARCH_RATE_LIMIT": "30 per minute",
               "HOSPITAL_SEARCH_RATE_LIMIT": "120 per minute"}


class ConfigError(RuntimeError):
    """The configuration is mistyped, or unsafe for the chosen APP_ENV; the message names each
    variable and says what to set."""


def _integer(env, name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    """Raises ConfigError unless the value is plain decimal digits within the range."""
    value = env.get(name)
    if value is None or value == "":
        return default
    # Digits only: int() would also take " 15", "1_000", "+5" and non-ASCII digits.
    if not re.fullmatch(r"[0-9]+", value):
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        allowed = f"at least {minimum}" if maximum is None else f"{minimum} to {maximum}"
        raise ConfigError(f"{name} must be {allowed}, not {value!r}")
    return number


def _boolean(env, name: str, default: bool) -> bool:
    """Raises ConfigError for anything but true/false/1/0/yes/no/on/off: a typo such as
    RATELIMIT_ENABLED=ture must not quietly switch a protection off."""
    value = env.get(name)
    if value is None or value == "":
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of {'/'.join(TRUE_WORDS + FALSE_WORDS)}, "
                      f"not {value!r}")


def _rate_limit(env, name: str, default: str) -> str:
    """Raises ConfigError for a limit flask-limiter cannot parse (it would fail every request)."""
    value = env.get(name) or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must read like '20 per minute', not {value!r}") from None
    return value


def _receipt_key(env) -> str:
    """Base64 of the 32-byte Ed25519 private key that signs consent receipts. Raises
    ConfigError for anything else."""
    value = env.get("CONSENT_RECEIPT_KEY") or DEV_CONSENT_RECEIPT_KEY
    try:
        decode_key(value)
    except ValueError:
        raise ConfigError("CONSENT_RECEIPT_KEY must be base64 of 32 bytes (an Ed25519 private "
                          "key)") from None
    return value


def _key_from_file(env) -> str | None:
    """DATA_ENCRYPTION_KEY_FILE: a file holding the base64 key (a mounted secret, or the file a
    KMS agent writes), so the key need not sit in the environment. Raises ConfigError."""
    path = env.get("DATA_ENCRYPTION_KEY_FILE")
    if not path:
        return None
    if env.get("DATA_ENCRYPTION_KEY"):
        raise ConfigError("set DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_KEY_FILE, not both")
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"DATA_ENCRYPTION_KEY_FILE cannot be read: {error}") from None


def _encryption_keys(env) -> dict:
    """The active data key, its id and the old keys still readable during a rotation. Raises
    ConfigError for a key that is not base64 of 32 bytes or a malformed list."""
    settings = {"DATA_ENCRYPTION_KEY": _key_from_file(env) or env.get("DATA_ENCRYPTION_KEY",
                                                                      DEV_DATA_KEY),
                "DATA_ENCRYPTION_KEY_ID": env.get("DATA_ENCRYPTION_KEY_ID") or "k1"}
    try:
        decode_key(settings["DATA_ENCRYPTION_KEY"])
        old = parse_keys(env.get("DATA_ENCRYPTION_OLD_KEYS") or "")
        for key in old.values():
            decode_key(key)
    except ValueError as error:
        raise ConfigError(f"DATA_ENCRYPTION_KEY / DATA_ENCRYPTION_OLD_KEYS: {error}") from None
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", settings["DATA_ENCRYPTION_KEY_ID"]) \
            or settings["DATA_ENCRYPTION_KEY_ID"] in old:
        raise ConfigError("DATA_ENCRYPTION_KEY_ID must be 1-32 letters, digits, '-' or '_', and "
                          "not the id of an old key")
    return {**settings, "DATA_ENCRYPTION_OLD_KEYS": old}


def _parse(env) -> dict:
    """The settings as typed values. Raises ConfigError naming the first mistyped variable."""
    return {
        "APP_ENV": env.get("APP_ENV", "development"),
        "HOST": env.get("HOST", "127.0.0.1"),
        "PORT": _integer(env, "PORT", 8000, maximum=65535),
        "DEBUG": _boolean(env, "FLASK_DEBUG", False),
        "MONGO_URI": env.get("MONGO_URI") or None,
        "MONGO_DB_NAME": env.get("MONGO_DB_NAME", "phr"),
        "JWT_SECRET_KEY": env.get("JWT_SECRET_KEY", DEV_JWT_SECRET),
        **_encryption_keys(env),
        "HASH_PEPPER": env.get("HASH_PEPPER", DEV_HASH_PEPPER),
        "AUDIT_CHAIN_KEY": env.get("AUDIT_CHAIN_KEY", DEV_AUDIT_CHAIN_KEY),
        # Signed checkpoints of the audit chain, one JSON line each; unset: log and database only.
        "AUDIT_CHECKPOINT_FILE": env.get("AUDIT_CHECKPOINT_FILE") or None,
        "CONSENT_RECEIPT_KEY": _receipt_key(env),
        "MAX_CONTENT_LENGTH": _integer(env, "MAX_BODY_BYTES", 5 * 1024 * 1024),
        # FHIR bundles with inline attachments: only POST /v1/hospital/bundles takes these.
        "BUNDLE_MAX_BYTES": _integer(env, "BUNDLE_MAX_BYTES", 25 * 1024 * 1024),
        "BUNDLE_MAX_ENTRIES": _integer(env, "BUNDLE_MAX_ENTRIES", 5000),
        # Base64 inside the resource, then sealed: 8 MiB stays within MongoDB's 16 MiB document.
        "ATTACHMENT_MAX_BYTES": _integer(env, "ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024,
                                         maximum=8 * 1024 * 1024),
        # A scanned consent form, decoded; its base64 travels in a JSON body of MAX_BODY_BYTES.
        "EVIDENCE_SCAN_MAX_BYTES": _integer(env, "EVIDENCE_SCAN_MAX_BYTES", 3 * 1024 * 1024,
                                            maximum=8 * 1024 * 1024),
        # Law 91 Art 24: a child's data is handled by the legal representative; the age at which
        # that ends is not settled in what we read, hence a setting.
        "REPRESENTATION_ENDS_AT_AGE": _integer(env, "REPRESENTATION_ENDS_AT_AGE", 18,
                                               maximum=21),
        "RATELIMIT_ENABLED": _boolean(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Zero hops is meaningful: no proxy in front.
        "PROXY_FIX_HOPS": _integer(env, "PROXY_FIX_HOPS", 0, minimum=0),
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "PHR"),
        "PHR_DEMO_SEED": env.get("PHR_DEMO_SEED") or None,
        # A Firebase service account JSON; unset: pushes go to the log (and the inbox) only.
        "FCM_CREDENTIALS_FILE": (env.get("FCM_CREDENTIALS_FILE")
                                 or env.get("GOOGLE_APPLICATION_CREDENTIALS") or None),
        "FCM_PROJECT_ID": env.get("FCM_PROJECT_ID") or None,
        # Prometheus metrics at /metrics (api/metrics.py); with a token, scrapers must send it.
        "METRICS_ENABLED": _boolean(env, "METRICS_ENABLED", False),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        **{name: _integer(env, name, default) for name, default in INTEGERS.items()},
        **{name: _rate_limit(env, name, default) for name, default in RATE_LIMITS.items()},
    }


def load_config(env=None, overrides: dict | None = None, served_elsewhere: bool = False) -> dict:
    """Build the Flask config mapping. Raises ConfigError for a mistyped setting, a default
    secret on a non-loopback HOST (or, `served_elsewhere`, without an explicit APP_ENV), or
    unsafe production settings."""
    env = os.environ if env is None else env
    cfg = _parse(env)
    cfg.update(overrides or {})
    if cfg["APP_ENV"] not in APP_ENVS:
        # Exact names only: "Production" or "prod" would otherwise run without the refusals.
        raise ConfigError(f"APP_ENV must be one of {', '.join(APP_ENVS)}, not {cfg['APP_ENV']!r}")
    if cfg["APP_ENV"] == "production":
        problems = production_problems(cfg)
        if problems:
            raise ConfigError("Refusing to start with APP_ENV=production: " + "; ".join(problems))
    exposed = exposed_defaults(cfg)
    if exposed:
        raise ConfigError(f"HOST={cfg['HOST']} is reachable from other machines while "
                          f"{', '.join(exposed)} keep their development defaults: set them, "
                          "or set HOST to 127.0.0.1")
    # Imported by another server (gunicorn wsgi:app, flask --app wsgi), the address it listens
    # on is not HOST and cannot be seen from here: the development secrets need APP_ENV said.
    in_use = development_secrets(cfg)
    if served_elsewhere and in_use and not (env.get("APP_ENV")
                                            or (overrides or {}).get("APP_ENV")):
        raise ConfigError(f"wsgi:app is served by another server (gunicorn, flask), whose address "
                          f"this check cannot see, while {', '.join(in_use)} keep their "
                          "development defaults: set them (and APP_ENV=production for a "
                          "deployment), or set APP_ENV=development to use them on this machine")
    return cfg


def exposed_defaults(cfg: dict) -> list[str]:
    """The development secrets still in use when HOST is not loopback: anyone who has read this
    repository could forge tokens for, or decrypt, a server that listens on the network."""
    return [] if is_loopback(cfg["HOST"]) else development_secrets(cfg)


def development_secrets(cfg: dict) -> list[str]:
    """The secrets that still hold this repository's development values."""
    return [name for name, default in DEV_SECRETS.items() if cfg[name] == default]


def production_problems(cfg: dict) -> list[str]:
    """Each unsafe setting, phrased as what to set instead."""
    problems = []
    if not cfg["MONGO_URI"]:
        problems.append("set MONGO_URI to a MongoDB replica set (the embedded database is for "
                        "development only)")
    if cfg["DEBUG"]:
        problems.append("unset FLASK_DEBUG (debug mode exposes an interactive debugger)")
    secret = cfg["JWT_SECRET_KEY"]
    if secret == DEV_JWT_SECRET or len(secret) < 32:
        problems.append("set JWT_SECRET_KEY to a random value of at least 32 characters")
    pepper = cfg["HASH_PEPPER"]
    if pepper == DEV_HASH_PEPPER or len(pepper) < 32:
        problems.append("set HASH_PEPPER to a random value of at least 32 characters")
    chain_key = cfg["AUDIT_CHAIN_KEY"]
    if chain_key == DEV_AUDIT_CHAIN_KEY or len(chain_key) < 32:
        problems.append("set AUDIT_CHAIN_KEY to a random value of at least 32 characters (and "
                        "keep it: the audit chain sealed with it verifies only with it)")
    if not cfg.get("AUDIT_CHECKPOINT_FILE"):
        problems.append("set AUDIT_CHECKPOINT_FILE to a file outside the database (append-only, "
                        "on storage the database's operators cannot write) for the audit "
                        "chain's signed checkpoints")
    if cfg["DATA_ENCRYPTION_KEY"] == DEV_DATA_KEY:
        problems.append("set DATA_ENCRYPTION_KEY to base64 of 32 random bytes")
    if not cfg.get("FCM_CREDENTIALS_FILE"):
        problems.append("set FCM_CREDENTIALS_FILE (or GOOGLE_APPLICATION_CREDENTIALS) to the "
                        "Firebase service account: without it no push reaches a phone")
    if cfg["CONSENT_RECEIPT_KEY"] == DEV_CONSENT_RECEIPT_KEY:
        problems.append("set CONSENT_RECEIPT_KEY to base64 of a 32-byte Ed25519 private key")
    if not cfg["RATELIMIT_ENABLED"]:
        problems.append("set RATELIMIT_ENABLED to true (or leave it unset)")
    for key, maximum in PRODUCTION_MAXIMUM.items():
        if cfg[key] > maximum:
            problems.append(f"set {key} to {maximum} or less")
    if cfg["LOCKOUT_MAX_SECONDS"] < cfg["LOCKOUT_SECONDS"]:
        problems.append("set LOCKOUT_MAX_SECONDS to at least LOCKOUT_SECONDS "
                        f"({cfg['LOCKOUT_SECONDS']})")
    for key, minimum in PRODUCTION_MINIMUM.items():
        if cfg[key] < minimum:
            problems.append(f"set {key} to at least {minimum} (or leave it unset)")
    token = cfg.get("METRICS_TOKEN")
    if cfg.get("METRICS_ENABLED") and (not token or len(token) < 32):
        problems.append("set METRICS_TOKEN to a random value of at least 32 characters (the "
                        "bearer secret of /metrics scrapers), or unset METRICS_ENABLED")
    if cfg.get("PHR_DEMO_SEED"):
        problems.append("unset PHR_DEMO_SEED (demo credentials are for trying the API only)")
    return problems
