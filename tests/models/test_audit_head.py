"""models.audit on a bare embedded database (no Flask): the sealed head refuses a chain that was
cut or lost its head, a batch is one move of the head, and checkpoints are claimed once."""
import sys
import threading
from datetime import datetime, timedelta, timezone

import mongomock
import pytest

from models import embedded
from models.audit import AuditLog, HeadInvalid
from models.indexes import ensure_indexes, start_audit_chain
from security.audit_anchor import Schedule, head_seal
from security.audit_chain import GENESIS, first_fault

KEY = b"storage-test-chain-key-32-bytes!"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def db():
    embedded.adapt()  # MongoDB's single-document atomicity, as the app has it
    db = mongomock.MongoClient(tz_aware=True).db
    ensure_indexes(db)
    assert start_audit_chain(db, KEY)
    return db


def body(n: int = 0) -> dict:
    return {"action": "profile.read", "actor": {"type": "patient", "id": f"pat_{n}"},
            "patient_id": f"pat_{n}", "at": T0}


def stored(db) -> list[dict]:
    return list(db.audit_log.find({}, {"_id": 0}).sort("seq", 1))


def test_the_genesis_head_is_sealed_and_made_once(db):
    assert AuditLog(db).head(KEY) == {"seq": 0, "hash": GENESIS}
    assert not start_audit_chain(db, KEY)


def test_a_deleted_head_is_not_made_again_over_a_chain_with_entries(db):
    AuditLog(db).append(body(), KEY)
    db.audit_heads.delete_one({"_id": "main"})
    assert not start_audit_chain(db, KEY)  # as at the next start-up
    assert db.audit_heads.find_one({"_id": "main"}) is None


def test_appends_and_the_access_log_refuse_a_deleted_head(db):
    log = AuditLog(db)
    log.append(body(1), KEY)
    db.audit_heads.delete_one({"_id": "main"})
    with pytest.raises(HeadInvalid) as caught:
        log.append(body(1), KEY)
    assert caught.value.missing
    with pytest.raises(HeadInvalid):
        log.about_patient("pat_1", 10, key=KEY)
    assert len(stored(db)) == 1


def test_a_head_moved_back_without_the_key_refuses_appends_and_the_access_log(db):
    log = AuditLog(db)
    first = log.append(body(1), KEY)
    log.append(body(1), KEY)
    db.audit_log.delete_one({"seq": 2})  # the truncation: the previous entry's seq and hash
    db.audit_heads.update_one({"_id": "main"}, {"$set": {"seq": 1, "hash": first["hash"]}})
    with pytest.raises(HeadInvalid) as caught:
        log.append(body(1), KEY)
    assert not caught.value.missing
    with pytest.raises(HeadInvalid):
        log.about_patient("pat_1", 10, key=KEY)
    assert [e["seq"] for e in stored(db)] == [1]


def test_a_head_read_torn_by_another_append_is_read_again(db, monkeypatch):
    log = AuditLog(db)
    first = log.append(body(1), KEY)
    torn = {**db.audit_heads.find_one({"_id": "main"}), "seq": 2}  # new seq, old hash and seal
    real, reads = AuditLog.head_document, []

    def torn_first(self):
        reads.append(1)
        return torn if len(reads) == 1 else real(self)

    monkeypatch.setattr(AuditLog, "head_document", torn_first)
    assert log.append(body(2), KEY)["prev"] == first["hash"]  # read again under the write lock
    assert len(reads) == 1


def test_a_batch_is_sealed_in_order_after_the_head_and_verifies(db):
    log = AuditLog(db)
    log.append(body(0), KEY)
    batch = log.append_many([body(1), body(2), body(3)], KEY)
    assert [e["seq"] for e in batch] == [2, 3, 4]
    assert [e["patient_id"] for e in stored(db)] == ["pat_0", "pat_1", "pat_2", "pat_3"]
    assert log.head(KEY) == {"seq": 4, "hash": batch[-1]["hash"]}
    assert first_fault(stored(db), KEY, log.head(KEY)) is None


class Counting:
    """The database, counting the round trips made to each collection."""

    def __init__(self, db):
        self.db, self.calls = db, []

    def __getattr__(self, name):
        collection, calls = getattr(self.db, name), self.calls

        class Counted:
            def __getattr__(self, method):
                found = getattr(collection, method)
                if callable(found):
                    def call(*args, **kwargs):
                        calls.append((name, method))
                        return found(*args, **kwargs)
                    return call
                return found
        return Counted()


@pytest.mark.parametrize("size", [1, 2, 50])
def test_a_batch_takes_three_round_trips_whatever_its_size(db, size):
    counting = Counting(db)
    AuditLog(counting).append_many([body(n) for n in range(size)], KEY)
    assert len(counting.calls) == 3  # read the head, move it, insert
    assert len(stored(db)) == size


def test_an_empty_batch_writes_nothing(db):
    counting = Counting(db)
    assert AuditLog(counting).append_many([], KEY) == []
    assert counting.calls == []


SCHEDULE = Schedule(every=3, seconds=3600)


def test_a_checkpoint_is_claimed_by_the_append_that_makes_it_due(db):
    log = AuditLog(db)
    claimed = [log.append_batch([body()], KEY, SCHEDULE, T0).checkpoint for _ in range(7)]
    assert [c["seq"] if c else None for c in claimed] == [1, None, None, 4, None, None, 7]
    assert claimed[3] == {"chain": "main", "seq": 4, "hash": stored(db)[3]["hash"],
                          "at": "2026-11-25T09:00:00.000Z"}
    head = db.audit_heads.find_one({"_id": "main"})
    assert (head["checkpoint_seq"], head["checkpoint_at"]) == (7, T0)


def test_a_checkpoint_is_due_after_its_period_without_so_many_entries(db):
    log = AuditLog(db)
    log.append_batch([body()], KEY, SCHEDULE, T0)
    assert log.append_batch([body()], KEY, SCHEDULE, T0 + timedelta(minutes=59)).checkpoint \
        is None
    assert log.append_batch([body()], KEY, SCHEDULE, T0 + timedelta(hours=1)).checkpoint


def test_appends_without_a_checkpoint_due_make_no_extra_round_trip(db):
    log = AuditLog(db)
    log.append_batch([body()], KEY, SCHEDULE, T0)
    counting = Counting(db)
    assert AuditLog(counting).append_batch([body()], KEY, SCHEDULE, T0).checkpoint is None
    assert len(counting.calls) == 3


@pytest.fixture
def busy_threads():
    """Switch threads every microsecond, so appends interleave between reading the head and
    moving it."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_appends_at_once_claim_each_checkpoint_once(db, busy_threads):
    schedule, claimed, barrier = Schedule(every=10, seconds=3600), [], threading.Barrier(8)

    def appender():
        log = AuditLog(db)
        barrier.wait()
        for _ in range(20):
            point = log.append_batch([body()], KEY, schedule, T0).checkpoint
            if point:
                claimed.append(point["seq"])

    workers = [threading.Thread(target=appender) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(claimed) == list(range(1, 161, 10))


def test_a_checkpoint_made_apart_from_appends_is_noted_on_the_head_it_read(db):
    log = AuditLog(db)
    log.append(body(), KEY)
    head = log.head(KEY)
    assert log.checkpointed(head, T0)
    log.append(body(), KEY)
    assert not log.checkpointed(head, T0)  # the head moved on: appends decide for themselves
    assert db.audit_heads.find_one({"_id": "main"})["checkpoint_seq"] == 1


def test_the_highest_entry_past_a_seq_is_found(db):
    log = AuditLog(db)
    log.append_many([body(n) for n in range(4)], KEY)
    assert (log.last_seq_after(2), log.last_seq_after(4)) == (4, None)


def test_only_a_head_without_a_seal_can_be_sealed_as_legacy(db):
    log = AuditLog(db)
    entry = log.append(body(), KEY)
    head = db.audit_heads.find_one({"_id": "main"})
    assert not log.seal_legacy(head, "x")
    db.audit_heads.update_one({"_id": "main"}, {"$unset": {"seal": ""}})
    assert log.seal_legacy(head, head_seal(KEY, "main", 1, entry["hash"]))
    assert log.head(KEY)["seq"] == 1
