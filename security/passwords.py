"""Password hashing (argon2id) and the password policy (length + offline common-password check)."""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn refuses inputs longer than this; the prefix decides whether a long password is guessable.
_ZXCVBN_MAX = 72
# Score 0-1 means fewer than ~10^6 guesses: common passwords, keyboard walks, repeats, dates.
MIN_SCORE = 2
# Words common in Vietnamese passwords that zxcvbn's English lists miss ("matkhau" = "password").
LOCAL_WORDS = ["matkhau", "vietnam", "hanoi", "saigon", "hochiminh", "danang", "anhyeuem",
               "emyeuanh", "yeuem", "iloveyou", "benhvien", "suckhoe", "phr"]


class Passwords:
    """argon2id hashing with a dummy verify so unknown accounts cost as much as known ones."""

    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                      parallelism=parallelism, type=Type.ID)
        self._dummy_hash = self._hasher.hash("dummy password for timing equalisation")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when password matches; with no hash, burns the same time and answers False."""
        if not password_hash:
            self._safe_verify(self._dummy_hash, password)
            return False
        return self._safe_verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _safe_verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def password_problems(password: str, user_inputs: list[str] = ()) -> list[str]:
    """Messages explaining why a password is refused; empty when it is acceptable.

    No composition rules (NIST SP 800-63B): only length and guessability, where guessability
    comes from zxcvbn's offline lists (30,000 common passwords, names, words) plus the
    account's own identifiers and local words.
    """
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    inputs = [i for i in user_inputs if i] + LOCAL_WORDS
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        return ["This password is too common or too easy to guess; a few unrelated words work well."]
    return []
