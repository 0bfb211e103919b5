"""What every service is handed: the collaborators, built once by the composition root (the
app factory, api/__init__.py) and passed to each service call as its first argument, `ctx`, as
cosmicpython's service layer passes its unit of work. A test builds one over the embedded
database with Context(db, settings), no app needed.

    ctx.repos      models.repositories.Repositories over the database handle
    ctx.cipher     AES-256-GCM field cipher (security.crypto.FieldCipher)
    ctx.passwords  argon2id hashing, peppered (security.passwords.Passwords)
    ctx.audit      the audit recorder on the main chain (services.audit.recorder.Recorder)
    ctx.jwt        the token codec the API layer provides (None where no token is made)
    ctx.settings   the configuration mapping; ctx.setting(name) reads one
    ctx.now()      the clock (UTC, to the millisecond)
    ctx.observe(e) counts an operational event (e.g. "audit_unavailable") for the metrics the API
                   layer serves; a no-op where none are kept
"""
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cached_property

from models.db import utcnow
from models.repositories import Repositories
from security.codes import keyed_hash
from security.crypto import FieldCipher
from security.passwords import Passwords


class Context:
    def __init__(self, db, settings: Mapping, *, jwt=None,
                 clock: Callable[[], datetime] = utcnow,
                 observe: Callable[[str], None] | None = None):
        self.db, self.settings, self.jwt, self.clock = db, settings, jwt, clock
        self.observe = observe or _ignore
        self.repos = Repositories(db)
        self.cipher = FieldCipher(settings["DATA_ENCRYPTION_KEY"],
                                  settings.get("DATA_ENCRYPTION_KEY_ID", "k1"),
                                  settings.get("DATA_ENCRYPTION_OLD_KEYS"))

    @cached_property
    def passwords(self) -> Passwords:
        # Built on first use: it hashes a dummy password (~170 ms at production cost).
        s = self.settings
        return Passwords(s["ARGON2_TIME_COST"], s["ARGON2_MEMORY_KIB"], s["ARGON2_PARALLELISM"],
                         s["PASSWORD_HASH_CONCURRENCY"], pepper=s["HASH_PEPPER"])

    @cached_property
    def audit(self):
        # the recorder needs the anchor's settings
        from services.audit.recorder import main_recorder
        return main_recorder(self)

    def setting(self, name: str):
        return self.settings[name]

    def now(self) -> datetime:
        return self.clock()

    def peppered_hash(self, purpose: str, value: str) -> str:
        """Keyed hash of a random secret (codes, client secrets) or an identifier (lockout
        keys, the national ID's blind index)."""
        return keyed_hash(self.settings["HASH_PEPPER"], purpose, value)


def _ignore(event: str) -> None:
    """No metrics kept: an event is dropped."""
