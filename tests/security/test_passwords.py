"""security.passwords: argon2id hashing, the dummy verify, the cap on checks at once, and the
policy."""
import threading

import pytest
from argon2 import PasswordHasher

from security.passwords import MAX_LENGTH, Passwords, password_problems

FAST = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}


def test_hashes_are_argon2id_and_verify():
    passwords = Passwords(**FAST)
    hashed = passwords.hash("violet tractor sings")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "violet tractor sings")
    assert not passwords.verify(hashed, "violet tractor sing")


def test_unknown_account_still_runs_a_full_verify(monkeypatch):
    """No hash (unknown account) must cost one argon2 verify, like a wrong password does."""
    passwords = Passwords(**FAST)
    calls = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, h, p: calls.append(h) or real_verify(self, h, p))
    assert passwords.verify(None, "anything at all") is False
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_garbage_hash_is_a_failed_verify_not_an_error():
    assert Passwords(**FAST).verify("not-a-hash", "whatever") is False


def test_production_cost_is_the_library_default():
    params = Passwords()._hasher
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)


def test_old_parameters_are_flagged_for_rehash():
    old = Passwords(**FAST).hash("violet tractor sings")
    assert Passwords(time_cost=2, memory_kib=8, parallelism=1).needs_rehash(old)


@pytest.mark.parametrize("password", ["password", "Password1", "123456789", "qwerty123",
                                      "matkhau123", "anhyeuem123", "abcabcabc"])
def test_common_passwords_are_refused(password):
    assert password_problems(password)


def test_passwords_built_on_the_account_identifiers_are_refused():
    assert password_problems("079000000123", ["079000000123"])
    assert password_problems("support.one!", ["support.one"])


@pytest.mark.parametrize("password", ["violet tractor sings", "Tr0ub4dor&3x",
                                      "hoa sen no tren mat ho tay"])
def test_uncommon_passwords_pass_without_composition_rules(password):
    assert password_problems(password) == []


def test_length_limits():
    assert password_problems("Zq9#vLp")  # 7 characters
    assert password_problems("k" * (MAX_LENGTH + 1))
    long_one = "tram chim bay qua song hong luc binh minh len cao mai mai nho em ve"
    assert len(long_one) > 64 and password_problems(long_one) == []


def test_fold_drops_vietnamese_diacritics():
    from security.passwords import fold
    assert fold("Lê Minh Châu") == "le minh chau"
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("Đặng Thị Đào") == "dang thi dao"


def test_personal_words_cover_name_orders_national_id_and_birth_date():
    from security.passwords import personal_words
    words = personal_words("Lê Minh Châu", "048200000003", "1990-07-15")
    for expected in ("leminhchau", "minhchau", "chauleminh", "chauminhle", "le", "chau",
                     "048200000003", "0003", "000003", "1990", "15071990", "19900715",
                     "150790", "07151990", "1507"):
        assert expected in words
    assert personal_words() == []


@pytest.mark.parametrize("password, name", [("leminhchau1990", "Lê Minh Châu"),
                                            ("nguyenvanan", "Nguyễn Văn An"),
                                            ("Nguyễn Văn An 1990", "Nguyen Van An")])
def test_passwords_built_on_the_name_are_refused_without_diacritics(password, name):
    from security.passwords import personal_words
    assert password_problems(password, personal_words(name, birth_date="1990-01-01"))
    assert not password_problems("violet tractor sings", personal_words(name))


def test_a_password_built_on_the_birth_date_is_refused():
    from security.passwords import personal_words
    assert password_problems("lan15071990", personal_words("Tran Lan", birth_date="1990-07-15"))


def most_at_once(passwords: Passwords, monkeypatch, calls: int = 6) -> int:
    """How many of `calls` threads checking passwords at once are inside argon2 together. Each
    check blocks inside argon2 until released; the others are given time to pile in first."""
    inside, most = [0], [0]
    release, entered = threading.Event(), threading.Condition()

    def held(self, *args):
        with entered:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            entered.notify_all()
        release.wait(10)
        with entered:
            inside[0] -= 1
        return True
    monkeypatch.setattr(PasswordHasher, "verify", held)
    threads = [threading.Thread(target=passwords.verify, args=(None if n % 2 else "$argon2id$x",
                                                                "violet tractor sings"))
               for n in range(calls)]
    for thread in threads:
        thread.start()
    with entered:  # half a second for every thread that can get in to get in
        entered.wait_for(lambda: inside[0] == calls, timeout=0.5)
    release.set()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
    return most[0]


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_no_more_password_checks_run_at_once_than_the_cap(monkeypatch, cap):
    """argon2id holds 64 MiB per check in production: the cap bounds the server's memory."""
    assert most_at_once(Passwords(**FAST, concurrency=cap), monkeypatch) == cap


def test_hashing_takes_a_slot_too(monkeypatch):
    passwords = Passwords(**FAST, concurrency=1)
    taken = []
    monkeypatch.setattr(PasswordHasher, "hash",
                        lambda self, p: taken.append(passwords._slots.acquire(blocking=False))
                        or "$argon2id$stub")
    passwords.hash("violet tractor sings")
    assert taken == [False]  # the one slot was held by the hash itself


def test_the_app_caps_password_checks_as_configured(make_app, monkeypatch):
    app = make_app(PASSWORD_HASH_CONCURRENCY=3)
    assert most_at_once(app.extensions["ctx"].passwords, monkeypatch) == 3


def test_with_a_pepper_only_the_keyed_and_bound_password_verifies():
    """A database writer without the server's pepper can neither put in an argon2 hash of a
    password they chose nor move a hash to another account."""
    peppered = Passwords(**FAST, pepper="server pepper, kept outside the database")
    hashed = peppered.hash("violet tractor sings", "account-a")
    assert peppered.verify(hashed, "violet tractor sings", "account-a")
    assert not peppered.verify(hashed, "violet tractor sings", "account-b")
    assert not peppered.verify(Passwords(**FAST).hash("violet tractor sings"),
                               "violet tractor sings", "account-a")
    other_pepper = Passwords(**FAST, pepper="another pepper")
    assert not other_pepper.verify(hashed, "violet tractor sings", "account-a")
