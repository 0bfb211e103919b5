"""Step tokens (mfa) that were already exchanged for a session: each is usable once."""
from models.db import DuplicateKeyError, require_str


class StepTokens:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def is_claimed(self, jti: str) -> bool:
        require_str(jti)
        return self.db.used_step_tokens.count_documents({"_id": jti}, limit=1) == 1

    def claim(self, jti: str, expires_at) -> bool:
        """True only for the first caller that claims this token id."""
        require_str(jti)
        try:
            self.db.used_step_tokens.insert_one({"_id": jti, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        return True


# Transitional: the module-level functions of before, on the app's database.
