"""Consents through the HTTP API: patients grant and revoke, hospitals read other hospitals'
records only under consent, caregivers read what was shared, and every decision is on the access
log (consents staff record from paper forms: tests/api/test_staff_consents.py)."""
from datetime import timedelta

import pytest

from tests import factories
from tests.factories import bearer, bundle, diagnosis, lab_result, push

HIV = {"resourceType": "Condition", "id": "dx-hiv", "code": {"coding": [
    {"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20"}]}, "onsetDateTime": "2026-01-05"}


def grant(client, account, grantee, categories=("lab",), purpose="treatment", **extra):
    return client.post("/v1/me/consents", headers=account.auth, json={
        "grantee": grantee, "categories": list(categories), "purpose": purpose, **extra})


def search(client, hospital, national_id, purpose="treatment", **extra):
    return client.post("/v1/hospital/records/search", json={
        "national_id": national_id, "purpose": purpose, **extra},
        headers=bearer(factories.hospital_token(client, hospital)))


@pytest.fixture
def two_hospitals(app, client, hospital, patient):
    """`hospital` pushed a lab result and a diagnosis; `reader` is the other hospital."""
    with app.app_context():
        reader = factories.create_hospital("Reader Hospital")
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    return hospital, reader


@pytest.mark.parametrize("to_reader", [True, False])
@pytest.mark.parametrize("category", ["lab", "diagnosis"])
@pytest.mark.parametrize("purpose", ["treatment", "research"])
@pytest.mark.parametrize("state", ["active", "revoked", "expired"])
def test_hospital_reads_only_under_a_consent_in_force_for_it_its_purpose_and_category(
        client, patient, two_hospitals, clock, to_reader, category, purpose, state):
    pusher, reader = two_hospitals
    grantee = {"type": "hospital", "id": (reader if to_reader else pusher)["hospital_id"]}
    expires = (factories.now() + timedelta(hours=1)).isoformat()
    granted = grant(client, patient, grantee, categories=["lab"], expires_at=expires).json
    if state == "revoked":
        client.post(f"/v1/me/consents/{granted['id']}/revoke", headers=patient.auth, json={})
    if state == "expired":
        clock.tick(timedelta(hours=2))
    response = search(client, reader, patient.national_id, purpose=purpose, category=category)
    allowed = to_reader and category == "lab" and purpose == "treatment" and state == "active"
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert [r["category"] for r in response.json["items"]] == ["lab"]


def test_no_consent_and_no_patient_answer_the_same_403(client, patient, two_hospitals):
    _, reader = two_hospitals
    known = search(client, reader, patient.national_id)
    unknown = search(client, reader, "099999999999")
    assert known.status_code == unknown.status_code == 403
    assert known.json == unknown.json


def test_a_hospital_sees_only_other_hospitals_records(client, patient, two_hospitals):
    pusher, reader = two_hospitals
    push(client, reader, bundle(lab_result(patient.national_id, "own-lab")))
    grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]}, categories=["all"])
    items = search(client, reader, patient.national_id).json["items"]
    assert {r["hospital_id"] for r in items} == {pusher["hospital_id"]}


def test_revocation_takes_effect_on_the_very_next_request_and_history_stays(client, patient,
                                                                            two_hospitals):
    _, reader = two_hospitals
    granted = grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]}).json
    assert search(client, reader, patient.national_id).status_code == 200
    revoked = client.post(f"/v1/me/consents/{granted['id']}/revoke", headers=patient.auth,
                          json={})
    assert revoked.status_code == 200 and revoked.json["status"] == "inactive"
    assert search(client, reader, patient.national_id).status_code == 403
    again = client.post(f"/v1/me/consents/{granted['id']}/revoke", headers=patient.auth, json={})
    assert again.status_code == 409
    listed = client.get("/v1/me/consents", headers=patient.auth).json
    assert [(c["id"], c["status"]) for c in listed] == [(granted["id"], "inactive")]
    assert listed[0]["revoked_at"] and listed[0]["revocation_receipt"]["signature"]


def test_receipts_verify_and_a_tampered_one_does_not(client, patient, two_hospitals):
    _, reader = two_hospitals
    receipt = grant(client, patient, {"type": "hospital",
                                      "id": reader["hospital_id"]}).json["receipt"]
    ok = client.post("/v1/consent-receipts/verify", json=receipt)
    assert ok.status_code == 200 and ok.json["valid"] is True
    forged = {**receipt, "payload": receipt["payload"][:-4] + "AAAA"}
    assert client.post("/v1/consent-receipts/verify", json=forged).json["valid"] is False


def test_a_hospital_read_is_on_the_patients_access_log_with_consent_and_purpose(
        client, patient, two_hospitals):
    _, reader = two_hospitals
    granted = grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]}).json
    search(client, reader, patient.national_id)
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    read = next(e for e in log if e["actor"]["id"] == reader["hospital_id"])
    assert (read["action"], read["purpose"], read["consent_id"]) == (
        "records.list", "treatment", granted["id"])


def test_a_caregiver_sees_shared_categories_only_until_revoked(client, hospital, patient, clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(patient.national_id),
                                  diagnosis(patient.national_id)))
    granted = grant(client, patient, {"type": "person", "national_id": carer.national_id},
                    purpose="caregiving").json
    assert granted["grantee"] == {"type": "person", "national_id": carer.national_id}
    shared = client.get("/v1/me/shared-with-me", headers=carer.auth).json
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    assert [(s["patient_id"], s["categories"]) for s in shared] == [(owner_id, ["lab"])]
    path = f"/v1/me/shared-with-me/{owner_id}/records"
    items = client.get(path, headers=carer.auth).json["items"]
    assert [r["category"] for r in items] == ["lab"]
    client.post(f"/v1/me/consents/{granted['id']}/revoke", headers=patient.auth, json={})
    assert client.get(path, headers=carer.auth).status_code == 403
    assert client.get("/v1/me/shared-with-me", headers=carer.auth).json == []


def test_sensitive_records_stay_hidden_unless_the_consent_names_them(client, hospital, patient,
                                                                     clock):
    carer = factories.signed_in_patient(client, hospital, clock)
    hiv = {**HIV, "subject": factories.subject(patient.national_id)}
    push(client, hospital, bundle(hiv, diagnosis(patient.national_id)))
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    path = f"/v1/me/shared-with-me/{owner_id}/records"
    person = {"type": "person", "national_id": carer.national_id}
    first = grant(client, patient, person, categories=["diagnosis"], purpose="caregiving").json
    assert [r["resource"]["id"] for r in client.get(path, headers=carer.auth).json["items"]] \
        == ["dx-1"]
    client.post(f"/v1/me/consents/{first['id']}/revoke", headers=patient.auth, json={})
    grant(client, patient, person, categories=["diagnosis"], purpose="caregiving",
          sensitive=["hiv"])
    seen = sorted(r["resource"]["id"] for r in client.get(path, headers=carer.auth).json["items"])
    assert seen == ["dx-1", "dx-hiv"]


def test_a_stranger_sees_nothing_shared(client, hospital, patient, clock):
    stranger = factories.signed_in_patient(client, hospital, clock)
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    assert client.get("/v1/me/shared-with-me", headers=stranger.auth).json == []
    response = client.get(f"/v1/me/shared-with-me/{owner_id}/records", headers=stranger.auth)
    assert response.status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"grantee": {"type": "hospital", "id": "hosp_nope"}, "categories": ["lab"],
      "purpose": "treatment"}, "grantee"),
    ({"grantee": {"type": "hospital", "id": "x"}, "categories": ["lab"], "purpose": "fun"},
     "purpose"),
    ({"grantee": {"type": "hospital", "id": "x"}, "categories": ["gossip"],
      "purpose": "treatment"}, "categories"),
    ({"grantee": {"type": "person", "id": "x"}, "categories": ["lab"], "purpose": "treatment"},
     "grantee"),
    ({"grantee": {"type": "person", "national_id": "099999999999"}, "categories": ["lab"],
      "purpose": "treatment", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
])
def test_malformed_or_unknown_grants_are_refused(client, patient, body, field):
    response = client.post("/v1/me/consents", headers=patient.auth, json=body)
    assert response.status_code == 422 and field in response.json["errors"]


def test_a_patient_cannot_grant_themself(client, patient):
    response = grant(client, patient, {"type": "person", "national_id": patient.national_id})
    assert response.status_code == 422


def test_another_patients_consent_cannot_be_revoked(client, hospital, patient, clock,
                                                    two_hospitals):
    _, reader = two_hospitals
    granted = grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]}).json
    other = factories.signed_in_patient(client, hospital, clock)
    response = client.post(f"/v1/me/consents/{granted['id']}/revoke", headers=other.auth,
                           json={})
    assert response.status_code == 404
    assert search(client, reader, patient.national_id).status_code == 200


def test_hidden_records_leave_no_trace_in_pages_or_cursors(client, hospital, patient, clock):
    import base64
    carer = factories.signed_in_patient(client, hospital, clock)
    hiv = {**HIV, "subject": factories.subject(patient.national_id), "onsetDateTime": "2026-05-01"}
    push(client, hospital, bundle(diagnosis(patient.national_id, "dx-a", when="2026-06-01"), hiv,
                                  diagnosis(patient.national_id, "dx-b", when="2026-04-01")))
    grant(client, patient, {"type": "person", "national_id": carer.national_id},
          categories=["diagnosis"], purpose="caregiving")
    owner_id = client.get("/v1/me", headers=patient.auth).json["id"]
    path = f"/v1/me/shared-with-me/{owner_id}/records"
    first = client.get(path, headers=carer.auth, query_string={"limit": 1}).json
    second = client.get(path, headers=carer.auth,
                        query_string={"limit": 1, "cursor": first["next_cursor"]}).json
    assert [r["resource"]["id"] for r in first["items"] + second["items"]] == ["dx-a", "dx-b"]
    assert second["next_cursor"] is None
    decoded = base64.urlsafe_b64decode(first["next_cursor"] + "==").decode()
    assert "rec_" not in decoded and "2026" not in decoded


@pytest.mark.parametrize("patient_id", ["079000000001", "x" * 200, "pat_a\tb", "pat_unknown"])
def test_odd_or_unknown_shared_patient_ids_answer_403_not_500(client, patient, patient_id):
    response = client.get(f"/v1/me/shared-with-me/{patient_id}/records", headers=patient.auth)
    assert response.status_code == 403


def test_a_consent_ending_after_the_year_2200_is_refused(client, patient, two_hospitals):
    _, reader = two_hospitals
    response = grant(client, patient, {"type": "hospital", "id": reader["hospital_id"]},
                     expires_at="9999-12-31T23:00:00-05:00")
    assert response.status_code == 422 and "expires_at" in response.json["errors"]
