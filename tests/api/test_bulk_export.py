"""GET /v1/hospital/$export, a FHIR Bulk Data export (Bulk Data Access IG v2) of what a hospital
pushed, used as a Bulk Data client uses it: kick-off, status, the manifest, one NDJSON file per
resource type, the handover manifest beside them."""
import hashlib
import json
import re

from fhir.resources.R4B import get_fhir_model_class

from services.fhir import STORED_TYPES
from tests import factories
from tests.factories import (bearer, bundle, bundle_with_patient_entry, diagnosis, lab_result,
                             push)

# FHIR R4's regular expression for an instant.
FHIR_INSTANT = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|"
    r"3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3])"
    r":[0-5][0-9]|14:00))")
ASYNC = {"Prefer": "respond-async"}


def kick_off(client, token: str, **params):
    return client.get("/v1/hospital/$export", headers={**bearer(token), **ASYNC},
                      query_string=params)


def exported(client, token: str, **params) -> tuple[str, dict]:
    """(status URL, manifest) of a finished export."""
    started = kick_off(client, token, **params)
    assert started.status_code == 202, started.get_data(as_text=True)
    status = client.get(started.headers["Content-Location"], headers=bearer(token))
    assert status.status_code == 200, status.get_data(as_text=True)
    return started.headers["Content-Location"], status.json


def file_lines(client, token: str, url: str) -> list[dict]:
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+ndjson"
    text = response.get_data(as_text=True)
    assert text.endswith("\n") and "\n\n" not in text
    return [json.loads(line) for line in text.splitlines()]


def every_file(client, token: str, manifest: dict) -> dict[str, list[dict]]:
    return {item["type"]: file_lines(client, token, item["url"]) for item in manifest["output"]}


def test_a_kick_off_without_prefer_respond_async_is_refused(client, hospital):
    token = factories.hospital_token(client, hospital)
    response = client.get("/v1/hospital/$export", headers=bearer(token))
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert "respond-async" in response.json["detail"]


def test_kick_off_answers_202_with_a_status_url_that_answers_the_manifest(client, hospital,
                                                                          patient):
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-1"),
                                  lab_result(patient.national_id, "lab-2"),
                                  diagnosis(patient.national_id)), token=token)
    started = kick_off(client, token)
    assert started.status_code == 202
    location = started.headers["Content-Location"]
    assert location.startswith("http://localhost/v1/hospital/$export-status/")
    status = client.get(location, headers=bearer(token))
    assert status.status_code == 200 and status.mimetype == "application/json"
    manifest = status.json
    assert FHIR_INSTANT.fullmatch(manifest["transactionTime"])
    assert manifest["request"] == "http://localhost/v1/hospital/$export"
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    # The patient fixture's registration pushed a visit (Encounter) too.
    assert {(o["type"], o["count"]) for o in manifest["output"]} == {
        ("Condition", 1), ("Encounter", 1), ("Observation", 2)}
    assert "Expires" in status.headers


def test_each_file_holds_one_valid_fhir_resource_of_its_type_a_line(client, hospital, patient):
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-1"),
                                  lab_result(patient.national_id, "lab-2"),
                                  diagnosis(patient.national_id)), token=token)
    _, manifest = exported(client, token)
    files = every_file(client, token, manifest)
    for item in manifest["output"]:
        lines = files[item["type"]]
        assert len(lines) == item["count"]
        for resource in lines:
            assert resource["resourceType"] == item["type"]
            get_fhir_model_class(item["type"]).model_validate(resource)  # raises if invalid
    assert sorted(r["id"] for r in files["Observation"]) == ["lab-1", "lab-2"]


def test_a_resource_that_named_its_patient_by_reference_names_them_in_the_file(client, hospital,
                                                                               patient):
    """Its bundle's Patient entry is not stored: without the identifier added, the line would
    name nobody."""
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle_with_patient_entry(
        lab_result(patient.national_id), patient.national_id,
        "urn:uuid:5b0e7a5e-0000-4000-8000-000000000001"), token=token)
    _, manifest = exported(client, token, _type="Observation")
    [observation] = every_file(client, token, manifest)["Observation"]
    assert observation["subject"] == {
        "reference": "urn:uuid:5b0e7a5e-0000-4000-8000-000000000001",
        "identifier": {"system": factories.NATIONAL_ID_SYSTEM, "value": patient.national_id}}


def test_the_default_is_the_current_version_and_versions_all_gives_every_one(client, hospital,
                                                                              patient):
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-1", value=5.4)),
         token=token)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-1", value=6.1)),
         token=token)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-1", value=7.0)),
         token=token)
    _, current = exported(client, token, _type="Observation")
    [latest] = every_file(client, token, current)["Observation"]
    assert (latest["meta"]["versionId"], latest["valueQuantity"]["value"]) == ("3", 7.0)
    _, everything = exported(client, token, _type="Observation", _versions="all")
    assert everything["output"][0]["count"] == 3
    versions = every_file(client, token, everything)["Observation"]
    assert [(v["meta"]["versionId"], v["valueQuantity"]["value"]) for v in versions] == [
        ("1", 5.4), ("2", 6.1), ("3", 7.0)]
    assert "_versions=all" in everything["request"]


def test_type_limits_the_export_and_a_type_never_stored_is_refused(client, hospital, patient):
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id), diagnosis(patient.national_id)),
         token=token)
    _, manifest = exported(client, token, _type="Condition,Immunization")
    assert [(o["type"], o["count"]) for o in manifest["output"]] == [("Condition", 1)]
    refused = kick_off(client, token, _type="Patient")
    assert refused.status_code == 422 and "Patient" in json.dumps(refused.json["errors"])


def test_since_and_output_format_are_honoured_and_other_parameters_refused(client, hospital,
                                                                            patient, clock):
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-old")), token=token)
    _, first = exported(client, token, _outputFormat="application/fhir+ndjson")
    clock.tick(60)
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-new")), token=token)
    _, later = exported(client, token, _since=first["transactionTime"], _outputFormat="ndjson")
    assert [r["id"] for r in every_file(client, token, later)["Observation"]] == ["lab-new"]
    for params in ({"_outputFormat": "text/csv"}, {"_elements": "id"}, {"patient": "x"},
                   {"_since": "2026-11-25T09:00:00"}):  # an instant needs its zone
        assert kick_off(client, token, **params).status_code == 422, params


def test_the_handover_manifest_beside_the_files_checks_them(client, hospital, patient):
    """The older export's checksummed manifest, kept for the Bulk Data files: named in the
    manifest's `extension`, so Bulk Data clients (which read `output`) never meet it."""
    token = factories.hospital_token(client, hospital)
    push(client, hospital, bundle(lab_result(patient.national_id), diagnosis(patient.national_id)),
         token=token)
    _, manifest = exported(client, token)
    assert {o["type"] for o in manifest["output"]} <= set(STORED_TYPES)
    response = client.get(manifest["extension"]["urn:phr:handover-manifest"],
                          headers=bearer(token))
    assert response.status_code == 200
    handover = response.json
    assert handover["hospital_id"] == hospital["hospital_id"]
    assert handover["versions"] == "current" and FHIR_INSTANT.fullmatch(
        handover["transaction_time"])
    assert handover["counts"] == {o["type"]: o["count"] for o in manifest["output"]}
    assert handover["lines"] == sum(o["count"] for o in manifest["output"])
    for item in handover["files"]:
        body = client.get(item["url"], headers=bearer(token)).get_data()
        assert hashlib.sha256(body).hexdigest() == item["sha256"]


def test_behind_a_proxy_that_ends_tls_the_urls_say_https(make_app):
    """The file URLs are fetched with the bearer token: an http:// URL would send it in clear."""
    app = make_app(PROXY_FIX_HOPS=2)  # the outer one ends TLS, the inner one speaks http
    client = app.test_client()
    with app.app_context():
        hospital = factories.create_hospital()
    token = factories.hospital_token(client, hospital)
    forwarded = {"X-Forwarded-Proto": "https, http", "X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    push(client, hospital, bundle(diagnosis(factories.next_national_id())), token=token)
    started = client.get("/v1/hospital/$export", headers={**bearer(token), **ASYNC, **forwarded})
    assert started.headers["Content-Location"].startswith("https://localhost/v1/hospital/")
    manifest = client.get(started.headers["Content-Location"],
                          headers={**bearer(token), **forwarded}).json
    assert [o["url"][:8] for o in manifest["output"]] == ["https://"]


def test_the_old_export_documents_its_ndjson_answer(client):
    """The generated client crashed on the old export's 200: its media type must be in the
    OpenAPI document."""
    document = client.get("/v1/openapi.json").json
    answer = document["paths"]["/v1/hospital/export"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {"application/x-ndjson"}
    files = document["paths"]["/v1/hospital/$export-files/{job_id}/{resource_type}"]
    assert set(files["get"]["responses"]["200"]["content"]) == {"application/fhir+ndjson"}
