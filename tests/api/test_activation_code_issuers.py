"""Who may issue an activation code, and who the patient is told issued it (issue 15, item 2).

A code registers its holder as the person and opens every hospital's records of them: a
hospital issues one only for a national ID it has pushed a record for, with one 403 (and the
same database work) whoever the person is; registration is on the patient's access log with
the code's issuer, recorded before the account exists."""
import pytest

from tests.indexcheck import recorder as query_recorder
from models import records as record_store
from services.audit import recorder
from services.operations import hospitals
from services.errors import AuditUnavailable
from tests import factories
from tests.factories import PASSWORD, bearer, hospital_token, push_visit
from tests.factories import current_ctx

CODES = "/v1/hospital/activation-codes"


def issue(client, token: str, national_id: str):
    return client.post(CODES, json={"national_id": national_id}, headers=bearer(token))


def register(client, national_id: str, code: str):
    return client.post("/v1/auth/register", json={"national_id": national_id,
                                                  "activation_code": code, "password": PASSWORD})


@pytest.fixture
def other(app):
    """Another hospital."""
    with app.app_context():
        return factories.create_hospital("Cho Ray")


class Sent(query_recorder.Recorder):
    """Every query sent, in order (the suite's recorder keeps distinct shapes only)."""

    def __init__(self):
        super().__init__()
        self.queries = []

    def add(self, shape, operation, origin, trip=True):
        self.queries.append((operation, origin, shape))


def sent_while(call):
    sent = Sent()
    query_recorder.install(sent)
    try:
        return call(), sent.queries
    finally:
        query_recorder.uninstall(sent)


def test_a_code_for_a_person_the_hospital_never_pushed_a_record_for_is_one_403(
        app, client, hospital, other, clock):
    unknown = factories.next_national_id()
    known = factories.next_national_id()
    push_visit(client, other, known)  # on the platform, not registered
    registered = factories.signed_in_patient(client, other, clock)
    token = hospital_token(client, hospital)
    issue(client, token, factories.next_national_id())  # warm-up: first-use work is not timed
    answers = [sent_while(lambda nid=nid: issue(client, token, nid))
               for nid in (unknown, known, registered.national_id)]
    responses, queries = zip(*answers)
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert responses[0].content_type == "application/problem+json"
    assert responses[0].json == responses[1].json == responses[2].json
    assert responses[0].get_data() == responses[1].get_data() == responses[2].get_data()
    # The same look-ups and writes, in the same order: the time does not tell either.
    assert queries[0] == queries[1] == queries[2]
    assert ("find_one", "models/records.py:Records.pushed_by") in {q[:2] for q in queries[0]}
    with app.app_context():
        assert factories.stored_patient(app, unknown) is None  # nobody created
    # The person on the platform sees the refused attempt; nobody is told of a stranger.
    log = client.get("/v1/me/access-log", headers=registered.auth).json["items"]
    [refused] = [i for i in log if i["outcome"] == "denied"]
    assert (refused["action"], refused["actor"]["id"]) == ("activation_code.issue",
                                                           hospital["hospital_id"])


def test_after_its_push_of_the_visit_the_hospital_issues_the_code(client, hospital):
    national_id = factories.next_national_id()
    token = hospital_token(client, hospital)
    assert issue(client, token, national_id).status_code == 403
    push_visit(client, hospital, national_id, token)
    issued = issue(client, token, national_id)
    assert issued.status_code == 201
    assert register(client, national_id, issued.json["activation_code"]).status_code == 201


def test_another_hospitals_push_does_not_entitle_this_hospital(client, hospital, other):
    national_id = factories.next_national_id()
    push_visit(client, other, national_id)
    assert issue(client, hospital_token(client, hospital), national_id).status_code == 403
    assert issue(client, hospital_token(client, other), national_id).status_code == 201


def test_a_record_the_patient_entered_does_not_entitle_any_hospital(client, hospital, other,
                                                                   clock):
    patient = factories.signed_in_patient(client, other, clock)
    added = client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "weight", "measured_at": "2026-11-20T07:30:00Z", "value": 61, "unit": "kg"})
    assert added.status_code == 201  # stored with hospital_id None
    assert issue(client, hospital_token(client, hospital),
                 patient.national_id).status_code == 403


def test_a_push_that_crashed_before_its_record_was_stored_does_not_entitle(
        client, hospital, monkeypatch):
    """The record's pointer is made at version 0 before its version is stored: a push that
    died in between left nothing the patient can see, and no entitlement either."""
    national_id = factories.next_national_id()
    token = hospital_token(client, hospital)

    def crash(*args, **kwargs):
        raise RuntimeError("the process died here (injected)")
    with monkeypatch.context() as patched:
        patched.setattr(record_store.Records, "advance_many", crash)
        assert factories.push(client, hospital, factories.bundle(factories.encounter(
            national_id)), token=token).status_code == 500
    assert issue(client, token, national_id).status_code == 403
    push_visit(client, hospital, national_id, token)  # the retry stores it
    assert issue(client, token, national_id).status_code == 201


def test_a_deactivated_hospital_is_refused_by_its_token(app, client, hospital):
    national_id = factories.next_national_id()
    token = hospital_token(client, hospital)
    push_visit(client, hospital, national_id, token)
    with app.app_context():
        hospitals.deactivate(current_ctx(), hospital["hospital_id"])
    assert issue(client, token, national_id).status_code == 401


def test_support_staff_still_issue_codes_for_anyone(app, client, clock):
    staff = factories.enroll_totp(client, factories.create_staff(app), clock)
    national_id = factories.next_national_id()  # never pushed by anyone
    issued = client.post("/v1/staff/activation-codes", json={"national_id": national_id},
                         headers=staff.auth)
    assert issued.status_code == 201 and issued.json["status"] == "pending-approval"
    factories.approved_by_colleague(app, client, clock, issued.json["id"])  # four eyes
    assert register(client, national_id, issued.json["activation_code"]).status_code == 201


def registration_in_log(client, account) -> dict:
    log = client.get("/v1/me/access-log", headers=account.auth).json["items"]
    [registered] = [i for i in log if i["action"] == "account.register"]
    return registered


def test_the_access_log_names_the_hospital_whose_code_opened_the_account(client, hospital,
                                                                        clock):
    patient = factories.signed_in_patient(client, hospital, clock)
    registered = registration_in_log(client, patient)
    me = client.get("/v1/me", headers=patient.auth).json["id"]
    assert registered["actor"] == {"type": "patient", "id": me, "name": None}
    assert registered["issued_by"] == {"type": "hospital", "id": hospital["hospital_id"],
                                       "name": "Test Hospital"}
    assert registered["outcome"] == "ok"


def test_the_access_log_says_support_staff_for_a_staff_code_never_the_username(app, client,
                                                                             clock):
    staff = factories.enroll_totp(client, factories.create_staff(app, "support.issuer"), clock)
    account = factories.Account(national_id=factories.next_national_id())
    issued = client.post("/v1/staff/activation-codes", json={"national_id": account.national_id},
                         headers=staff.auth)
    factories.approved_by_colleague(app, client, clock, issued.json["id"])
    assert register(client, account.national_id,
                    issued.json["activation_code"]).status_code == 201
    factories.enroll_totp(client, account, clock)
    registered = registration_in_log(client, account)
    assert registered["issued_by"]["type"] == "staff"
    assert registered["issued_by"]["name"] == recorder.STAFF_NAME == "support staff"
    body = client.get("/v1/me/access-log", headers=account.auth).get_data(as_text=True)
    assert "support.issuer" not in body


def test_a_registration_that_cannot_be_recorded_does_not_happen(app, client, hospital,
                                                                monkeypatch):
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    record = recorder.Recorder.record

    def unavailable(self, action, **fields):
        if action == "account.register":
            raise AuditUnavailable()
        return record(self, action, **fields)
    with monkeypatch.context() as patched:
        patched.setattr(recorder.Recorder, "record", unavailable)
        refused = register(client, national_id, code)
    assert refused.status_code == 503
    assert refused.json["type"] == "urn:phr:problem:unavailable"
    assert factories.stored_patient(app, national_id).get("registered_at") is None
    assert client.post("/v1/auth/login", json={"national_id": national_id,
                                               "password": PASSWORD}).status_code == 401
    with app.app_context():
        assert app.extensions["mongo_db"].activation_codes.find_one()["used_at"] is None
    assert register(client, national_id, code).status_code == 201  # the code still works


def test_a_registration_that_lost_a_race_for_its_code_is_on_the_trail_as_failed(
        app, client, hospital, monkeypatch):
    """The entry is written before the code is claimed: when a parallel registration claims
    it first, a second entry says this one did not happen."""
    from models import activation_codes
    national_id = factories.next_national_id()
    code = factories.activation_code(client, hospital, national_id)
    monkeypatch.setattr(activation_codes.ActivationCodes, "claim", lambda *args: False)
    assert register(client, national_id, code).status_code == 400
    with app.app_context():
        entries = list(app.extensions["mongo_db"].audit_log.find(
            {"action": "account.register"}).sort("seq", 1))
    assert [e["outcome"] for e in entries] == ["ok", "failed"]
    assert all(e["target"] == {"hospital_id": hospital["hospital_id"]} for e in entries)
    assert factories.stored_patient(app, national_id).get("registered_at") is None
