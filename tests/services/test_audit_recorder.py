"""services.audit.recorder without Flask: the recorder's checks, the access log page and cursors, the
chain check in batches; on a bare embedded database, with a clock and key passed in."""
import base64
from datetime import datetime, timedelta, timezone

import mongomock
import pytest

from models.audit import AuditLog
from services.audit.recorder import POSITIONS, Recorder, access_page
from services.audit.verify import check_chain
from services.errors import InvalidInput

KEY = b"unit-test-chain-key-32-bytes-ok!"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
PATIENT = {"type": "patient", "id": "pat_a"}


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def log():
    log = AuditLog(mongomock.MongoClient(tz_aware=True).db)
    log.start(KEY)
    return log


@pytest.fixture
def recorder(log):
    return Recorder(log, KEY, Clock())


def test_an_entry_holds_who_what_whose_why_and_which(recorder):
    entry = recorder.record("records.read", actor={"type": "hospital", "id": "hosp_1"},
                            patient_id="pat_a", purpose="treatment", consent_id="con_1",
                            target={"record_id": "rec_1"})
    assert {k: entry[k] for k in ("action", "actor", "patient_id", "purpose", "consent_id",
                                  "target", "outcome", "seq", "at")} == {
        "action": "records.read", "actor": {"type": "hospital", "id": "hosp_1"},
        "patient_id": "pat_a", "purpose": "treatment", "consent_id": "con_1",
        "target": {"record_id": "rec_1"}, "outcome": "ok", "seq": 1,
        "at": T0 + timedelta(seconds=1)}


@pytest.mark.parametrize("target", [
    {"name": "Nguyễn Văn An"}, {"national_id": "001234567890"}, {"token": "eyJ..."},
    {"content": "HbA1c 7.2%"}, {"record_id": "001234567890"}, {"record_id": {"$ne": 1}},
    {"record_id": ""}, {"record_id": "x" * 129}, {"record_id": "rec\n1"}, {"count": -1},
    {"count": True}, {"count": "3"}])
def test_a_target_holds_listed_ids_only(recorder, log, target):
    with pytest.raises(ValueError):
        recorder.record("records.read", actor=PATIENT, patient_id="pat_a", target=target)
    assert log.head(KEY)["seq"] == 0


def test_listed_target_keys_are_stored(recorder):
    target = {"record_id": "rec_1", "bundle_id": "bun_1", "session_id": "ses_1",
              "consent_id": "con_1", "hospital_id": "hosp_1", "count": 3}
    assert recorder.record("bundle.ingest", actor=PATIENT, target=target)["target"] == target


@pytest.mark.parametrize("fields", [
    {"actor": {"type": "nurse", "id": "x"}}, {"actor": {"type": "staff"}},
    {"actor": {"type": "staff", "id": "stf_1", "username": "support.one"}},
    {"actor": {"type": "patient", "id": "001234567890"}}, {"patient_id": "001234567890"},
    {"purpose": "Treatment of X"}, {"outcome": "maybe"}, {"consent_id": 7}])
def test_actor_patient_purpose_and_outcome_are_checked(recorder, fields):
    with pytest.raises(ValueError):
        recorder.record("records.read", **{"actor": PATIENT, **fields})


@pytest.mark.parametrize("action", ["read", "Records.read", "records.", "records read", ""])
def test_an_action_is_a_dotted_name(recorder, action):
    with pytest.raises(ValueError):
        recorder.record(action, actor=PATIENT)


def names(ids):
    return {"hosp_1": "Bach Mai Hospital"}


def fill(recorder):
    recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    recorder.record("records.read", actor={"type": "hospital", "id": "hosp_1"},
                    patient_id="pat_a", purpose="treatment", consent_id="con_1",
                    target={"record_id": "rec_1"})
    recorder.record("activation_code.issue", actor={"type": "staff", "id": "stf_1"},
                    patient_id="pat_a")
    recorder.record("profile.read", actor={"type": "patient", "id": "pat_b"}, patient_id="pat_b")
    recorder.record("records.export", actor={"type": "system", "id": "job_1"},
                    patient_id="pat_a")


def test_the_access_log_is_newest_first_and_says_who(recorder, log):
    fill(recorder)
    page = access_page(log, names, "pat_a", key=KEY, limit=10)
    assert page["next_cursor"] is None
    assert [(i["action"], i["actor"]) for i in page["items"]] == [
        ("records.export", {"type": "system", "id": None, "name": None}),
        ("activation_code.issue", {"type": "staff", "id": "stf_1", "name": "support staff"}),
        ("records.read", {"type": "hospital", "id": "hosp_1", "name": "Bach Mai Hospital"}),
        ("profile.read", {"type": "patient", "id": "pat_a", "name": None})]
    read = page["items"][2]
    assert (read["purpose"], read["consent_id"], read["record_id"]) == (
        "treatment", "con_1", "rec_1")


def test_entry_times_are_kept_to_the_millisecond(log):
    recorder = Recorder(log, KEY, lambda: T0.replace(microsecond=123456))
    entry = recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    assert entry["at"].microsecond == 123000


def test_pages_follow_each_other_without_gap_or_repeat(recorder, log):
    for _ in range(7):
        recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    seen, cursor = [], None
    while True:
        page = access_page(log, names, "pat_a", key=KEY, limit=3, before=cursor)
        seen += [i["at"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 7


def test_entries_of_one_millisecond_page_by_seq(log):
    recorder = Recorder(log, KEY, lambda: T0)  # every entry at the same moment
    for _ in range(5):
        recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    first = access_page(log, names, "pat_a", key=KEY, limit=2)
    rest = access_page(log, names, "pat_a", key=KEY, limit=10, before=first["next_cursor"])
    assert len(first["items"]) == 2 and len(rest["items"]) == 3


def test_the_page_size_is_bounded(recorder, log):
    for _ in range(3):
        recorder.record("profile.read", actor=PATIENT, patient_id="pat_a")
    assert len(access_page(log, names, "pat_a", key=KEY, limit=10_000)["items"]) == 3
    assert len(access_page(log, names, "pat_a", key=KEY, limit=0)["items"]) == 1


def test_a_cursor_round_trips_and_a_forged_one_is_invalid_input():
    entry = {"at": T0 + timedelta(milliseconds=123), "seq": 42}
    assert POSITIONS.decode(POSITIONS.encode(entry)) == (entry["at"], 42)
    too_late = base64.urlsafe_b64encode(b'["9999-12-31T23:59:59-23:59", 1]').decode()
    not_a_seq = POSITIONS.encode({**entry, "seq": "42"})
    for forged in ("x", "!!!!", "MTIz", POSITIONS.encode(entry) + "AAAA", "e30", "ảnh",
                   too_late, not_a_seq):
        with pytest.raises(InvalidInput) as caught:
            POSITIONS.decode(forged)
        assert "cursor" in caught.value.errors


def test_the_chain_check_reads_in_batches_and_reports_progress(recorder, log):
    fill(recorder)
    batches = []
    report = check_chain(log, KEY, log.head_document(), batch_size=2, progress=batches.append)
    assert (report.count, report.fault, batches) == (5, None, [2, 2, 1])


def test_the_chain_check_needs_the_key_it_was_sealed_with(recorder, log):
    fill(recorder)
    report = check_chain(log, b"another-key-of-32-bytes-long-xx!", log.head_document())
    assert not report.holds and "seal does not hold" in report.problem
