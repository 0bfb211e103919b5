"""The patient reads records: newest first, filters, cursor pages, ETag, one record, export,
own measurements, hospital export, and nothing in the clear at rest."""
import hashlib
import json
from datetime import timedelta

from tests import factories
from tests.factories import bundle, diagnosis, lab_result, push

CANARY = "CANARY-HbA1c-7f3e"


def records(client, account, **query):
    return client.get("/v1/me/records", headers=account.auth, query_string=query)


def test_records_from_every_hospital_newest_first_with_filters_and_pages(client, app, hospital,
                                                                         patient):
    with app.app_context():
        other = factories.create_hospital("Cho Ray")
    push(client, hospital, bundle(*[lab_result(patient.national_id, f"lab-{i}",
                                               when=f"2026-0{i + 1}-01T00:00:00Z")
                                    for i in range(5)]))
    push(client, other, bundle(diagnosis(patient.national_id, when="2026-07-01")))
    first = records(client, patient, limit=4).json
    dates = [r["effective_at"][:7] for r in first["items"]]
    # 2026-11: today's visit, pushed before the patient's activation code.
    assert dates == ["2026-11", "2026-07", "2026-05", "2026-04"]
    assert first["items"][1]["hospital_name"] == "Cho Ray"
    second = records(client, patient, limit=4, cursor=first["next_cursor"]).json
    assert [r["effective_at"][:7] for r in second["items"]] == ["2026-03", "2026-02", "2026-01"]
    assert second["next_cursor"] is None
    assert {r["category"] for r in records(client, patient, category="diagnosis").json["items"]} \
        == {"diagnosis"}


def test_since_compares_arrival_so_a_late_result_about_last_year_still_syncs(client, hospital,
                                                                            patient, clock):
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-new",
                                             when="2026-11-01T00:00:00Z")))
    synced_at = factories.now()
    clock.tick(timedelta(minutes=5))
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-old",
                                             when="2025-01-01T00:00:00Z")))
    delta = records(client, patient, since=synced_at.isoformat()).json["items"]
    assert [r["resource"]["id"] for r in delta] == ["lab-old"]


def test_an_unchanged_page_answers_304_to_its_etag(client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id)))
    first = records(client, patient)
    etag = first.headers["ETag"]
    again = client.get("/v1/me/records", headers={**patient.auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    push(client, hospital, bundle(lab_result(patient.national_id, value=9.0)))
    changed = client.get("/v1/me/records", headers={**patient.auth, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_another_patients_record_answers_like_a_missing_one(client, hospital, patient, clock):
    other = factories.signed_in_patient(client, hospital, clock)
    push(client, hospital, bundle(lab_result(other.national_id)))
    theirs = records(client, other, category="lab").json["items"][0]["id"]
    mine = client.get(f"/v1/me/records/{theirs}", headers=patient.auth)
    missing = client.get("/v1/me/records/rec_does-not-exist", headers=patient.auth)
    assert mine.status_code == missing.status_code == 404
    assert mine.json == missing.json
    assert factories.records_of(client, patient) == []  # only my own visit


def test_a_bad_cursor_is_a_422(client, patient):
    for cursor in ("not-a-cursor", "W1sxXV0", "eyJhIjogMX0"):
        assert records(client, patient, cursor=cursor).status_code == 422


def test_export_is_a_fhir_collection_of_the_latest_versions(client, hospital, patient):
    from fhir.resources.R4B.bundle import Bundle
    push(client, hospital, bundle(lab_result(patient.national_id, value=5.0),
                                  diagnosis(patient.national_id)))
    push(client, hospital, bundle(lab_result(patient.national_id, value=6.0)))
    exported = client.get("/v1/me/export", headers=patient.auth)
    assert exported.status_code == 200
    Bundle.model_validate(exported.json)
    assert exported.json["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in exported.json["entry"]]
    # Encounter: the visit pushed before the patient's activation code.
    assert sorted(kinds) == ["Condition", "Encounter", "Observation", "Patient"]
    observation = next(e["resource"] for e in exported.json["entry"]
                       if e["resource"]["resourceType"] == "Observation")
    assert observation["valueQuantity"]["value"] == 6.0
    patient_resource = next(e["resource"] for e in exported.json["entry"]
                            if e["resource"]["resourceType"] == "Patient")
    assert patient_resource["identifier"][0]["value"] == patient.national_id


def test_patients_add_their_own_measurements_marked_as_theirs(client, patient):
    added = client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "blood_pressure", "measured_at": "2026-11-20T07:30:00+07:00",
        "systolic": 128, "diastolic": 82})
    assert added.status_code == 201
    record = client.get(f"/v1/me/records/{added.json['id']}", headers=patient.auth).json
    assert record["source"] == "patient" and record["hospital_id"] is None
    assert record["category"] == "vitals" and record["summary"]["value"] == "128/82"
    assert record["resource"]["meta"]["tag"][0]["code"] == "patient-entered"


def test_malformed_measurements_are_refused(client, patient):
    for body in ({"kind": "weight", "measured_at": "2026-11-20T07:30:00Z", "value": 60,
                  "unit": "mmol/L"},
                 {"kind": "blood_pressure", "measured_at": "2026-11-20T07:30:00Z", "value": 1,
                  "unit": "kg"},
                 {"kind": "glucose", "measured_at": "2026-11-20T07:30:00", "value": 5,
                  "unit": "mmol/L"},
                 {"kind": "weight", "measured_at": "2026-11-20T07:30:00Z", "value": 60,
                  "unit": "kg", "hospital_id": "hosp_x"}):
        assert client.post("/v1/me/records", headers=patient.auth, json=body).status_code == 422


def test_a_hospital_exports_everything_it_pushed_with_a_checkable_manifest(client, app, hospital,
                                                                           patient):
    with app.app_context():
        other = factories.create_hospital("Other")
    push(client, hospital, bundle(lab_result(patient.national_id, value=5.0),
                                  diagnosis(patient.national_id)))
    push(client, hospital, bundle(lab_result(patient.national_id, value=6.0)))
    push(client, other, bundle(lab_result(patient.national_id, "theirs")))
    response = client.get("/v1/hospital/export",
                          headers=factories.bearer(factories.hospital_token(client, hospital)))
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    *lines, last = response.get_data(as_text=True).splitlines(keepends=True)
    manifest = json.loads(last)["manifest"]
    # And the Encounter: the visit pushed before the patient's activation code.
    assert manifest["lines"] == 4 == len(lines)
    assert manifest["counts"] == {"Condition": 1, "Encounter": 1, "Observation": 2}
    assert manifest["sha256"] == hashlib.sha256("".join(lines).encode()).hexdigest()
    versions = sorted((json.loads(x)["source_id"], json.loads(x)["version"]) for x in lines)
    assert versions == [("dx-1", 1), ("lab-1", 1), ("lab-1", 2),
                        (factories.visit_id(patient.national_id), 1)]


def test_clinical_content_is_not_stored_in_the_clear(app, client, hospital, patient):
    result = lab_result(patient.national_id)
    result["note"] = [{"text": CANARY}]
    result["code"]["coding"][0]["display"] = CANARY + "-display"
    push(client, hospital, bundle(result), key="canary-push")
    client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "weight", "measured_at": "2026-11-20T07:30:00Z", "value": 61.37, "unit": "kg"})
    db = app.extensions["mongo_db"]
    dump = json.dumps({name: list(db[name].find()) for name in db.list_collection_names()},
                      default=str)
    assert CANARY not in dump and "61.37" not in dump
    assert patient.national_id not in dump
    assert [r["resource"].get("note") for r in records(client, patient, category="lab")
            .json["items"] if r["source"] == "hospital"] == [[{"text": CANARY}]]


def test_pushes_and_reads_show_in_the_patients_access_log(client, hospital, patient):
    push(client, hospital, bundle(lab_result(patient.national_id), diagnosis(patient.national_id)))
    record_id = records(client, patient).json["items"][0]["id"]
    client.get(f"/v1/me/records/{record_id}", headers=patient.auth)
    client.get("/v1/me/export", headers=patient.auth)
    log = client.get("/v1/me/access-log", headers=patient.auth).json["items"]
    actions = [(e["action"], e["actor"]["type"]) for e in log]
    assert actions[:4] == [("records.export", "patient"), ("records.read", "patient"),
                           ("records.list", "patient"), ("records.push", "hospital")]
    push_entry = log[3]
    assert push_entry["actor"]["id"] == hospital["hospital_id"]
    assert push_entry["actor"]["name"] == "Test Hospital"
    assert log[1]["record_id"] == record_id


def test_a_hospital_export_is_audited_even_if_the_client_stops_reading(client, hospital, patient,
                                                                       app):
    push(client, hospital, bundle(lab_result(patient.national_id), diagnosis(patient.national_id)))
    response = client.get("/v1/hospital/export", buffered=False,
                          headers=factories.bearer(factories.hospital_token(client, hospital)))
    next(response.response)  # the first line, then the client goes away
    response.close()
    with app.app_context():
        actions = [e["action"] for e in app.extensions["mongo_db"].audit_log.find()]
    assert "hospital.export" in actions


def test_a_record_repointed_to_another_patient_in_the_database_does_not_open(app, client,
                                                                             hospital, patient,
                                                                             clock):
    other = factories.signed_in_patient(client, hospital, clock)
    leaked = lab_result(other.national_id)
    leaked["note"] = [{"text": CANARY}]
    push(client, hospital, bundle(leaked))
    db = app.extensions["mongo_db"]
    mine = records(client, patient)  # creates nothing; finds the patient id below
    me = client.get("/v1/me", headers=patient.auth).json["id"]
    db.records.update_many({}, {"$set": {"patient_id": me}})
    db.record_versions.update_many({}, {"$set": {"patient_id": me}})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    attempt = client.get("/v1/me/records", headers=patient.auth)
    assert CANARY not in attempt.get_data(as_text=True)
    assert mine.status_code == 200
