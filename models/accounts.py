"""The sign-in half of patient and staff accounts: password hash, TOTP state, recovery codes.

Patients live in `patients`, staff in `staff`; both share these fields and these functions.
Every write that decides a security outcome is a single conditional update.
"""
from models.db import require_str, utcnow

# The account kinds. Token audiences (services.signin.tokens) are a separate vocabulary.
PATIENT, STAFF = "patient", "staff"
COLLECTIONS = {PATIENT: "patients", STAFF: "staff"}
# Patients sign in by national ID, looked up by its keyed hash (see models.patients).
LOGIN_FIELDS = {PATIENT: "national_id_hash", STAFF: "username"}


def epoch(account: dict) -> int:
    """Bumped by every credential change; step tokens of an older epoch no longer work."""
    return account.get("auth_epoch", 0)


class Accounts:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def _col(self, kind: str):
        return self.db[COLLECTIONS[kind]]

    def find_by_login(self, kind: str, identifier: str) -> dict | None:
        require_str(identifier)
        return self._col(kind).find_one({LOGIN_FIELDS[kind]: identifier})

    def get(self, kind: str, account_id: str) -> dict | None:
        require_str(account_id)
        return self._col(kind).find_one({"_id": account_id})

    def rehash_password(self, kind: str, account_id: str, password_hash: str) -> None:
        """Same password, stronger hash parameters: no credential change."""
        self._col(kind).update_one({"_id": account_id}, {"$set": {"password_hash": password_hash}})

    def set_password_hash(self, kind: str, account_id: str, password_hash: str) -> None:
        """A new password: a credential change (the epoch moves on)."""
        self._col(kind).update_one({"_id": account_id},
                                   {"$set": {"password_hash": password_hash,
                                             "password_changed_at": utcnow()},
                                    "$inc": {"auth_epoch": 1}})

    def disable(self, kind: str, account_id: str) -> bool:
        """Refuse every future sign-in; False when there is no such account."""
        result = self._col(kind).update_one({"_id": account_id},
                                            {"$set": {"disabled": True, "disabled_at": utcnow()},
                                             "$inc": {"auth_epoch": 1}})
        return result.matched_count == 1

    def set_pending_totp(self, kind: str, account_id: str, encrypted_secret: str) -> None:
        """A new secret waits here until a code proves the authenticator has it."""
        self._col(kind).update_one({"_id": account_id},
                                   {"$set": {"totp_pending": encrypted_secret}})

    def activate_totp(self, kind: str, account_id: str, encrypted_secret: str, step: int,
                      recovery_hashes: list[str]) -> bool:
        """Make the pending secret the active one. False when the pending secret changed meanwhile
        (a parallel set-up), so two activations cannot both win."""
        result = self._col(kind).update_one(
            {"_id": account_id, "totp_pending": encrypted_secret},
            {"$set": {"totp_secret": encrypted_secret, "totp_active": True, "totp_last_step": step,
                      "recovery_code_hashes": recovery_hashes, "totp_activated_at": utcnow()},
             "$unset": {"totp_pending": ""}, "$inc": {"auth_epoch": 1}})
        return result.modified_count == 1

    def claim_totp_step(self, kind: str, account_id: str, step: int) -> bool:
        """Record `step` as used. Only one caller can move the step forward, so a code is accepted
        once even when two requests carry it at the same moment."""
        result = self._col(kind).update_one(
            {"_id": account_id, "totp_active": True, "totp_last_step": {"$lt": step}},
            {"$set": {"totp_last_step": step}})
        return result.modified_count == 1

    def use_recovery_code(self, kind: str, account_id: str, code_hash: str) -> bool:
        """Remove one recovery code; True only for the request that removed it."""
        require_str(code_hash)
        result = self._col(kind).update_one(
            {"_id": account_id, "totp_active": True, "recovery_code_hashes": code_hash},
            {"$pull": {"recovery_code_hashes": code_hash}})
        return result.modified_count == 1

    def reset_totp(self, kind: str, account_id: str) -> bool:
        """Remove the second factor (lost phone and recovery codes): the next sign-in enrolls a new
        one. A credential change: step tokens of before stop working."""
        result = self._col(kind).update_one(
            {"_id": account_id},
            {"$set": {"totp_active": False, "recovery_code_hashes": [], "totp_reset_at": utcnow()},
             "$unset": {"totp_secret": "", "totp_pending": ""}, "$inc": {"auth_epoch": 1}})
        return result.matched_count == 1

    def replace_recovery_codes(self, kind: str, account_id: str,
                               recovery_hashes: list[str]) -> None:
        self._col(kind).update_one({"_id": account_id, "totp_active": True},
                                   {"$set": {"recovery_code_hashes": recovery_hashes}})


# Transitional: the module-level functions of before, on the app's database.
