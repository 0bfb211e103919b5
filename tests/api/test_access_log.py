"""GET /v1/me/access-log, and the actions recorded so far, through the HTTP API."""
import base64
import json
from datetime import timedelta

import pytest

from models import audit as audit_store
from tests import factories
from tests.factories import bearer

LOG = "/v1/me/access-log"


def access_log(client, account, **query):
    response = client.get(LOG, headers=account.auth, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def all_items(client, account, limit=100) -> list[dict]:
    items, cursor = [], None
    while True:
        page = access_log(client, account, limit=limit, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def patient_id(client, account) -> str:
    return client.get("/v1/me", headers=account.auth).json["id"]


def subject_of(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


@pytest.fixture
def staff(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.audit"), clock)


def test_the_patient_sees_staff_and_hospital_actions_and_their_own_reads_newest_first(
        client, hospital, patient, staff, clock):
    clock.tick(timedelta(minutes=1))
    my_id = patient_id(client, patient)
    clock.tick(timedelta(minutes=1))
    issued = client.post("/v1/staff/activation-codes", headers=staff.auth,
                         json={"national_id": patient.national_id})
    assert issued.status_code == 201
    clock.tick(timedelta(minutes=1))
    assert client.get("/v1/me", headers=patient.auth).status_code == 200
    page = access_log(client, patient)
    assert [(i["action"], i["actor"]["type"]) for i in page["items"]] == [
        ("profile.read", "patient"), ("activation_code.issue", "staff"),
        ("profile.read", "patient"), ("account.register", "patient"),
        ("activation_code.issue", "hospital"), ("records.push", "hospital")]
    newest, by_staff, _, registered, by_hospital, _ = page["items"]
    assert newest["actor"] == {"type": "patient", "id": my_id, "name": None}
    assert registered["actor"] == newest["actor"]
    assert registered["issued_by"] == by_hospital["actor"]
    assert newest["issued_by"] is None and by_hospital["issued_by"] is None
    assert by_staff["actor"] == {"type": "staff", "id": subject_of(staff.access_token),
                                 "name": "support staff"}
    assert by_hospital["actor"] == {"type": "hospital", "id": hospital["hospital_id"],
                                    "name": "Test Hospital"}
    assert [i["at"] for i in page["items"]] == sorted((i["at"] for i in page["items"]),
                                                      reverse=True)
    assert page["next_cursor"] is None
    body = client.get(LOG, headers=patient.auth).get_data(as_text=True)
    assert "support.audit" not in body and patient.national_id not in body


def test_the_access_log_pages_with_an_opaque_cursor(client, patient, clock):
    for _ in range(6):
        clock.tick(timedelta(seconds=1))
        client.get("/v1/me", headers=patient.auth)
    first = access_log(client, patient, limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = access_log(client, patient, limit=3, cursor=first["next_cursor"])
    third = access_log(client, patient, limit=3, cursor=second["next_cursor"])
    # 6 reads, and the hospital's push of the visit, its code and the registration: 9 entries
    assert third["next_cursor"] is None
    times = [i["at"] for page in (first, second, third) for i in page["items"]]
    assert len(times) == 9 and times == sorted(times, reverse=True)


def test_reads_within_one_millisecond_page_without_loss(client, patient):
    for _ in range(5):  # the clock is frozen: every entry has the same time
        client.get("/v1/me", headers=patient.auth)
    assert len(all_items(client, patient, limit=2)) == 8  # and the push, code, registration


def test_the_page_size_defaults_to_50(client, patient):
    for _ in range(55):
        client.get("/v1/me", headers=patient.auth)
    page = access_log(client, patient)
    assert len(page["items"]) == 50 and page["next_cursor"]


def test_another_patients_entries_never_appear(client, hospital, patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    other_id = patient_id(client, other)
    client.get("/v1/me", headers=other.auth)
    mine = all_items(client, patient)
    assert mine and all(i["actor"]["id"] != other_id for i in mine)
    assert len(all_items(client, other)) == 5  # its visit, code, registration and two reads
    cursor = access_log(client, other, limit=1)["next_cursor"]
    with_other_cursor = access_log(client, patient, cursor=cursor)  # a cursor is a position only
    assert all(i["actor"]["id"] != other_id for i in with_other_cursor["items"])


def test_hospital_and_staff_tokens_are_refused(client, hospital, staff):
    assert client.get(LOG, headers=staff.auth).status_code == 403
    hospital_auth = bearer(factories.hospital_token(client, hospital))
    assert client.get(LOG, headers=hospital_auth).status_code == 403
    assert client.get(LOG).status_code == 401


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"limit": "ten"},
                                   {"limit": "1.5"}, {"cursor": ""}, {"patient_id": "pat_x"},
                                   {"cursor": "x" * 65}])
def test_the_query_is_strict(client, patient, query):
    response = client.get(LOG, headers=patient.auth, query_string=query)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("cursor", ["not-a-cursor", "MTIz", "e30"])
def test_a_cursor_the_api_did_not_hand_out_is_refused(client, patient, cursor):
    response = client.get(LOG, headers=patient.auth, query_string={"cursor": cursor})
    assert response.status_code == 422 and "cursor" in response.json["errors"]


def test_signing_out_another_device_and_changing_the_password_are_recorded(client, patient,
                                                                          clock):
    other = factories.Account(national_id=patient.national_id, totp_secret=patient.totp_secret)
    factories.sign_in(client, other, clock)
    factories.sign_in(client, patient, clock)
    assert client.delete(f"/v1/me/sessions/{other.session_id}",
                         headers=patient.auth).status_code == 204
    changed = client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "brand new river stone 7"})
    assert changed.status_code == 204
    items = access_log(client, patient)["items"]
    assert [i["action"] for i in items[:2]] == ["password.change", "session.end"]
    assert all(i["actor"]["type"] == "patient" for i in items[:2])


def test_a_refused_sign_out_is_not_recorded_as_done(client, hospital, patient, clock):
    stranger = factories.signed_in_patient(client, hospital, clock)
    assert client.delete(f"/v1/me/sessions/{stranger.session_id}",
                         headers=patient.auth).status_code == 404
    assert "session.end" not in [i["action"] for i in all_items(client, patient)]
    assert "session.end" not in [i["action"] for i in all_items(client, stranger)]


def test_a_read_that_cannot_be_recorded_shows_nothing(client, patient, monkeypatch):
    monkeypatch.setattr(audit_store, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(audit_store, "_lost_race", lambda attempt: None)
    monkeypatch.setattr(audit_store.AuditLog, "_current_head",
                        lambda self, key: {"seq": -5, "hash": "stale"})  # every move loses
    response = client.get("/v1/me", headers=patient.auth)
    assert response.status_code == 503
    assert response.json["type"] == "urn:phr:problem:unavailable"
    assert patient.national_id not in response.get_data(as_text=True)


def test_an_entry_slipped_in_beside_the_chain_never_shows(app, client, patient):
    """Someone with write access to the database but not the chain key cannot show a patient a
    forged access: the log reads only what the chain holds."""
    client.get("/v1/me", headers=patient.auth)
    db = app.extensions["mongo_db"]
    real = db.audit_log.find_one({"patient_id": {"$exists": True}}, sort=[("seq", -1)])
    forged = {**real, "_id": "main:999999", "seq": 999999, "action": "records.export",
              "actor": {"type": "hospital", "id": "hosp_forged"}}
    db.audit_log.insert_one(forged)
    db.audit_log.insert_one({**forged, "_id": "other:1", "chain": "other", "seq": 1})
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert "hosp_forged" not in str(log)


@pytest.mark.parametrize("tamper", [
    lambda heads: heads.delete_one({"_id": "main"}),
    lambda heads: heads.update_one({"_id": "main"}, {"$inc": {"seq": -1}}),
    lambda heads: heads.update_one({"_id": "main"}, {"$unset": {"seal": ""}})],
    ids=["deleted head", "head moved without the key", "seal removed"])
def test_the_access_log_is_refused_rather_than_empty_when_the_head_does_not_hold(
        app, client, patient, tamper):
    """Every entry about the patient is filtered up to the head: without a head that holds,
    the page would come back empty and look like nobody had looked."""
    assert access_log(client, patient)["items"]
    tamper(app.extensions["mongo_db"].audit_heads)
    response = client.get(LOG, headers=patient.auth)
    assert response.status_code == 503
    assert response.json["type"] == "urn:phr:problem:unavailable"
    assert "items" not in response.json
