"""Review of issue 15: the head's seal covers its seq and hash but not the checkpoint bookkeeping
beside it (checkpoint_seq, checkpoint_at). A database operator who keeps that bookkeeping saying
"just checkpointed" stops every checkpoint the appends would make, so AUDIT_CHECKPOINT_EVERY no
longer bounds what can be cut unseen: any number of entries go, with an old head put back."""
import pytest

from tests import factories

EVERY = 3


@pytest.fixture
def checkpoint_file(tmp_path):
    return tmp_path / "checkpoints.jsonl"


@pytest.fixture
def app(make_app, checkpoint_file):
    return make_app(AUDIT_CHECKPOINT_FILE=str(checkpoint_file), AUDIT_CHECKPOINT_EVERY=EVERY)


def test_an_operator_holding_checkpoints_back_cannot_cut_more_than_every_entries_unseen(
        app, client, patient):
    db = app.extensions["mongo_db"]
    earlier = db.audit_heads.find_one({"_id": "main"})  # seq 3, after the patient's entries
    for _ in range(3 * EVERY):  # what the operator wants gone: a snoop's reads, say
        head = db.audit_heads.find_one({"_id": "main"})
        db.audit_heads.update_one({"_id": "main"}, {"$set": {
            "checkpoint_seq": head["seq"], "checkpoint_at": factories.now()}})
        assert client.get("/v1/me", headers=patient.auth).status_code == 200
    db.audit_log.delete_many({"seq": {"$gt": earlier["seq"]}})
    db.audit_heads.replace_one({"_id": "main"}, earlier)
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1, result.output  # 9 entries cut, 3 times AUDIT_CHECKPOINT_EVERY
