"""flask verify-audit: the whole chain checked in seq order; tampering found by its seq."""
import pytest

from models import audit as audit_store
from security.audit_chain import entry_hash
from services.audit import verify
from tests.factories import current_ctx


@pytest.fixture
def db(app):
    return app.extensions["mongo_db"]


@pytest.fixture
def activity(client, patient):
    """Entries made through the API: the hospital's push of the visit, its activation code, the
    registration and five profile reads."""
    for _ in range(5):
        assert client.get("/v1/me", headers=patient.auth).status_code == 200
    return 8


def verify_audit(app, *args):
    return app.test_cli_runner().invoke(args=["verify-audit", *args])


def test_an_intact_chain_is_reported_with_its_length(app, activity):
    result = verify_audit(app)
    assert result.exit_code == 0, result.output
    assert f"audit chain intact: {activity} entries" in result.output


def test_an_empty_chain_is_intact(app):
    result = verify_audit(app)
    assert result.exit_code == 0 and "audit chain intact: 0 entries" in result.output


def test_small_batches_walk_the_same_chain(app, activity):
    result = verify_audit(app, "--batch-size", "2")
    assert result.exit_code == 0 and f"intact: {activity} entries" in result.output


def test_a_changed_field_fails_naming_its_seq(app, db, activity):
    db.audit_log.update_one({"seq": 3}, {"$set": {"action": "records.export"}})
    result = verify_audit(app)
    assert result.exit_code == 1
    assert "broken at seq 3 (altered)" in result.output


def test_a_changed_actor_rehashed_without_the_key_fails(app, db, activity):
    entry = db.audit_log.find_one({"seq": 4})
    entry["actor"] = {"type": "staff", "id": "stf_someone"}
    db.audit_log.update_one({"seq": 4}, {"$set": {"actor": entry["actor"],
                                                  "hash": entry_hash(entry["prev"], entry)}})
    result = verify_audit(app)
    assert result.exit_code == 1 and "seq 4 (altered)" in result.output


def test_a_deleted_entry_is_reported_as_a_gap(app, db, activity):
    db.audit_log.delete_one({"seq": 2})
    result = verify_audit(app)
    assert result.exit_code == 1 and "broken at seq 2 (gap)" in result.output


def test_deleted_newest_entries_are_a_truncation_against_the_head(app, db, activity):
    db.audit_log.delete_many({"seq": {"$gte": activity - 1}})
    result = verify_audit(app, "--batch-size", "2")
    assert result.exit_code == 1 and f"seq {activity - 1} (truncated: the chain ends at seq " \
        f"{activity - 2}; the head names seq {activity})" in result.output


def test_a_renumbered_entry_is_found(app, db, activity):
    db.audit_log.update_one({"seq": 3}, {"$set": {"seq": 4}})
    result = verify_audit(app)
    assert result.exit_code == 1 and "seq 3 (gap)" in result.output


def test_a_crash_between_moving_the_head_and_writing_the_entry_is_a_gap(app, client, patient,
                                                                        monkeypatch):
    real_append, crashed_at = audit_store.AuditLog.append_batch, []

    def power_cut(*args, **kwargs):
        raise OSError("power cut")

    def append_then_crash(self, *args):  # the head moves, then the process dies
        crashed_at.append(self.head_document()["seq"] + 1)
        monkeypatch.setattr(self.entries, "insert_one", power_cut)
        return real_append(self, *args)

    monkeypatch.setattr(audit_store.AuditLog, "append_batch", append_then_crash)
    assert client.get("/v1/me", headers=patient.auth).status_code == 500
    monkeypatch.undo()
    assert client.get("/v1/me", headers=patient.auth).status_code == 200
    result = verify_audit(app)
    assert result.exit_code == 1 and f"broken at seq {crashed_at[0]} (gap)" in result.output


def test_the_chain_key_is_what_seals_it(app, activity, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_CHAIN_KEY", "another key of at least 32 characters")
    result = verify_audit(app)
    assert result.exit_code == 1 and "head seal does not hold" in result.output


def test_the_service_reports_the_count_checked_before_the_fault(app, db, activity):
    db.audit_log.update_one({"seq": 5}, {"$set": {"patient_id": "pat_other"}})
    with app.app_context():
        ctx = current_ctx()
        report = verify.verify_chain(ctx, verify.chain_head(ctx), verify.Anchors(),
                                     batch_size=2)
    assert (report.count, report.fault.seq, report.fault.reason) == (4, 5, "altered")
