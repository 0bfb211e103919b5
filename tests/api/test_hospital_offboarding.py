"""A hospital's export and what a push tells, found by a review of the hospital side (each was
a defect, now fixed): export lines that named no patient, an export file any local user could
read, "new results" told for a push that stored nothing new, an export whose audit entry
failed answered outside problem+json."""
import json
import os
import stat

import pytest

from models import audit as audit_store
from services.errors import AuditUnavailable
from tests import factories
from tests.factories import bearer, bundle, bundle_with_patient_entry, lab_result, push


def test_the_hospital_export_says_whose_record_each_line_is(client, hospital, patient):
    """A resource that named its patient through a Patient entry of its bundle (how hospital
    systems export, and how the demo pushes) was exported with only its dangling `urn:uuid:`
    reference: the leaving hospital got records it could not attribute to anyone."""
    body = bundle_with_patient_entry(lab_result(patient.national_id), patient.national_id,
                                     "urn:uuid:5b0e7a5e-0000-4000-8000-000000000001")
    assert push(client, hospital, body).status_code == 200
    export = client.get("/v1/hospital/export",
                        headers=bearer(factories.hospital_token(client, hospital)))
    assert export.status_code == 200
    lines = [json.loads(line) for line in export.get_data(as_text=True).splitlines()]
    [record] = [line for line in lines if line.get("resource_type") == "Observation"]
    assert record["patient"] == {"system": factories.NATIONAL_ID_SYSTEM,
                                 "value": patient.national_id}


def test_the_cli_export_is_readable_by_its_owner_only(app, hospital, patient, tmp_path):
    """export-hospital wrote every clinical record a hospital pushed to records.ndjson with the
    process umask (0644 under the usual 022): any local user of the operator's host could read
    it. Now owner-only, also over a file that was there, in an owner-only folder."""
    client = app.test_client()
    push(client, hospital, bundle(lab_result(patient.national_id)))
    previous = os.umask(0o022)
    try:
        result = app.test_cli_runner().invoke(args=["export-hospital", hospital["hospital_id"],
                                                    "--out", str(tmp_path / "out")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(tmp_path / "out").st_mode) == 0o700
    for name in ("records.ndjson", "manifest.json"):
        mode = stat.S_IMODE(os.stat(tmp_path / "out" / name).st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"


def test_a_cli_export_over_an_earlier_one_is_owner_only_too(app, hospital, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "records.ndjson").write_text("old")
    os.chmod(out / "records.ndjson", 0o644)
    result = app.test_cli_runner().invoke(args=["export-hospital", hospital["hospital_id"],
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out / "records.ndjson").st_mode) == 0o600
    assert (out / "records.ndjson").read_text() == ""  # nothing pushed: the old content is gone


def test_a_push_that_stores_nothing_new_tells_the_patient_nothing(client, hospital, patient):
    """ingest told every named patient before storing anything, so a keyless retry (which the
    README calls safe: nothing stored twice) pushed "New results available" again."""
    push(client, hospital, bundle(lab_result(patient.national_id)))
    again = push(client, hospital, bundle(lab_result(patient.national_id)))
    assert again.json["entry"][0]["response"]["status"] == "200 OK"  # recognised, not stored
    items = client.get("/v1/me/notifications", headers=patient.auth).json["items"]
    assert [i["kind"] for i in items].count("record_available") == 1


def news(client, patient) -> int:
    items = client.get("/v1/me/notifications", headers=patient.auth).json["items"]
    return [i["kind"] for i in items].count("record_available")


def test_a_refused_push_tells_nothing_and_an_amendment_tells_once(client, hospital, patient):
    invalid = lab_result(patient.national_id)
    del invalid["code"]  # required
    assert push(client, hospital, bundle(invalid)).json["entry"][0]["response"]["status"] \
        .startswith("400")
    assert news(client, patient) == 0
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-1"),
                                  lab_result(patient.national_id, "lab-2")))
    assert news(client, patient) == 1  # one notice for the push, not one per record
    amended = push(client, hospital, bundle(lab_result(patient.national_id, "lab-1", value=9.9)))
    assert amended.json["entry"][0]["response"]["etag"] == 'W/"2"'
    assert news(client, patient) == 2


def test_an_export_that_cannot_be_recorded_is_a_503_problem(app, client, hospital, patient,
                                                              monkeypatch):
    """hospital_export.lines() recorded its audit entry inside the streamed generator, after the
    view had returned 200: an audit failure escaped Flask's error handlers (waitress then answers
    its own text/plain 500, or cuts the stream) instead of the documented 503 problem+json."""
    push(client, hospital, bundle(lab_result(patient.national_id)))
    token = factories.hospital_token(client, hospital)
    monkeypatch.setattr(audit_store, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(audit_store, "_lost_race", lambda attempt: None)
    monkeypatch.setattr(audit_store.AuditLog, "_current_head",
                        lambda self, key: {"seq": -5, "hash": "stale"})  # every append loses
    try:
        response = client.get("/v1/hospital/export", headers=bearer(token))
    except AuditUnavailable:
        pytest.fail("AuditUnavailable escaped the app while the export was streaming")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"


def test_a_hospital_export_is_in_the_access_log_of_every_patient_in_it(app, client, hospital,
                                                                       patient, clock):
    """A review found a hospital's whole export never showed in its patients' access logs."""
    other = factories.signed_in_patient(client, hospital, clock)
    with app.app_context():
        elsewhere = factories.create_hospital("Elsewhere Hospital")
    bystander = factories.signed_in_patient(client, elsewhere, clock)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-a"),
                                  lab_result(other.national_id, "lab-b")))
    token = factories.hospital_token(client, hospital)
    assert client.get("/v1/hospital/export", headers=bearer(token)).status_code == 200
    for account in (patient, other):
        log = client.get("/v1/me/access-log", headers=account.auth).json["items"]
        [entry] = [e for e in log if e["action"] == "records.export"]
        assert entry["actor"]["id"] == hospital["hospital_id"]
        assert entry["actor"]["name"] == "Test Hospital"
    log = client.get("/v1/me/access-log", headers=bystander.auth).json["items"]
    assert "records.export" not in [e["action"] for e in log]
