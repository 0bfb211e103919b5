"""App-wide helpers built once in the factory (hasher, cipher, pepper), reached from domain code."""
from flask import current_app

from security.codes import keyed_hash
from security.crypto import FieldCipher
from security.passwords import Passwords


def init_app(app) -> None:
    app.extensions["passwords"] = Passwords(app.config["ARGON2_TIME_COST"],
                                            app.config["ARGON2_MEMORY_KIB"],
                                            app.config["ARGON2_PARALLELISM"],
                                            app.config["PASSWORD_HASH_CONCURRENCY"],
                                            pepper=app.config["HASH_PEPPER"])
    app.extensions["field_cipher"] = FieldCipher(app.config["DATA_ENCRYPTION_KEY"],
                                                 app.config.get("DATA_ENCRYPTION_KEY_ID", "k1"),
                                                 app.config.get("DATA_ENCRYPTION_OLD_KEYS"))


def passwords() -> Passwords:
    return current_app.extensions["passwords"]


def cipher() -> FieldCipher:
    return current_app.extensions["field_cipher"]


def setting(name: str):
    return current_app.config[name]


def peppered_hash(purpose: str, value: str) -> str:
    """Keyed hash of a random secret (codes, client secrets) or an identifier (lockout keys)."""
    return keyed_hash(current_app.config["HASH_PEPPER"], purpose, value)
