"""Password hashing (argon2id) and the password policy (length + offline common-password check)."""
import hashlib
import hmac
import threading
import unicodedata

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
    """argon2id hashing with a dummy verify so unknown accounts cost as much as known ones.

    With a `pepper` (the server's HASH_PEPPER), argon2 hashes not the password but an HMAC of
    it under the pepper, bound to the account's sign-in identifier (`bound_to`): whoever can
    write to the database but holds no server key can neither put in a hash of a password they
    chose nor copy the hash of an account whose password they know onto another account.

    Each hash in flight holds `memory_kib` (64 MiB in production): eight request threads
    checking passwords at once took the server from 91 to 603 MiB. Hashing is CPU-bound, so
    running more at once than the machine has cores gains nothing; at most `concurrency` run
    together and the others wait their turn, known and unknown accounts alike."""

    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4,
                 concurrency: int = 2, pepper: str | None = None):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                      parallelism=parallelism, type=Type.ID)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pepper = pepper.encode("utf-8") if pepper else None
        self._dummy_hash = self.hash("dummy password for timing equalisation")

    def hash(self, password: str, bound_to: str = "") -> str:
        with self._slots:
            return self._hasher.hash(self._keyed(password, bound_to))

    def verify(self, password_hash: str | None, password: str, bound_to: str = "") -> bool:
        """True when password matches; with no hash, burns the same time and answers False."""
        if not password_hash:
            self._safe_verify(self._dummy_hash, password, bound_to)
            return False
        return self._safe_verify(password_hash, password, bound_to)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _keyed(self, password: str, bound_to: str) -> str:
        if self._pepper is None:
            return password
        message = f"password\x00{bound_to}\x00{password}".encode("utf-8")
        return hmac.new(self._pepper, message, hashlib.sha256).hexdigest()

    def _safe_verify(self, password_hash: str, password: str, bound_to: str) -> bool:
        try:
            with self._slots:
                return self._hasher.verify(password_hash, self._keyed(password, bound_to))
        except (VerificationError, InvalidHashError):
            return False


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics: "Lê Minh Châu" -> "le minh chau"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def personal_words(name: str | None = None, national_id: str | None = None,
                   birth_date: str | None = None, others: list = ()) -> list[str]:
    """What the platform knows about a person, as the words a guesser would try first: the
    name folded and run together in every order people write it ("leminhchau", "chauminhle",
    "minhchau"), the national ID and its tail, the birth date (ISO "YYYY-MM-DD") as people
    type it."""
    words = [fold(o) for o in others if o]
    parts = fold(name).split() if name else []
    for start in range(len(parts)):
        for end in range(start + 1, len(parts) + 1):
            words.append("".join(parts[start:end]))
    if len(parts) > 1:
        words += ["".join(reversed(parts)), parts[-1] + "".join(parts[:-1])]
    if national_id:
        words += [national_id, national_id[-4:], national_id[-6:]]
    if birth_date and len(birth_date) == 10:
        year, month, day = birth_date[:4], birth_date[5:7], birth_date[8:10]
        words += [year, day + month + year, year + month + day, day + month + year[2:],
                  month + day + year, day + month]
    return [w for w in dict.fromkeys(words) if w]


def password_problems(password: str, user_inputs: list[str] = ()) -> list[str]:
    """Messages explaining why a password is refused; empty when it is acceptable.

    No composition rules (NIST SP 800-63B): only length and guessability, where guessability
    comes from zxcvbn's offline lists (30,000 common passwords, names, words) plus the
    person's own words (see personal_words) and local words, all compared without diacritics.
    """
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    inputs = [fold(i) for i in user_inputs if i] + LOCAL_WORDS
    folded = fold(password)
    # Also run together: "Nguyễn Văn An 1990" is "nguyenvanan1990" to a guesser.
    joined = "".join(ch for ch in folded if ch.isalnum())
    score = min(zxcvbn(text[:_ZXCVBN_MAX], user_inputs=inputs)["score"]
                for text in {folded, joined} if text)
    if score < MIN_SCORE:
        return ["This password is too common or too easy to guess; "
                "a few unrelated words work well."]
    return []
