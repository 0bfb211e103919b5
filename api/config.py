"""Settings from environment variables; production refuses defaults, weak secrets and the
embedded database."""
import base64
import os

# Development-only values. Production refuses every one of them.
DEV_JWT_SECRET = "dev-only-jwt-secret-do-not-use-in-production-000"
DEV_DATA_KEY = base64.b64encode(b"dev-only-data-key-not-for-prod!!").decode()
DEV_HASH_PEPPER = "dev-only-hash-pepper-do-not-use-in-production-0"
ARGON2_MINIMUM = {"ARGON2_TIME_COST": 3, "ARGON2_MEMORY_KIB": 65536, "ARGON2_PARALLELISM": 4}


class ConfigError(RuntimeError):
    """The configuration is unsafe for the chosen APP_ENV; the message says what to set."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(env=None, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping. Raises ConfigError for unsafe production settings."""
    env = os.environ if env is None else env
    cfg = {
        "APP_ENV": env.get("APP_ENV", "development"),
        "DEBUG": _bool(env.get("FLASK_DEBUG"), False),
        "MONGO_URI": env.get("MONGO_URI") or None,
        "MONGO_DB_NAME": env.get("MONGO_DB_NAME", "phr"),
        "JWT_SECRET_KEY": env.get("JWT_SECRET_KEY", DEV_JWT_SECRET),
        "DATA_ENCRYPTION_KEY": env.get("DATA_ENCRYPTION_KEY", DEV_DATA_KEY),
        "HASH_PEPPER": env.get("HASH_PEPPER", DEV_HASH_PEPPER),
        "ACCESS_TOKEN_MINUTES": int(env.get("ACCESS_TOKEN_MINUTES", "15")),
        "REFRESH_TOKEN_DAYS": int(env.get("REFRESH_TOKEN_DAYS", "30")),
        "FRESH_MINUTES": int(env.get("FRESH_MINUTES", "5")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_BODY_BYTES", str(5 * 1024 * 1024))),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "AUTH_RATE_LIMIT": env.get("AUTH_RATE_LIMIT", "20 per minute"),
        "LOCKOUT_THRESHOLD": int(env.get("LOCKOUT_THRESHOLD", "5")),
        "LOCKOUT_SECONDS": int(env.get("LOCKOUT_SECONDS", "900")),
        "LOCKOUT_MAX_SECONDS": int(env.get("LOCKOUT_MAX_SECONDS", "86400")),
        "TRUSTED_DEVICE_DAYS": int(env.get("TRUSTED_DEVICE_DAYS", "90")),
        "CLIENT_SECRET_GRACE_HOURS": int(env.get("CLIENT_SECRET_GRACE_HOURS", "24")),
        "ACTIVATION_CODE_HOURS": int(env.get("ACTIVATION_CODE_HOURS", "72")),
        "PROXY_FIX_HOPS": int(env.get("PROXY_FIX_HOPS", "0")),
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "PHR"),
        "PHR_DEMO_SEED": env.get("PHR_DEMO_SEED") or None,
        **{k: int(env.get(k, str(v))) for k, v in ARGON2_MINIMUM.items()},
    }
    cfg.update(overrides or {})
    if cfg["APP_ENV"] == "production":
        problems = production_problems(cfg)
        if problems:
            raise ConfigError("Refusing to start with APP_ENV=production: " + "; ".join(problems))
    return cfg


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
    if cfg["DATA_ENCRYPTION_KEY"] == DEV_DATA_KEY:
        problems.append("set DATA_ENCRYPTION_KEY to base64 of 32 random bytes")
    if cfg["ACCESS_TOKEN_MINUTES"] > 15:
        problems.append("set ACCESS_TOKEN_MINUTES to 15 or less")
    for key, minimum in ARGON2_MINIMUM.items():
        if cfg[key] < minimum:
            problems.append(f"set {key} to at least {minimum} (or leave it unset)")
    if cfg.get("PHR_DEMO_SEED"):
        problems.append("unset PHR_DEMO_SEED (demo credentials are for trying the API only)")
    return problems
