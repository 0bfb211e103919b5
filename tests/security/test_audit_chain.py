"""security.audit_chain: canonical form, hashes, and every kind of tampering the verifier finds."""
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from security.audit_chain import (ALTERED, BEYOND_HEAD, BROKEN_LINK, GAP, GENESIS,
                                  NOT_AS_CHECKPOINTED, OUT_OF_ORDER, TRUNCATED, canonical,
                                  entry_hash, first_fault, iso_millis, seal, verify)

KEY = b"k" * 32
T0 = datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=timezone.utc)


def entries(n: int) -> list[dict]:
    return [{"chain": "main", "seq": i + 1, "at": T0 + timedelta(seconds=i),
             "action": "records.read", "actor": {"type": "patient", "id": "pat_a"},
             "patient_id": "pat_a", "target": {"record_id": f"rec_{i}"}} for i in range(n)]


def chain(n: int = 5, key: bytes | None = KEY) -> list[dict]:
    return seal(entries(n), key)


def head_of(sealed: list[dict]) -> dict:
    return {"seq": sealed[-1]["seq"], "hash": sealed[-1]["hash"]}


def test_canonical_form_is_sorted_compact_json_with_utc_milliseconds():
    entry = {"b": 1, "a": {"z": None, "y": "é"}, "at": T0, "hash": "x", "prev": "y", "_id": 3}
    assert canonical(entry) == ('{"a":{"y":"é","z":null},"at":"2026-11-25T09:00:00.123Z",'
                                '"b":1}').encode()


def test_canonical_form_does_not_depend_on_key_order_or_time_zone():
    hanoi = T0.astimezone(timezone(timedelta(hours=7)))
    assert canonical({"at": hanoi, "x": 1}) == canonical({"x": 1, "at": T0})
    assert iso_millis(T0.replace(tzinfo=None)) == "2026-11-25T09:00:00.123Z"


def test_microseconds_below_a_millisecond_do_not_change_the_hash():
    # MongoDB keeps milliseconds: an entry read back must hash as it did when written.
    assert entry_hash(GENESIS, {"at": T0}) == entry_hash(GENESIS, {"at": T0.replace(
        microsecond=123000)})


def test_floats_and_unknown_types_are_refused():
    with pytest.raises(TypeError):
        canonical({"count": 1.5})
    with pytest.raises(TypeError):
        canonical({"x": object()})


def test_hash_is_sha256_of_prev_and_canonical_entry_or_hmac_with_a_key():
    entry = {"seq": 1, "action": "profile.read"}
    message = GENESIS.encode() + canonical(entry)
    assert entry_hash(GENESIS, entry) == hashlib.sha256(message).hexdigest()
    assert entry_hash(GENESIS, entry, KEY) == hmac.new(KEY, message, hashlib.sha256).hexdigest()
    assert entry_hash(GENESIS, entry, KEY) != entry_hash(GENESIS, entry, b"other" * 8)


def test_an_intact_chain_verifies():
    sealed = chain()
    assert verify(sealed, KEY) is None
    assert first_fault(sealed, KEY, head_of(sealed)) is None
    assert verify([], KEY) is None


def test_an_altered_field_is_found_at_its_entry():
    sealed = chain()
    sealed[2]["target"] = {"record_id": "rec_other"}
    assert verify(sealed, KEY) == 2
    assert first_fault(sealed, KEY).reason == ALTERED and first_fault(sealed, KEY).seq == 3


def test_an_altered_time_is_found():
    sealed = chain()
    sealed[1]["at"] = sealed[1]["at"] + timedelta(milliseconds=1)
    assert verify(sealed, KEY) == 1


def test_an_altered_entry_rehashed_without_the_key_is_found():
    sealed = chain()
    sealed[2]["action"] = "profile.read"
    sealed[2]["hash"] = entry_hash(sealed[2]["prev"], sealed[2])  # plain SHA-256: no key
    assert first_fault(sealed, KEY).seq == 3 and first_fault(sealed, KEY).reason == ALTERED


def test_a_whole_chain_rebuilt_with_another_key_is_found_at_its_first_entry():
    forged = seal(entries(5), b"attacker" * 4)
    assert verify(forged, KEY) == 0


def test_a_deleted_entry_is_a_gap_naming_the_missing_seq():
    sealed = chain()
    del sealed[2]
    fault = first_fault(sealed, KEY)
    assert (fault.position, fault.seq, fault.reason) == (2, 3, GAP)


def test_a_deleted_first_entry_is_a_gap_at_seq_one():
    assert first_fault(chain()[1:], KEY).seq == 1


def test_deleted_newest_entries_are_a_truncation_against_the_head():
    sealed = chain()
    head = head_of(sealed)
    fault = first_fault(sealed[:3], KEY, head)
    assert (fault.seq, fault.reason) == (4, TRUNCATED)
    assert fault.describe() == "seq 4: truncated (the chain ends at seq 3; the head names seq 5)"


def test_a_head_that_disagrees_with_the_last_hash_is_found():
    sealed = chain()
    assert first_fault(sealed, KEY, {"seq": 5, "hash": GENESIS}).reason == ALTERED


def test_an_entry_past_the_head_is_found():
    sealed = chain()
    fault = first_fault(sealed, KEY, {"seq": 4, "hash": sealed[3]["hash"]})
    assert (fault.seq, fault.reason) == (5, BEYOND_HEAD)


def test_a_chain_that_ends_before_a_checkpoint_is_truncated_even_with_a_matching_head():
    sealed = chain()
    fault = first_fault(sealed[:3], KEY, head_of(sealed[:3]), {5: sealed[4]["hash"]})
    assert (fault.seq, fault.reason) == (4, TRUNCATED)
    assert "a checkpoint names seq 5" in fault.describe()


def test_an_entry_with_another_hash_than_its_checkpoint_is_found():
    sealed = chain()
    fault = first_fault(sealed, KEY, head_of(sealed), {2: sealed[2]["hash"]})
    assert (fault.position, fault.seq, fault.reason) == (1, 2, NOT_AS_CHECKPOINTED)


def test_a_chain_that_matches_its_checkpoints_holds():
    sealed = chain()
    checkpoints = {2: sealed[1]["hash"], 5: sealed[4]["hash"]}
    assert first_fault(sealed, KEY, head_of(sealed), checkpoints) is None


def test_an_inserted_entry_with_a_taken_seq_is_found():
    sealed = chain()
    forged = {**entries(5)[2], "action": "records.export", "prev": sealed[1]["hash"]}
    forged["hash"] = entry_hash(forged["prev"], forged, KEY)  # even with the key
    tampered = sealed[:3] + [forged] + sealed[3:]
    fault = first_fault(tampered, KEY)
    assert (fault.position, fault.seq, fault.reason) == (3, 3, OUT_OF_ORDER)


def test_an_inserted_entry_renumbering_the_rest_breaks_the_next_link():
    sealed = chain()
    forged = {**entries(1)[0], "seq": 3, "prev": sealed[1]["hash"]}
    forged["hash"] = entry_hash(forged["prev"], forged)  # no key: it cannot seal correctly
    renumbered = [{**e, "seq": e["seq"] + 1} for e in sealed[2:]]
    assert verify(sealed[:2] + [forged] + renumbered, KEY) == 2


def test_an_inserted_entry_sealed_with_the_key_still_breaks_the_next_link():
    sealed = chain()
    forged = {**entries(1)[0], "seq": 3, "prev": sealed[1]["hash"]}
    forged["hash"] = entry_hash(forged["prev"], forged, KEY)
    renumbered = [{**e, "seq": e["seq"] + 1} for e in sealed[2:]]
    fault = first_fault(sealed[:2] + [forged] + renumbered, KEY)
    assert (fault.position, fault.reason) == (3, BROKEN_LINK)


def test_two_swapped_entries_are_found():
    sealed = chain()
    sealed[1], sealed[2] = sealed[2], sealed[1]
    fault = first_fault(sealed, KEY)
    assert (fault.position, fault.seq, fault.reason) == (1, 2, GAP)


def test_swapped_entries_that_also_swap_their_seq_are_found():
    sealed = chain()
    sealed[1]["seq"], sealed[2]["seq"] = 3, 2
    sealed[1], sealed[2] = sealed[2], sealed[1]
    assert verify(sealed, KEY) == 1


def test_a_changed_link_is_found():
    sealed = chain()
    sealed[3]["prev"] = GENESIS
    assert first_fault(sealed, KEY).reason == BROKEN_LINK


def test_a_missing_or_odd_seq_is_out_of_order():
    sealed = chain()
    sealed[1]["seq"] = "2"
    assert first_fault(sealed, KEY).reason == OUT_OF_ORDER


def test_an_unkeyed_chain_verifies_without_a_key():
    sealed = chain(key=None)
    assert verify(sealed) is None and verify(sealed, KEY) == 0
