"""Step tokens (mfa) that were already exchanged for a session: each is usable once."""
from models.db import DuplicateKeyError, get_db, require_str


def is_claimed(jti: str) -> bool:
    require_str(jti)
    return get_db().used_step_tokens.count_documents({"_id": jti}, limit=1) == 1


def claim(jti: str, expires_at) -> bool:
    """True only for the first caller that claims this token id."""
    require_str(jti)
    try:
        get_db().used_step_tokens.insert_one({"_id": jti, "expires_at": expires_at})
    except DuplicateKeyError:
        return False
    return True
