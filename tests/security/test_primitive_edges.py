"""security/ at its edges: strict decoding, the empty value, the configured argon2 cost, the
password policy's boundaries and the Vietnamese letters it folds, and where the audit chain's
verifier says a chain breaks."""
import base64
import os
from datetime import datetime, timedelta, timezone

import pytest

from security import audit_chain
from security.crypto import DecryptionError, FieldCipher, decode_key
from security.passwords import MAX_LENGTH, MIN_LENGTH, Passwords, fold, password_problems, \
    personal_words

KEY = base64.b64encode(os.urandom(32)).decode()


def test_an_empty_value_round_trips():
    cipher = FieldCipher(KEY)
    assert cipher.decrypt(cipher.encrypt("", "ctx"), "ctx") == ""


def test_a_ciphertext_with_characters_outside_base64_is_malformed():
    cipher = FieldCipher(KEY)
    version, blob = cipher.encrypt("secret", "ctx").split(":", 1)
    with pytest.raises(DecryptionError):
        cipher.decrypt(f"{version}:{blob[:8]}*{blob[8:]}", "ctx")


def test_a_key_with_stray_characters_is_refused_not_cleaned_up():
    with pytest.raises(ValueError):
        decode_key(KEY[:10] + "*" + KEY[10:])


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"16 bytes only!!!").decode()])
def test_a_refused_key_says_what_is_wrong(key):
    # The configuration names the setting (DATA_ENCRYPTION_KEY, an old key, the receipt key);
    # the primitive says what a key must be.
    with pytest.raises(ValueError, match="encryption key must"):
        decode_key(key)


def test_the_configured_argon2_cost_is_the_one_used():
    hashed = Passwords(time_cost=1, memory_kib=8, parallelism=1).hash("violet tractor sings")
    assert "$m=8,t=1,p=1$" in hashed


def test_the_length_limits_are_inclusive():
    shortest = "Zq9#vLp2"  # also a zxcvbn score of exactly 2, the lowest accepted
    assert len(shortest) == MIN_LENGTH and password_problems(shortest) == []
    longest = ("tram chim bay qua song hong luc binh minh " * 4)[:MAX_LENGTH]
    assert len(longest) == MAX_LENGTH and password_problems(longest) == []


def test_fold_turns_both_cases_of_d_with_stroke_into_d():
    assert fold("đường Đào") == "duong dao"


def test_a_two_word_name_is_tried_in_both_orders():
    words = personal_words("Trần Lan")
    assert "tranlan" in words and "lantran" in words


# The audit chain's verdicts name the place a chain breaks: its position and its seq.
CHAIN_KEY = b"k" * 32


def chain(n):
    return audit_chain.seal([{"seq": i, "action": "records.read", "n": i}
                             for i in range(1, n + 1)], CHAIN_KEY)


def test_an_entry_without_a_whole_number_seq_is_out_of_order_where_it_stands():
    entries = chain(3)
    entries[1] = {**entries[1], "seq": "2"}
    fault = audit_chain.first_fault(entries, CHAIN_KEY)
    assert (fault.position, fault.seq, fault.reason) == (1, 2, audit_chain.OUT_OF_ORDER)


def test_a_broken_link_names_the_entry_it_broke_at():
    entries = chain(3)
    entries[2] = {**entries[2], "prev": "0" * 64}
    fault = audit_chain.first_fault(entries, CHAIN_KEY)
    assert (fault.position, fault.seq, fault.reason) == (2, 3, audit_chain.BROKEN_LINK)


def test_a_head_that_does_not_match_the_last_entry_names_the_last_seq():
    entries = chain(3)
    fault = audit_chain.first_fault(entries, CHAIN_KEY, head={"seq": 3, "hash": "f" * 64})
    assert (fault.seq, fault.reason) == (3, audit_chain.ALTERED)


def test_verify_reads_the_head_so_removed_newest_entries_are_found():
    entries = chain(3)
    head = {"seq": 3, "hash": entries[-1]["hash"]}
    assert audit_chain.verify(entries, CHAIN_KEY, head) is None
    assert audit_chain.verify(entries[:-1], CHAIN_KEY, head) == 2


def test_a_changed_value_inside_a_list_breaks_the_seal():
    [entry] = audit_chain.seal([{"seq": 1, "action": "records.list",
                                 "target": {"ids": ["rec_a", "rec_b"]}}], CHAIN_KEY)
    altered = {**entry, "target": {"ids": ["rec_a", "rec_x"]}}
    assert audit_chain.verify([entry], CHAIN_KEY) is None
    assert audit_chain.verify([altered], CHAIN_KEY) == 0



def test_audit_times_are_utc_whatever_the_servers_time_zone(server_clock_five_hours_behind_utc):
    naive_utc = datetime(2026, 11, 25, 9, 0, 0, 123456)  # as pymongo returns it
    hanoi = datetime(2026, 11, 25, 16, 0, 0, 123999, tzinfo=timezone(timedelta(hours=7)))
    assert audit_chain.iso_millis(naive_utc) == "2026-11-25T09:00:00.123Z"
    assert audit_chain.iso_millis(hanoi) == "2026-11-25T09:00:00.123Z"
