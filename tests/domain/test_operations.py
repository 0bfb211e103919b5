"""The platform's own work without an app: the inbox, hospital secrets, the audit trail."""
import pytest

from services import patients
from services.audit import verify
from services.errors import InvalidCredentials, NotFound
from services.operations import hospitals, notify
from tests.domain import world
from tests.factories import lab_result


def test_a_notification_waits_in_the_inbox_until_read(ctx):
    hospital = world.hospital(ctx)
    national_id, patient_id = world.registered(ctx, hospital)
    assert notify.inbox(ctx, patient_id)["items"] == []
    world.push(ctx, hospital, lab_result(national_id, "lab-2"))
    inbox = notify.inbox(ctx, patient_id)
    assert [item["kind"] for item in inbox["items"]] == ["record_available"]
    assert inbox["items"][0]["read_at"] is None and inbox["items"][0]["title"]
    notify.mark_read(ctx, patient_id, inbox["items"][0]["id"])
    assert notify.inbox(ctx, patient_id)["items"][0]["read_at"] is not None
    _, stranger = world.registered(ctx, hospital)
    with pytest.raises(NotFound):  # another patient's notification is no one's
        notify.mark_read(ctx, stranger, inbox["items"][0]["id"])


def test_a_rotated_secret_replaces_the_old_one(ctx):
    made = hospitals.create_hospital(ctx, "Bệnh viện Mắt")
    rotated = hospitals.rotate_secret(ctx, made["hospital_id"], grace_hours=0)
    assert hospitals.issue_token(ctx, made["client_id"], rotated["client_secret"])["access_token"]
    with pytest.raises(InvalidCredentials):
        hospitals.issue_token(ctx, made["client_id"], made["client_secret"])


def test_every_step_is_on_the_trail_and_the_chain_verifies(ctx):
    hospital = world.hospital(ctx)
    _, patient_id = world.registered(ctx, hospital)
    log = patients.access_log(ctx, patient_id, limit=10, cursor=None)
    assert {"activation_code.issue", "account.register"} <= {e["action"] for e in log["items"]}
    report = verify.verify_chain(ctx, verify.chain_head(ctx), verify.Anchors(), batch_size=50)
    assert report.holds and report.count == ctx.db.audit_log.count_documents({})
