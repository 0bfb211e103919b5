"""services.audit.recorder (record_many, the access log), services.audit.checkpoints and the gathering of
checkpoints in services.audit.verify, without Flask: bulk entries, refusals when the head does
not hold, and checkpoints written to a file and to the log stream, signed so the public key alone
checks them."""
import logging
import os
import stat
from datetime import datetime, timedelta, timezone

import mongomock
import pytest

from models import audit as audit_store
from models.audit import AuditLog
from models.audit_checkpoints import CheckpointStore
from models.indexes import ensure_indexes
from security.audit_anchor import (Schedule, checkpoint, checkpoint_holds, public_key,
                                   read_checkpoint_line, sign_checkpoint)
from security.audit_chain import first_fault
from services.audit.recorder import Recorder, access_page
from services.audit.checkpoints import Anchor, read_lines
from services.audit.verify import gather
from services.errors import AuditUnavailable

KEY = b"unit-test-chain-key-32-bytes-ok!"
SEED = bytes(range(32))
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
PATIENT = {"type": "patient", "id": "pat_a"}


@pytest.fixture
def db():
    db = mongomock.MongoClient(tz_aware=True).db
    ensure_indexes(db)
    return db


@pytest.fixture
def log(db):
    log = AuditLog(db)
    log.start(KEY)
    return log


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "checkpoints.jsonl")


def anchored(log, db, path, every=2, clock=lambda: T0) -> Recorder:
    anchor = Anchor(SEED, Schedule(every, 3600), path, CheckpointStore(db, "main"))
    return Recorder(log, KEY, clock, anchor)


def reads(n: int) -> list[dict]:
    return [{"action": "records.read", "actor": PATIENT, "patient_id": "pat_a",
             "target": {"record_id": f"rec_{i}"}} for i in range(n)]


def test_many_entries_are_recorded_in_order_with_one_time(log):
    entries = Recorder(log, KEY, lambda: T0).record_many(reads(3))
    assert [(e["seq"], e["target"]["record_id"], e["at"]) for e in entries] == [
        (1, "rec_0", T0), (2, "rec_1", T0), (3, "rec_2", T0)]
    assert entries[0]["outcome"] == "ok" and entries[0]["purpose"] is None
    stored = list(log.entries.find({}, {"_id": 0}).sort("seq", 1))
    assert first_fault(stored, KEY, log.head(KEY)) is None


@pytest.mark.parametrize("bad", [
    {"action": "records.read", "actor": PATIENT, "target": {"name": "Nguyễn Văn An"}},
    {"action": "records.read", "actor": PATIENT, "patient_id": "001234567890"},
    {"action": "read", "actor": PATIENT}, {"actor": PATIENT}, {"action": "records.read"},
    {"action": "records.read", "actor": PATIENT, "national_id": "001234567890"}, "records.read"])
def test_one_bad_entry_of_many_writes_none(log, bad):
    with pytest.raises(ValueError) as caught:
        Recorder(log, KEY, lambda: T0).record_many([*reads(2), bad])
    assert "entry 2" in str(caught.value)
    assert log.head(KEY)["seq"] == 0


def test_no_entries_record_nothing(log):
    assert Recorder(log, KEY, lambda: T0).record_many([]) == []


def test_entries_are_refused_when_the_head_is_deleted_or_unsealed(log, db):
    recorder = Recorder(log, KEY, lambda: T0)
    recorder.record_many(reads(2))
    db.audit_heads.update_one({"_id": "main"}, {"$set": {"seq": 1}})
    with pytest.raises(AuditUnavailable):
        recorder.record_many(reads(1))
    db.audit_heads.delete_one({"_id": "main"})
    with pytest.raises(AuditUnavailable):
        recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    assert log.entries.count_documents({}) == 2


def test_many_entries_that_keep_losing_the_race_are_refused(log, monkeypatch):
    monkeypatch.setattr(audit_store, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(audit_store, "_lost_race", lambda attempt: None)
    monkeypatch.setattr(AuditLog, "_current_head", lambda self, key: {"seq": 9, "hash": "x"})
    with pytest.raises(AuditUnavailable):
        Recorder(log, KEY, lambda: T0).record_many(reads(2))


def test_the_access_log_is_refused_rather_than_empty_without_a_sealed_head(log, db):
    Recorder(log, KEY, lambda: T0).record_many(reads(2))
    db.audit_heads.delete_one({"_id": "main"})
    with pytest.raises(AuditUnavailable):
        access_page(log, lambda ids: {}, "pat_a", limit=10, key=KEY)


def test_a_due_checkpoint_goes_to_the_file_the_log_stream_and_the_database(log, db, path,
                                                                            caplog):
    caplog.set_level(logging.INFO, logger="phr.audit.checkpoint")
    recorder = anchored(log, db, path, every=2)
    for _ in range(4):
        recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    lines = [point for _, point in read_lines(path)]
    assert [p["seq"] for p in lines] == [1, 3]
    assert all(checkpoint_holds(p, public_key(SEED)) for p in lines)
    logged = [read_checkpoint_line(r.getMessage().split(" ", 2)[2]) for r in caplog.records
              if r.name == "phr.audit.checkpoint"]
    assert logged == lines
    assert CheckpointStore(db, "main").all() == lines
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_checkpoint_lines_are_appended_to_what_the_file_holds(log, db, path):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"kept": true}\n')
    anchored(log, db, path).record("profile.read", actor=PATIENT, patient_id="pat_a")
    assert [point for _, point in read_lines(path)][0] == {"kept": True}
    assert len(list(read_lines(path))) == 2


def test_a_checkpoint_file_that_cannot_be_written_is_logged_and_the_entry_stands(log, db,
                                                                                 tmp_path,
                                                                                 caplog):
    missing = str(tmp_path / "no such folder" / "checkpoints.jsonl")
    entry = anchored(log, db, missing).record("profile.read", actor=PATIENT, patient_id="pat_a")
    assert entry["seq"] == 1 and log.head(KEY)["seq"] == 1
    assert "not written to AUDIT_CHECKPOINT_FILE" in caplog.text
    assert CheckpointStore(db, "main").latest()["seq"] == 1  # the other copies still go out


def test_a_checkpoint_is_written_when_its_period_is_over(log, db, path):
    clock = iter([T0, T0 + timedelta(minutes=30), T0 + timedelta(hours=1)])
    recorder = anchored(log, db, path, every=1000, clock=lambda: next(clock))
    for _ in range(3):
        recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    assert [point["seq"] for _, point in read_lines(path)] == [1, 3]


def test_signed_checkpoints_that_disagree_about_a_seq_are_a_problem():
    one = sign_checkpoint(checkpoint("main", 4, "ab" * 32, T0), SEED)
    other = sign_checkpoint(checkpoint("main", 4, "cd" * 32, T0), SEED)
    anchors = gather([("file", [(1, one)]), ("witness", [(1, other)])], "main", public_key(SEED))
    assert anchors.problem == ("signed audit checkpoints disagree about seq 4 (checkpoint 1 of "
                               "witness)")


def test_checkpoints_of_another_chain_are_checked_but_not_counted():
    mine = sign_checkpoint(checkpoint("main", 4, "ab" * 32, T0), SEED)
    theirs = sign_checkpoint(checkpoint("other", 9, "cd" * 32, T0), SEED)
    anchors = gather([("file", [(1, mine), (2, theirs), (3, mine)])], "main", public_key(SEED))
    assert (anchors.hashes, anchors.problem, anchors.latest_seq) == ({4: "ab" * 32}, None, 4)
