"""security.audit_anchor: the head's seal, when a checkpoint is due, and signed checkpoints that
a witness checks with the public key alone."""
from datetime import datetime, timedelta, timezone

import pytest

from consent.receipts import sign_receipt, verify_receipt
from security.audit_anchor import (Schedule, checkpoint, checkpoint_holds, checkpoint_line,
                                   checkpoint_payload, genesis_head, head_holds, head_seal,
                                   public_key, read_checkpoint_line, sign_checkpoint)
from security.audit_chain import GENESIS, entry_hash

KEY = b"c" * 32
SEED = bytes(range(32))
OTHER_SEED = bytes(range(1, 33))
T0 = datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=timezone.utc)
HASH = "ab" * 32


def sealed_head(seq=5, hash_=HASH, chain="main", key=KEY) -> dict:
    return {"_id": chain, "seq": seq, "hash": hash_, "seal": head_seal(key, chain, seq, hash_)}


def test_a_sealed_head_holds_under_its_key_and_chain():
    assert head_holds(KEY, "main", sealed_head())
    assert head_holds(KEY, "main", genesis_head(KEY, "main"))
    assert genesis_head(KEY, "main")["hash"] == GENESIS


@pytest.mark.parametrize("change", [
    {"seq": 4}, {"hash": "cd" * 32}, {"seal": "0" * 64}, {"seq": True}, {"seq": "5"},
    {"seal": None}, {"hash": None}])
def test_a_head_changed_without_the_key_does_not_hold(change):
    assert not head_holds(KEY, "main", {**sealed_head(), **change})


def test_a_head_does_not_hold_under_another_key_or_chain_or_without_a_seal():
    head = sealed_head()
    assert not head_holds(b"d" * 32, "main", head)
    assert not head_holds(KEY, "other", head)
    assert not head_holds(KEY, "main", {"seq": 5, "hash": HASH})
    assert not head_holds(KEY, "main", None)


def test_the_previous_entrys_seq_and_hash_copied_into_the_head_do_not_hold():
    # The truncation the seal is for: the attacker knows every entry hash, not the key.
    previous = {"seq": 4, "hash": entry_hash(GENESIS, {"seq": 4}, KEY)}
    assert not head_holds(KEY, "main", {**sealed_head(), **previous})


SCHEDULE = Schedule(every=10, seconds=3600)


def bookkeeping(seq=22, checkpoint_seq=21, at=T0) -> dict:
    return {"seq": seq, "checkpoint_seq": checkpoint_seq, "checkpoint_at": at}


def test_a_checkpoint_is_due_at_every_tenth_seq_whatever_the_bookkeeping_says():
    assert SCHEDULE.due({"seq": 0}, 1, T0)  # the first entry
    assert not SCHEDULE.due(bookkeeping(), 30, T0)
    assert SCHEDULE.due(bookkeeping(), 31, T0)
    assert SCHEDULE.due(bookkeeping(), 45, T0)  # a batch crossing seq 31 ends in one
    # Bookkeeping written by hand to say "just checkpointed" holds none of them back.
    assert SCHEDULE.due(bookkeeping(seq=30, checkpoint_seq=30), 31, T0)


def test_a_checkpoint_is_due_every_so_much_time():
    assert not SCHEDULE.due(bookkeeping(), 23, T0 + timedelta(seconds=3599))
    assert SCHEDULE.due(bookkeeping(), 23, T0 + timedelta(seconds=3600))


def test_a_naive_time_from_the_database_is_taken_as_utc():
    naive = T0.replace(tzinfo=None)
    assert not SCHEDULE.due(bookkeeping(at=naive), 23, T0 + timedelta(seconds=10))


def test_bookkeeping_dated_more_than_a_period_ahead_is_due_and_one_period_ahead_not_yet():
    period = timedelta(seconds=SCHEDULE.seconds)
    assert not SCHEDULE.due(bookkeeping(at=T0 + period), 21, T0)
    assert SCHEDULE.due(bookkeeping(at=T0 + period + timedelta(microseconds=1)), 21, T0)


def test_a_time_with_another_offset_compares_as_the_same_instant():
    vietnam = T0.astimezone(timezone(timedelta(hours=7)))
    assert not SCHEDULE.due(bookkeeping(at=vietnam), 21, T0 + timedelta(seconds=10))


@pytest.mark.parametrize("head", [
    {"seq": 22}, bookkeeping(at=None), bookkeeping(checkpoint_seq=23), bookkeeping(
        checkpoint_seq="21"), bookkeeping(at=T0 + timedelta(days=365))])
def test_bookkeeping_written_by_hand_cannot_hold_checkpoints_back(head):
    assert SCHEDULE.due(head, 23, T0)


def point(**change) -> dict:
    return {**checkpoint("main", 1000, HASH, T0), **change}


def test_a_checkpoint_says_its_chain_seq_hash_and_time_to_the_millisecond():
    assert point() == {"chain": "main", "seq": 1000, "hash": HASH,
                       "at": "2026-11-25T09:00:00.123Z"}
    assert checkpoint_payload(point()) == (
        '{"at":"2026-11-25T09:00:00.123Z","chain":"main","hash":"' + HASH + '","seq":1000}'
    ).encode()


def test_the_signed_payload_is_utf_8_json_not_ascii_escapes():
    """A witness rebuilds the payload by the documented rule; text goes in as UTF-8."""
    payload = checkpoint_payload(point(chain="nhật-ký"))
    assert "nhật-ký".encode("utf-8") in payload and b"\\u" not in payload


def test_a_signed_checkpoint_verifies_with_the_public_key_alone():
    signed = sign_checkpoint(point(), SEED)
    assert signed["signature"].startswith("ed25519:")
    assert checkpoint_holds(signed, public_key(SEED))


@pytest.mark.parametrize("change", [
    {"seq": 999}, {"hash": "cd" * 32}, {"at": "2026-11-25T09:00:00.124Z"}, {"chain": "other"},
    {"signature": "ed25519:AAAA"}, {"signature": "hmac:x"}, {"signature": None},
    {"seq": "1000"}, {"hash": "AB" * 32}, {"hash": "ab"}])
def test_a_changed_checkpoint_does_not_verify(change):
    signed = sign_checkpoint(point(), SEED)
    assert not checkpoint_holds({**signed, **change}, public_key(SEED))


@pytest.mark.parametrize("malformed", [
    {"chain": 5}, {"chain": None}, {"seq": "1000"}, {"seq": -1}, {"seq": True}, {"seq": 1.5},
    {"at": 1764061200}, {"at": None}, {"hash": "AB" * 32}, {"hash": "zz" * 32}, {"hash": "ab"},
    {"hash": "ab" * 33}, {"hash": 5}])
def test_a_malformed_checkpoint_does_not_hold_even_when_its_signature_does(malformed):
    """A signing key that signed something that is no checkpoint (a bug, a misused key): the
    signature alone does not make it one."""
    signed = sign_checkpoint({**point(), **malformed}, SEED)
    assert not checkpoint_holds(signed, public_key(SEED))


@pytest.mark.parametrize("value", [None, "text", [1, 2], 7])
def test_only_a_mapping_can_be_a_checkpoint(value):
    assert not checkpoint_holds(value, public_key(SEED))


def test_a_checkpoint_signed_with_another_key_does_not_verify():
    assert not checkpoint_holds(sign_checkpoint(point(), OTHER_SEED), public_key(SEED))


def test_a_checkpoint_signature_and_a_consent_receipt_signature_never_pass_for_each_other():
    # Same key, same bytes: the context prefixes keep the two kinds of signature apart.
    payload = checkpoint_payload(point())
    as_receipt = sign_receipt(payload, SEED)
    assert not checkpoint_holds({**point(), "signature": as_receipt}, public_key(SEED))
    as_checkpoint = sign_checkpoint(point(), SEED)["signature"]
    assert not verify_receipt(payload, as_checkpoint, public_key(SEED))


def test_a_signing_key_must_be_a_32_byte_seed():
    with pytest.raises(ValueError):
        sign_checkpoint(point(), b"short")


def test_a_checkpoint_line_reads_back_and_anything_else_reads_as_none():
    signed = sign_checkpoint(point(), SEED)
    line = checkpoint_line(signed)
    assert line.endswith("\n") and line.count("\n") == 1
    assert read_checkpoint_line(line) == signed
    assert read_checkpoint_line("not json") is None
    assert read_checkpoint_line("[1, 2]") is None
