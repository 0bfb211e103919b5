"""Records at their edges (from mutation testing): what the export says of the person, what the
trail keeps of an export and of a list, ETags and cursors, when a record was issued, and how
much a page reads."""
from datetime import datetime, timedelta, timezone

import mongomock
import pymongo.cursor
import pytest

from services.records import reading as service
from services.errors import InvalidInput
from tests import factories
from tests.factories import bearer, bundle, diagnosis, hospital_token, lab_result, push
from tests.factories import current_ctx


def patient_resource(client, account):
    exported = client.get("/v1/me/export", headers=account.auth).json
    [found] = [e["resource"] for e in exported["entry"]
               if e["resource"]["resourceType"] == "Patient"]
    return found


def test_the_export_names_the_person_as_the_hospital_recorded_them(client, hospital, clock):
    account = factories.Account(national_id=factories.next_national_id())
    code = factories.activation_code(client, hospital, account.national_id,
                                     name="Phạm Thu Hà", birth_date="1990-07-15")
    registered = client.post("/v1/auth/register", json={
        "national_id": account.national_id, "activation_code": code,
        "password": account.password})
    assert registered.status_code == 201
    factories.enroll_totp(client, account, clock)
    resource = patient_resource(client, account)
    assert resource["name"] == [{"text": "Phạm Thu Hà"}]
    assert resource["birthDate"] == "1990-07-15"


def test_the_export_leaves_out_what_nobody_recorded(client, patient):
    resource = patient_resource(client, patient)
    assert "name" not in resource and "birthDate" not in resource


def test_an_export_is_on_the_trail_with_how_many_records_it_held(app, client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    client.get("/v1/me/export", headers=patient.auth)
    with app.app_context():
        [entry] = current_ctx().db.audit_log.find({"action": "records.export"})
    assert entry["target"] == {"count": 3}  # and the visit pushed before the patient's code


def records(client, account, **query):
    return client.get("/v1/me/records", headers=account.auth, query_string=query)


def test_a_patients_own_list_is_on_the_trail_with_how_many_records_it_showed(app, client,
                                                                            hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    assert len(records(client, patient, limit=1).json["items"]) == 1
    with app.app_context():
        [entry] = current_ctx().db.audit_log.find({"action": "records.list"})
    assert entry["actor"]["type"] == "patient" and entry["target"] == {"count": 1}


def test_a_page_that_gains_a_next_page_is_modified(client, hospital, patient):
    """The ETag covers the next cursor: a page whose records did not change but that now has
    more after it answers 200 with the cursor, not 304."""
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-new",
                                             when="2026-10-01T08:00:00Z")))
    first = records(client, patient, limit=1, category="lab")
    assert first.json["next_cursor"] is None
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-old",
                                             when="2026-09-01T08:00:00Z")))
    again = client.get("/v1/me/records", query_string={"limit": 1, "category": "lab"},
                       headers={**patient.auth, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert [r["resource"]["id"] for r in again.json["items"]] == ["lab-new"]
    assert again.json["next_cursor"] is not None


def test_a_record_shows_when_it_was_issued(client, hospital, patient):
    result = lab_result(patient.national_id, when="2026-10-01T08:00:00+07:00")
    result["issued"] = "2026-10-02T09:30:00+07:00"
    push(client, hospital, bundle(result))
    issued = datetime(2026, 10, 2, 2, 30, tzinfo=timezone.utc)
    [listed] = records(client, patient, category="lab").json["items"]
    assert datetime.fromisoformat(listed["issued_at"]) == issued
    one = client.get(f"/v1/me/records/{listed['id']}", headers=patient.auth).json
    assert datetime.fromisoformat(one["issued_at"]) == issued


def test_a_bad_cursor_is_named_as_the_field_at_fault(client, patient):
    response = records(client, patient, cursor="not-a-cursor")
    assert response.status_code == 422 and list(response.json["errors"]) == ["cursor"]


def test_every_cursor_reads_back_as_the_position_it_names(app):
    """Cursors go into URLs as they are, without base64's padding; sealed positions of every
    length (record ids of 4 to 51 characters, times with and without milliseconds, random
    nonces) must read back. 2,400 of them: a cursor ending in any one base64 character is all
    but certain among them."""
    scope = service.cursor_scope("own", "pat_one", None, None)
    with app.app_context():
        for n in range(2400):
            doc = {"_id": "rec_" + "a" * (n % 48),
                   "sort_at": datetime(2026, 1, 1, tzinfo=timezone.utc)
                   + timedelta(seconds=n, milliseconds=n % 2 * 250)}
            cursor = service.positions(current_ctx(), scope).encode(doc)
            assert "=" not in cursor
            assert service.positions(current_ctx(), scope).decode(cursor) == (doc["sort_at"], doc["_id"])


@pytest.mark.parametrize("other", [("own", "pat_two", None, None), ("own", "pat_one", "lab", None),
                                   ("shared", "pat_one", None, None)])
def test_a_cursor_reads_back_only_on_the_list_that_issued_it(app, other):
    doc = {"_id": "rec_a", "sort_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
    with app.app_context():
        cursor = service.positions(current_ctx(), service.cursor_scope("own", "pat_one", None, None)).encode(doc)
        with pytest.raises(InvalidInput):
            service.positions(current_ctx(), service.cursor_scope(*other)).decode(cursor)


def test_a_page_reads_one_record_beyond_what_it_shows(client, hospital, patient, monkeypatch):
    """The look-ahead that tells whether there is a next page costs one record, not the
    patient's whole history, and is asked as an integer limit, as MongoDB requires."""
    push(client, hospital, bundle(*[lab_result(patient.national_id, f"lab-{n}",
                                               when=f"2026-10-0{n + 1}T08:00:00Z")
                                    for n in range(4)]))
    asked = []
    for cursor_class in (mongomock.collection.Cursor, pymongo.cursor.Cursor):  # either database
        def limit(self, count, _original=cursor_class.limit):
            asked.append(count)
            return _original(self, count)
        monkeypatch.setattr(cursor_class, "limit", limit)
    page = records(client, patient, limit=2).json
    assert len(page["items"]) == 2 and page["next_cursor"] is not None
    assert asked == [3]


# A defect found by mutation testing, fixed (docs/mutation.md, "Defects found").
def test_an_unchanged_page_with_a_next_page_answers_304_to_its_etag(client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-new",
                                             when="2026-10-01T08:00:00Z"),
                                  lab_result(patient.national_id, "lab-old",
                                             when="2026-09-01T08:00:00Z")))
    first = records(client, patient, limit=1)
    assert first.json["next_cursor"] is not None
    again = client.get("/v1/me/records", query_string={"limit": 1},
                       headers={**patient.auth, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
