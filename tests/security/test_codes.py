"""security.codes: human-typable codes and keyed hashes."""
from security.codes import human_code, keyed_hash, normalize_code


def test_human_code_shape_and_alphabet():
    code = human_code()
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code) & set("01ILO")


def test_normalize_ignores_case_and_separators():
    assert normalize_code("k7qm-2xpd w9rt") == "K7QM2XPDW9RT"


def test_keyed_hash_depends_on_pepper_and_purpose():
    assert keyed_hash("p1", "activation", "X") == keyed_hash("p1", "activation", "X")
    assert keyed_hash("p1", "activation", "X") != keyed_hash("p2", "activation", "X")
    assert keyed_hash("p1", "activation", "X") != keyed_hash("p1", "recovery", "X")
