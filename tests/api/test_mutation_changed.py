"""Shared pages' cursors belong to the list that issued them, part by part (from mutation testing
of the functions changed on 2026-11-26): a cursor names the position of the last record a page
read, which may be one the consent hides, so one replayed on another patient's list, another
caregiver's, another purpose's or another category's is refused like any cursor not made for
that list (services.sharing.shared_access._read seals it under records.cursor_scope)."""
import logging
from datetime import timedelta

from models.db import utcnow
from services.sharing import consents
from services.operations.push_outbox import MongoOutbox
from tests import factories
from tests.api.test_consents import grant, search
from tests.api.test_sharing_leaks import hiv_diagnosis
from tests.factories import bundle, diagnosis, lab_result, owner_id, person, push, shared_records
from tests.factories import current_ctx


def two_labs(client, hospital, national_id):
    push(client, hospital, bundle(
        lab_result(national_id, "lab-new", when="2026-10-02T08:00:00Z"),
        lab_result(national_id, "lab-old", when="2026-10-01T08:00:00Z")))


def refused(response):
    return response.status_code == 422 and list(response.json["errors"]) == ["cursor"]


def test_a_caregivers_cursor_for_one_patient_is_refused_on_another_patients_list(
        client, hospital, patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    carer = factories.signed_in_patient(client, hospital, clock)
    for owner in (patient, other):
        grant(client, owner, person(carer), ["lab"], purpose="caregiving")
        two_labs(client, hospital, owner.national_id)
    first = shared_records(client, carer, owner_id(client, patient), limit=1)
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    assert shared_records(client, carer, owner_id(client, patient), cursor=cursor).status_code \
        == 200
    assert refused(shared_records(client, carer, owner_id(client, other), cursor=cursor))


def test_one_caregivers_cursor_is_refused_on_another_caregivers_list(
        client, hospital, patient, clock):
    carers = [factories.signed_in_patient(client, hospital, clock) for _ in range(2)]
    for carer in carers:
        grant(client, patient, person(carer), ["lab"], purpose="caregiving")
    two_labs(client, hospital, patient.national_id)
    first = shared_records(client, carers[0], owner_id(client, patient), limit=1)
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    assert shared_records(client, carers[0], owner_id(client, patient),
                          cursor=cursor).status_code == 200
    assert refused(shared_records(client, carers[1], owner_id(client, patient), cursor=cursor))


def test_a_caregivers_cursor_for_one_category_is_refused_on_the_unfiltered_list(
        client, hospital, patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["lab", "diagnosis"], purpose="caregiving")
    two_labs(client, hospital, patient.national_id)
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-09-01")))
    first = shared_records(client, carer, owner_id(client, patient), category="lab", limit=1)
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    assert shared_records(client, carer, owner_id(client, patient), category="lab",
                          cursor=cursor).status_code == 200
    assert refused(shared_records(client, carer, owner_id(client, patient), cursor=cursor))


def test_a_hospitals_cursor_for_one_purpose_is_refused_for_another_purpose(
        app, client, hospital, patient):
    with app.app_context():
        reader = factories.create_hospital("Reader Hospital")
    two_labs(client, hospital, patient.national_id)
    for purpose in ("treatment", "research"):
        grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]}, ["lab"],
              purpose=purpose)
    first = search(client, reader, patient.national_id, purpose="treatment", limit=1)
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    assert search(client, reader, patient.national_id, purpose="treatment",
                  cursor=cursor).status_code == 200
    assert refused(search(client, reader, patient.national_id, purpose="research",
                          cursor=cursor))


def test_a_page_full_before_its_batch_ends_reads_on_before_giving_a_cursor(
        client, hospital, patient, clock, monkeypatch):
    """The page is full with the first batch, but the batch ends before the records do: the
    next batch is read to learn whether a record to show follows. Only hidden (HIV) records
    do, so no cursor is given (one would lead to an empty page, telling they exist). Batches of
    two here (the service reads at least 50), so that three records span two batches."""
    monkeypatch.setattr("services.sharing.shared_access._BATCH", 2)
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving")
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-06-05"),
                                  hiv_diagnosis(patient.national_id, "dx-hiv-1", "2026-06-04"),
                                  hiv_diagnosis(patient.national_id, "dx-hiv-2", "2026-06-03")))
    page = shared_records(client, carer, owner_id(client, patient), limit=1).json
    assert [r["resource"]["id"] for r in page["items"]] == ["dx-a"]
    assert page["next_cursor"] is None


def test_when_the_batches_run_out_the_cursor_goes_on_from_the_last_record_read(
        client, hospital, patient, clock, monkeypatch):
    """Hidden records filling every batch a request may read give an empty page with a cursor,
    not the end of the list: the visible record after them is still reached. One batch of two
    per request here (the service reads up to 20 of at least 50)."""
    monkeypatch.setattr("services.sharing.shared_access._BATCH", 2)
    monkeypatch.setattr("services.sharing.shared_access._MAX_BATCHES", 1)
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving")
    push(client, hospital, bundle(hiv_diagnosis(patient.national_id, "dx-hiv-1", "2026-06-05"),
                                  hiv_diagnosis(patient.national_id, "dx-hiv-2", "2026-06-04"),
                                  diagnosis(patient.national_id, "dx-a", when="2026-06-03")))
    seen, query = [], {"limit": 1}
    for _ in range(4):
        page = shared_records(client, carer, owner_id(client, patient), **query).json
        seen += [r["resource"]["id"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        query = {"limit": 1, "cursor": page["next_cursor"]}
    assert seen == ["dx-a"]


def test_the_outbox_logs_which_device_holds_a_token_no_key_opens(app, client, hospital, patient,
                                                                 caplog):
    """The operator is told which device to look at (its id; never the token)."""
    lost = client.post("/v1/me/devices", headers=patient.auth,
                       json={"token": "lost-phone", "platform": "android"})
    assert lost.status_code == 201, lost.json
    lost = lost.json["id"]
    with app.app_context():
        current_ctx().db.devices.update_one({"_id": lost}, {"$set": {"token": "v2:gone:" + "A" * 48}})
    push(client, hospital, bundle(lab_result(patient.national_id)))
    caplog.set_level(logging.ERROR, logger="services.operations.push_outbox")
    with app.app_context():
        now = utcnow()
        MongoOutbox(current_ctx()).claim("w1", now, now + timedelta(minutes=5), 100)
    logged = [r.getMessage() for r in caplog.records if r.name == "services.operations.push_outbox"]
    assert logged and all(lost in message for message in logged)


def test_a_patients_cursor_for_one_category_is_refused_on_their_unfiltered_list(
        client, hospital, patient):
    two_labs(client, hospital, patient.national_id)
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-09-01")))
    first = client.get("/v1/me/records", headers=patient.auth,
                       query_string={"category": "lab", "limit": 1})
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    again = client.get("/v1/me/records", headers=patient.auth,
                       query_string={"category": "lab", "cursor": cursor})
    assert again.status_code == 200
    assert refused(client.get("/v1/me/records", headers=patient.auth,
                              query_string={"cursor": cursor}))


def test_a_patients_cursor_is_refused_on_another_patients_list(client, hospital, patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    for owner in (patient, other):
        two_labs(client, hospital, owner.national_id)
    first = client.get("/v1/me/records", headers=patient.auth, query_string={"limit": 1})
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    assert client.get("/v1/me/records", headers=patient.auth,
                      query_string={"cursor": cursor}).status_code == 200
    assert refused(client.get("/v1/me/records", headers=other.auth,
                              query_string={"cursor": cursor}))


def test_a_patients_cursor_of_a_delta_sync_is_refused_on_their_full_list(
        client, hospital, patient):
    two_labs(client, hospital, patient.national_id)
    since = (utcnow() - timedelta(days=1)).isoformat()
    first = client.get("/v1/me/records", headers=patient.auth,
                       query_string={"since": since, "limit": 1})
    assert first.status_code == 200 and first.json["next_cursor"] is not None
    cursor = first.json["next_cursor"]
    assert client.get("/v1/me/records", headers=patient.auth,
                      query_string={"since": since, "cursor": cursor}).status_code == 200
    assert refused(client.get("/v1/me/records", headers=patient.auth,
                              query_string={"cursor": cursor}))


def test_the_consents_service_gives_staff_no_receipts_whatever_the_response_schema(
        app, client, hospital, patient, clock):
    """Both layers keep the receipts (which name the sensitive kinds) from staff: the service's
    view, and StaffConsentOut's exclude. This pins the first on its own."""
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving", sensitive=["hiv"])
    with app.app_context():
        [by_staff] = consents.list_for(current_ctx(), owner_id(client, patient),
                                       actor={"type": "staff", "id": "stf_reader"})
        [own] = consents.list_for(current_ctx(), owner_id(client, patient),
                                  actor={"type": "patient", "id": owner_id(client, patient)})
    assert "receipt" not in by_staff and "revocation_receipt" not in by_staff
    assert by_staff["sensitive"] == ["named"] and "hiv" not in repr(by_staff).lower()
    assert own["receipt"] and own["sensitive"] == ["hiv"]


def test_an_entry_refused_as_another_patients_record_tells_its_patient_nothing(
        client, hospital, patient, clock):
    """"New results" means something new of theirs was stored: a 409 stored nothing."""
    other = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(diagnosis(other.national_id, "dx-shared")))
    response = push(client, hospital, bundle(diagnosis(patient.national_id, "dx-shared")))
    assert response.json["entry"][0]["response"]["status"] == "409 Conflict"
    items = client.get("/v1/me/notifications", headers=patient.auth).json["items"]
    assert "record_available" not in [i["kind"] for i in items]
