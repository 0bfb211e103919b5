"""models.audit: append-only storage of the chain, on the test database (embedded, or real
MongoDB with TEST_MONGO_URI)."""
import sys
import threading
from datetime import datetime, timezone

import pytest

from models import audit
from models.audit import AppendContended, AuditLog
from security.audit_anchor import head_seal
from security.audit_chain import GENESIS, first_fault

KEY = b"test-chain-key-of-32-bytes-long!"
AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(app):
    """The app's database, its main chain started afresh under this module's KEY."""
    db = app.extensions["mongo_db"]
    db.audit_heads.delete_many({})
    assert AuditLog(db).start(KEY)
    return db


def body(n: int = 0) -> dict:
    return {"action": "profile.read", "actor": {"type": "patient", "id": f"pat_{n}"},
            "patient_id": f"pat_{n}", "at": AT}


def stored(db) -> list[dict]:
    return list(db.audit_log.find({}, {"_id": 0}).sort("seq", 1))


def test_appends_are_numbered_and_chained_from_genesis(db):
    log = AuditLog(db)
    first, second = log.append(body(1), KEY), log.append(body(2), KEY)
    assert (first["seq"], first["prev"], second["seq"], second["prev"]) == (
        1, GENESIS, 2, first["hash"])
    assert log.head(KEY) == {"seq": 2, "hash": second["hash"]}
    assert first_fault(stored(db), KEY, log.head(KEY)) is None


def test_an_empty_chain_has_the_genesis_head(db):
    assert AuditLog(db).head(KEY) == {"seq": 0, "hash": GENESIS}


def test_chains_are_numbered_apart(db):
    AuditLog(db, "main").append(body(), KEY)
    other = AuditLog(db, "other")
    assert other.start(KEY)
    assert other.append(body(), KEY)["seq"] == 1


def test_the_trail_carries_no_unique_index_but_its_id(db):
    # A unique index makes each insert scan the collection on the embedded database
    # (STACK.md): the trail is written on every request, so it must stay without one.
    AuditLog(db).append(body(), KEY)
    unique = [name for name, spec in db.audit_log.index_information().items()
              if spec.get("unique") and name != "_id_"]
    assert unique == []


@pytest.fixture
def busy_threads():
    """Switch threads every microsecond (not every 5 ms), so appends interleave between reading
    the head and moving it."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def append_at_once(db, threads: int, per_thread: int) -> list:
    """`threads` threads released together, each appending `per_thread` entries; the errors."""
    barrier, errors = threading.Barrier(threads), []

    def append_many(n):
        log = AuditLog(db)
        barrier.wait()
        try:
            for _ in range(per_thread):
                log.append(body(n), KEY)
        except Exception as exc:  # noqa: BLE001 - reported by the test, with the thread's number
            errors.append((n, exc))

    workers = [threading.Thread(target=append_many, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_two_appends_at_once_never_share_a_seq(db, monkeypatch, busy_threads):
    lost, pause = [], audit._lost_race
    monkeypatch.setattr(audit, "_lost_race", lambda attempt: (lost.append(attempt),
                                                              pause(attempt)))
    appended = 0
    for _ in range(5):  # until some append has lost a race (almost always the first round)
        assert append_at_once(db, threads=12, per_thread=15) == []
        appended += 12 * 15
        if lost:
            break
    assert lost, "no append lost a race: the test did not exercise the compare-and-set"
    assert [entry["seq"] for entry in stored(db)] == list(range(1, appended + 1))
    assert first_fault(stored(db), KEY, AuditLog(db).head(KEY)) is None


def test_the_first_appends_of_a_new_chain_at_once_share_one_head(db, busy_threads):
    barrier, entries = threading.Barrier(8), []
    AuditLog(db, "new").start(KEY)

    def first_append():
        barrier.wait()
        entries.append(AuditLog(db, "new").append(body(), KEY))

    workers = [threading.Thread(target=first_append) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(e["seq"] for e in entries) == list(range(1, 9))


def test_an_append_that_loses_the_race_for_the_head_takes_the_next_seq(db, monkeypatch):
    log, rival = AuditLog(db), AuditLog(db)
    read_head = AuditLog._current_head
    raced = []

    def head_then_rival_appends(self, key):
        head = read_head(self, key)
        if self is log and not raced:
            raced.append(rival.append(body(2), KEY))  # moves the head after `log` read it
        return head

    monkeypatch.setattr(AuditLog, "_current_head", head_then_rival_appends)
    mine = log.append(body(1), KEY)
    assert (raced[0]["seq"], mine["seq"]) == (1, 2)
    assert first_fault(stored(db), KEY, log.head(KEY)) is None


def test_a_head_read_half_way_through_another_append_does_not_win(db, monkeypatch):
    # mongomock changes a document in place: a read may see the new seq with the old hash.
    log = AuditLog(db)
    first = log.append(body(1), KEY)
    second = log.append(body(2), KEY)
    torn = {"_id": "main", "seq": 2, "hash": first["hash"],
            "seal": head_seal(KEY, "main", 2, first["hash"])}
    read_head = AuditLog._current_head
    reads = []

    def torn_first(self, key):
        reads.append(1)
        return torn if len(reads) == 1 else read_head(self, key)

    monkeypatch.setattr(AuditLog, "_current_head", torn_first)
    third = log.append(body(3), KEY)
    assert len(reads) == 2  # the torn head lost the compare-and-set
    assert (third["seq"], third["prev"]) == (3, second["hash"])
    assert first_fault(stored(db), KEY, log.head(KEY)) is None


def test_an_append_gives_up_when_the_head_never_holds_still(db, monkeypatch):
    monkeypatch.setattr(audit, "MAX_ATTEMPTS", 3)
    monkeypatch.setattr(AuditLog, "_current_head", lambda self, key: {"seq": 41, "hash": GENESIS})
    with pytest.raises(AppendContended):
        AuditLog(db).append(body(), KEY)
    assert stored(db) == []


def test_walk_reads_batches_in_seq_order_up_to_a_limit(db):
    log = AuditLog(db)
    for n in range(5):
        log.append(body(n), KEY)
    assert [e["seq"] for e in log.walk(1, 4, 2)] == [2, 3]
    assert [e["seq"] for e in log.walk(3, 4, 10)] == [4]
