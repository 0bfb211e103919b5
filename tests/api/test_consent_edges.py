"""Consents and shared reads at their edges (from mutation testing): what a caregiver is shown
across several consents, pages and filters under consent, what staff and the trail see, and
receipts that are not base64."""
import base64
import json

import pytest

from tests import factories
from tests.api.test_consents import grant, search, two_hospitals  # noqa: F401 (a fixture)
from tests.factories import bundle, diagnosis, lab_result, push
from tests.factories import current_ctx


@pytest.fixture
def staff(app, client, clock):
    return factories.enroll_totp(client, factories.create_staff(app, "support.edges"), clock)


def owner_id(client, patient):
    return client.get("/v1/me", headers=patient.auth).json["id"]


def person(account):
    return {"type": "person", "national_id": account.national_id}


def receipt_body(receipt):
    payload = receipt["payload"]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_shared_with_me_adds_up_the_categories_of_every_consent(client, hospital, patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    other = factories.signed_in_patient(client, hospital, clock)
    lab = grant(client, patient, person(carer), ["lab"], purpose="caregiving").json
    dx = grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving").json
    grant(client, other, person(carer), ["all"], purpose="caregiving")
    shared = {s["patient_id"]: s for s in
              client.get("/v1/me/shared-with-me", headers=carer.auth).json}
    mine = shared[owner_id(client, patient)]
    assert mine["categories"] == ["diagnosis", "lab"]
    assert mine["purposes"] == ["caregiving"]
    assert mine["consent_ids"] == sorted([lab["id"], dx["id"]])
    assert shared[owner_id(client, other)]["categories"] == ["all"]


def test_a_caregiver_can_narrow_the_shared_records_to_one_category(client, hospital, patient,
                                                                   clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    grant(client, patient, person(carer), ["lab", "diagnosis"], purpose="caregiving")
    path = f"/v1/me/shared-with-me/{owner_id(client, patient)}/records"
    both = client.get(path, headers=carer.auth).json["items"]
    assert sorted(r["category"] for r in both) == ["diagnosis", "lab"]
    only = client.get(path, headers=carer.auth, query_string={"category": "diagnosis"}).json
    assert [r["category"] for r in only["items"]] == ["diagnosis"]


def test_a_hospital_reads_under_consent_page_by_page(app, client, hospital, patient):
    with app.app_context():
        reader = factories.create_hospital("Reader Hospital")
    push(client, hospital, bundle(*[lab_result(patient.national_id, f"lab-{n}", value=n,
                                               when=f"2026-10-0{n + 1}T08:00:00+07:00")
                                    for n in range(3)]))
    grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]})
    seen, cursor = [], None
    for _ in range(3):
        answer = search(client, reader, patient.national_id, limit=1,
                        **({"cursor": cursor} if cursor else {})).json
        seen += [r["resource"]["id"] for r in answer["items"]]
        cursor = answer["next_cursor"]
    assert seen == ["lab-2", "lab-1", "lab-0"] and cursor is None


def test_a_search_for_someone_not_on_the_platform_is_on_the_trail_with_its_purpose(
        app, client, hospital):
    assert search(client, hospital, "079099999999", purpose="insurance").status_code == 403
    with app.app_context():
        [entry] = current_ctx().db.audit_log.find({"action": "records.list"})
    assert (entry["actor"], entry["purpose"], entry["outcome"]) == (
        {"type": "hospital", "id": hospital["hospital_id"]}, "insurance", "denied")


def test_staff_see_a_patients_consents_masked_and_the_patient_sees_them_whole(
        client, hospital, patient, staff, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving",
          sensitive=["hiv"])
    [by_staff] = client.get(f"/v1/staff/patients/{owner_id(client, patient)}/consents",
                            headers=staff.auth).json
    assert by_staff["sensitive"] == ["named"]
    assert by_staff["grantee"]["national_id"] == "********" + carer.national_id[-4:]
    [own] = client.get("/v1/me/consents", headers=patient.auth).json
    assert own["sensitive"] == ["hiv"] and own["grantee"]["national_id"] == carer.national_id


def test_a_patient_reading_their_own_consents_is_not_an_access_to_log(client, hospital, patient,
                                                                     staff):
    client.get("/v1/me/consents", headers=patient.auth)
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert "consents.list" not in {e["action"] for e in log}
    client.get(f"/v1/staff/patients/{owner_id(client, patient)}/consents", headers=staff.auth)
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    assert [e["actor"]["type"] for e in log if e["action"] == "consents.list"] == ["staff"]


@pytest.mark.parametrize("payload", ["não-base64", "AB\u00e9CD", "A"])
def test_a_receipt_whose_payload_is_not_base64_is_not_valid(client, payload):
    response = client.post("/v1/consent-receipts/verify",
                           json={"payload": payload, "signature": "ed25519:AAAA"})
    assert response.status_code == 200 and response.json["valid"] is False


def test_receipts_of_every_length_verify(client, app, patient):
    """Receipts drop base64's padding; payloads of each length modulo 3 must verify."""
    with app.app_context():
        hospitals = [factories.create_hospital(f"Hospital {'x' * n}") for n in range(3)]
    lengths = set()
    for n, other in enumerate(hospitals):
        categories = ["lab", "diagnosis", "imaging"][:n + 1]
        receipt = grant(client, patient, {"type": "hospital", "id": other["hospital_id"]},
                        categories).json["receipt"]
        lengths.add(len(receipt["payload"]) % 4)
        assert client.post("/v1/consent-receipts/verify", json=receipt).json["valid"] is True
    assert len(lengths) > 1


def test_a_staff_revocation_keeps_its_evidence_in_the_record_and_the_receipt(
        app, client, hospital, patient, staff):
    with app.app_context():
        reader = factories.create_hospital("Reader Hospital")
    base = f"/v1/staff/patients/{owner_id(client, patient)}/consents"
    recorded = client.post(base, headers=staff.auth, json={
        "grantee": {"type": "hospital", "id": reader["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment", "evidence": "FORM-2026-0042"}).json
    revoked = client.post(f"{base}/{recorded['id']}/revoke", headers=staff.auth,
                          json={"evidence": "FORM-2026-0043"})
    assert revoked.status_code == 200
    [own] = client.get("/v1/me/consents", headers=patient.auth).json  # staff see no receipts
    body = receipt_body(own["revocation_receipt"])
    assert body["revocation_evidence"] == "FORM-2026-0043"
    assert body["evidence"] == "FORM-2026-0042"
    assert body["recorded_by"] == recorded["recorded_by"] and body["recorded_by"].startswith(
        "staff:")
    with app.app_context():
        stored = current_ctx().db.consents.find_one({"_id": recorded["id"]})
    assert stored["revocation_evidence"] == "FORM-2026-0043"


def test_each_consents_first_read_is_told_once_naming_that_consent(app, client, hospital,
                                                                   patient):
    with app.app_context():
        readers = [factories.create_hospital(f"Reader {n}") for n in range(2)]
    push(client, hospital, bundle(lab_result(patient.national_id)))
    granted = [grant(client, patient, {"type": "hospital", "id": r["hospital_id"]}).json["id"]
               for r in readers]
    for reader in readers + readers:
        assert search(client, reader, patient.national_id).status_code == 200
    told = [n for n in client.get("/v1/me/notifications", headers=patient.auth).json["items"]
            if n["kind"] == "first_access_under_consent"]
    assert sorted(n["data"]["consent_id"] for n in told) == sorted(granted)


def test_a_refused_read_is_on_the_patients_access_log_as_denied_with_its_purpose(
        client, patient, two_hospitals):
    _, reader = two_hospitals
    assert search(client, reader, patient.national_id, purpose="research").status_code == 403
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    [denied] = [e for e in log if e["actor"]["id"] == reader["hospital_id"]]
    assert (denied["action"], denied["purpose"], denied["outcome"]) == (
        "records.list", "research", "denied")


def test_a_read_under_consent_is_on_the_trail_with_how_many_records_it_showed(
        app, client, patient, two_hospitals):
    _, reader = two_hospitals
    grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]},
          ["lab", "diagnosis"])
    search(client, reader, patient.national_id)
    with app.app_context():
        [entry] = current_ctx().db.audit_log.find({"action": "records.list",
                                           "actor.id": reader["hospital_id"]})
    assert entry["target"] == {"count": 2}


HIV_CODE = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}


def test_pages_under_consent_hold_exactly_the_limit_when_hidden_records_are_skipped(
        client, hospital, patient, clock):
    """Newest first: a, two hidden, b, c, d. A page of three skips the hidden ones and ends at
    c; the next starts after c, not after the last record it looked at."""
    carer = factories.signed_in_patient(client, hospital, clock)
    days = iter(range(28, 0, -1))
    resources = []
    for name in ("a", "hidden-1", "hidden-2", "b", "c", "d"):
        resource = diagnosis(patient.national_id, f"dx-{name}", when=f"2026-06-{next(days):02d}")
        if name.startswith("hidden"):
            resource["code"] = HIV_CODE
        resources.append(resource)
    push(client, hospital, bundle(*resources))
    grant(client, patient, person(carer), ["diagnosis"], purpose="caregiving")
    path = f"/v1/me/shared-with-me/{owner_id(client, patient)}/records"
    first = client.get(path, headers=carer.auth, query_string={"limit": 3}).json
    assert [r["resource"]["id"] for r in first["items"]] == ["dx-a", "dx-b", "dx-c"]
    second = client.get(path, headers=carer.auth,
                        query_string={"limit": 3, "cursor": first["next_cursor"]}).json
    assert [r["resource"]["id"] for r in second["items"]] == ["dx-d"]
    assert second["next_cursor"] is None


def test_records_of_categories_the_consent_leaves_out_never_use_up_a_page(client, hospital,
                                                                          patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    newer = [diagnosis(patient.national_id, f"dx-{n}", when=f"2026-09-{n + 1:02d}")
             for n in range(25)]
    push(client, hospital, bundle(lab_result(patient.national_id, when="2026-01-01T08:00:00Z"),
                                  *newer))
    grant(client, patient, person(carer), ["lab"], purpose="caregiving")
    path = f"/v1/me/shared-with-me/{owner_id(client, patient)}/records"
    page = client.get(path, headers=carer.auth, query_string={"limit": 1}).json
    assert [r["category"] for r in page["items"]] == ["lab"] and page["next_cursor"] is None


def test_a_consent_to_a_hospital_shows_which_hospital(client, patient, two_hospitals, staff):
    _, reader = two_hospitals
    granted = grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]}).json
    assert granted["grantee"] == {"type": "hospital", "id": reader["hospital_id"]}
    assert granted["sensitive"] == []
    [by_staff] = client.get(f"/v1/staff/patients/{owner_id(client, patient)}/consents",
                            headers=staff.auth).json
    assert by_staff["grantee"] == {"type": "hospital", "id": reader["hospital_id"]}
    assert by_staff["sensitive"] == []  # nothing named: staff are not told "named"
