"""The operator's attacks on the audit trail, done for real on the database (and on the
checkpoint file), each found by flask verify-audit with its fault named and exit code 1; the
access log and new entries refused while the head does not hold; flask audit-checkpoint."""
import json

import pytest

from models.indexes import start_audit_chain
from security.audit_anchor import head_seal
from security.audit_chain import entry_hash

# The patient fixture writes three (its front-desk visit's push, the activation code, the
# registration); `activity` adds five profile reads.
ENTRIES = 8
EVERY = 3    # checkpoints at seq 1 (the first append), 4 and 7


@pytest.fixture
def checkpoint_file(tmp_path):
    return tmp_path / "checkpoints.jsonl"


@pytest.fixture
def app(make_app, checkpoint_file):
    return make_app(AUDIT_CHECKPOINT_FILE=str(checkpoint_file), AUDIT_CHECKPOINT_EVERY=EVERY)


@pytest.fixture
def db(app):
    return app.extensions["mongo_db"]


@pytest.fixture
def key(app):
    return app.config["AUDIT_CHAIN_KEY"].encode()


def read_profile(client, patient, times: int = 1) -> None:
    for _ in range(times):
        assert client.get("/v1/me", headers=patient.auth).status_code == 200


@pytest.fixture
def activity(client, patient):
    read_profile(client, patient, ENTRIES - 3)
    return ENTRIES


def verify_audit(app, *args):
    return app.test_cli_runner().invoke(args=["verify-audit", *args])


def fails_naming(app, text: str, *args) -> str:
    result = verify_audit(app, *args)
    assert result.exit_code == 1, result.output
    assert text in result.output, result.output
    return result.output


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def head_document(db) -> dict:
    return db.audit_heads.find_one({"_id": "main"})


def test_a_clean_trail_passes_against_its_checkpoints(app, activity, checkpoint_file):
    assert [point["seq"] for point in lines(checkpoint_file)] == [1, 4, 7]
    result = verify_audit(app)
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 8 entries; 3 signed checkpoints agree" in result.output
    assert "checking the audit chain" in result.output  # the progress bar, on stderr


def test_deleted_newest_entries_with_the_previous_seq_and_hash_in_the_head_are_found(
        app, db, activity):
    db.audit_log.delete_many({"seq": {"$gte": 5}})
    previous = db.audit_log.find_one({"seq": 4})
    db.audit_heads.update_one({"_id": "main"}, {"$set": {"seq": 4, "hash": previous["hash"]}})
    fails_naming(app, "audit chain head seal does not hold: the head (seq 4) was changed "
                      "without the chain key")


def test_a_deleted_head_is_found_and_refuses_reads_and_the_access_log(app, db, client,
                                                                     patient, activity, key):
    db.audit_heads.delete_one({"_id": "main"})
    fails_naming(app, "audit chain head missing")
    assert client.get("/v1/me", headers=patient.auth).status_code == 503
    assert client.get("/v1/me/access-log", headers=patient.auth).status_code == 503
    assert not start_audit_chain(db, key)  # what the next start-up does: no new head at seq 0
    fails_naming(app, "audit chain head missing")


def test_an_earlier_head_put_back_over_newer_entries_is_found(app, db, client, patient):
    read_profile(client, patient, 1)  # seq 4: the checkpoint's seq
    earlier = head_document(db)
    read_profile(client, patient, 2)
    db.audit_heads.replace_one({"_id": "main"}, earlier)
    fails_naming(app, "audit chain broken at seq 5 (beyond the head: entries up to seq 6 lie "
                      "past the head)")


def test_an_earlier_head_put_back_with_the_newer_entries_deleted_is_a_rollback(
        app, db, client, patient):
    earlier = head_document(db)  # seq 3, below the checkpoints to come at seq 4 and 7
    read_profile(client, patient, 4)
    db.audit_log.delete_many({"seq": {"$gt": 3}})
    db.audit_heads.replace_one({"_id": "main"}, earlier)
    fails_naming(app, "audit chain head rolled back: it names seq 3, a signed checkpoint names "
                      "seq 7")


def test_everything_deleted_and_a_new_chain_started_is_a_rollback(app, db, activity, key):
    db.audit_log.delete_many({})
    db.audit_heads.delete_many({})
    db.audit_checkpoints.delete_many({})
    assert start_audit_chain(db, key)  # the next start-up finds an empty trail
    fails_naming(app, "audit chain head rolled back: it names seq 0, a signed checkpoint names "
                      "seq 7")


def test_a_chain_cut_before_a_checkpoint_is_truncated_whatever_the_head(app, db, activity):
    db.audit_log.delete_many({"seq": {"$gt": 2}})
    fails_naming(app, "audit chain broken at seq 3 (truncated: the chain ends at seq 2; a "
                      "checkpoint names seq 7)")


def test_entries_after_a_checkpoint_cut_with_its_head_are_found_by_the_witness_copy(
        app, db, client, patient, checkpoint_file, tmp_path):
    read_profile(client, patient, 1)
    at_checkpoint = head_document(db)  # seq 4, checkpointed
    read_profile(client, patient, 3)   # seq 7, checkpointed too
    witness = tmp_path / "witness.jsonl"
    witness.write_text(checkpoint_file.read_text())  # what the witness polled meanwhile
    # Everything after the checkpoint at seq 4 goes, the database's and the file's copies of
    # later checkpoints too: what the database and the host say is a chain that ends at seq 4.
    db.audit_log.delete_many({"seq": {"$gt": 4}})
    db.audit_checkpoints.delete_many({"seq": {"$gt": 4}})
    db.audit_heads.replace_one({"_id": "main"}, at_checkpoint)
    checkpoint_file.write_text("".join(json.dumps(p) + "\n" for p in lines(checkpoint_file)
                                       if p["seq"] <= 4))
    assert verify_audit(app).exit_code == 0  # the window the checkpoints leave open
    fails_naming(app, "audit chain head rolled back: it names seq 4, a signed checkpoint names "
                      "seq 7", "--checkpoints", str(witness))


def test_an_edited_checkpoint_line_is_found(app, activity, checkpoint_file):
    points = lines(checkpoint_file)
    points[1]["seq"] = 2
    checkpoint_file.write_text("".join(json.dumps(p) + "\n" for p in points))
    fails_naming(app, f"audit checkpoint 2 of {checkpoint_file} does not verify: forged or "
                      "damaged")


def test_a_forged_line_in_a_witness_copy_is_found(app, activity, tmp_path):
    witness = tmp_path / "witness.jsonl"
    witness.write_text('{"chain": "main", "seq": 99, "hash": "' + "0" * 64 + '", "at": "x", '
                       '"signature": "ed25519:AAAA"}\n')
    fails_naming(app, f"audit checkpoint 1 of {witness} does not verify", "--checkpoints",
                 str(witness))


def test_a_chain_rewritten_with_the_chain_key_differs_from_its_checkpoint(app, db, activity,
                                                                           key):
    """Even someone holding the chain key (not the signing key) cannot rewrite what a
    checkpoint fixed: the entries re-sealed from seq 2 on give seq 4 another hash."""
    entries = list(db.audit_log.find({}).sort("seq", 1))
    entries[1]["action"] = "records.export"
    prev = entries[0]["hash"]
    for entry in entries[1:]:
        entry["prev"] = prev
        entry["hash"] = prev = entry_hash(prev, entry, key)
        db.audit_log.replace_one({"_id": entry["_id"]}, entry)
    db.audit_heads.update_one({"_id": "main"}, {"$set": {
        "hash": prev, "seal": head_seal(key, "main", ENTRIES, prev)}})
    fails_naming(app, "audit chain broken at seq 4 (differs from a checkpoint)")


def test_audit_checkpoint_writes_one_of_the_head_now(app, activity, checkpoint_file):
    result = app.test_cli_runner().invoke(args=["audit-checkpoint"])
    assert result.exit_code == 0, result.output
    assert "audit checkpoint written: seq 8 at " in result.output
    assert [point["seq"] for point in lines(checkpoint_file)] == [1, 4, 7, 8]
    assert "3 signed checkpoints" not in verify_audit(app).output
    assert "4 signed checkpoints agree" in verify_audit(app).output


def test_audit_checkpoint_refuses_a_head_that_does_not_hold(app, db, activity):
    db.audit_heads.update_one({"_id": "main"}, {"$set": {"seq": 5}})
    result = app.test_cli_runner().invoke(args=["audit-checkpoint"])
    assert result.exit_code == 1 and "No checkpoint written" in result.output


def test_a_head_from_before_heads_were_sealed_is_sealed_once_the_chain_verifies(
        app, db, client, patient, activity):
    db.audit_heads.update_one({"_id": "main"}, {"$unset": {"seal": ""}})
    fails_naming(app, "audit chain head unsealed")
    assert client.get("/v1/me", headers=patient.auth).status_code == 503
    result = verify_audit(app, "--seal-legacy-head")
    assert result.exit_code == 0 and "the head is sealed" in result.output
    read_profile(client, patient)
    assert verify_audit(app).exit_code == 0
    fails_naming(app, "already sealed", "--seal-legacy-head")


def test_a_head_from_before_heads_were_sealed_stays_unsealed_over_a_broken_chain(app, db,
                                                                                 activity):
    db.audit_heads.update_one({"_id": "main"}, {"$unset": {"seal": ""}})
    db.audit_log.update_one({"seq": 3}, {"$set": {"action": "records.export"}})
    fails_naming(app, "broken at seq 3 (altered)", "--seal-legacy-head")
    assert "seal" not in head_document(db)
