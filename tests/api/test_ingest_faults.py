"""A push that fails after its records are stored, before its answer is saved or sent, is
retried safely: the retry (same Idempotency-Key and body, or no key) answers success and the
patient sees each record exactly once, at version 1."""
from datetime import timedelta

import pytest

from models import ingest_requests
from models import records as record_store
from services import fhir
from tests.factories import bundle, diagnosis, is_visit, lab_result, push


class Injected(RuntimeError):
    """The fault the tests inject."""


def fail_on_call(monkeypatch, owner, name: str, call: int = 1) -> None:
    """Make owner.name raise Injected on its `call`-th call, and work otherwise."""
    original, calls = getattr(owner, name), []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise Injected(f"{name} failed (injected)")
        return original(*args, **kwargs)
    monkeypatch.setattr(owner, name, failing)


def crash_after_the_first_move(monkeypatch) -> None:
    """The bulk write that points records at their new versions applies the first and the
    process dies (an unordered bulk write on MongoDB may stop after any of its updates)."""
    original = record_store.Records.advance_many

    def partly(self, moves):
        original(self, moves[:1])
        raise Injected("advance_many stopped after one update (injected)")
    monkeypatch.setattr(record_store.Records, "advance_many", partly)


def stored_once(client, patient, pushed: dict) -> None:
    response = client.get("/v1/me/records", headers=patient.auth)
    assert response.status_code == 200, response.json
    seen = sorted((r["resource"]["id"], r["version"]) for r in response.json["items"]
                  if not is_visit(r, patient.national_id))
    assert seen == sorted((resource_id, 1) for resource_id in pushed)


def succeeded(response) -> bool:
    return response.status_code == 200 and all(
        e["response"]["status"] in ("200 OK", "201 Created") for e in response.json["entry"])


@pytest.fixture
def body(patient):
    return bundle(lab_result(patient.national_id, "lab-f1"),
                  diagnosis(patient.national_id, "dx-f1"))


def test_a_keyed_retry_after_the_answer_failed_to_save_succeeds_and_stores_once(
        client, hospital, patient, body, monkeypatch):
    fail_on_call(monkeypatch, ingest_requests.IngestRequests, "finish")
    assert push(client, hospital, body, key="fault-1").status_code == 500
    stored_once(client, patient, {"lab-f1", "dx-f1"})  # stored before the failure
    retry = push(client, hospital, body, key="fault-1")
    assert succeeded(retry), retry.json
    stored_once(client, patient, {"lab-f1", "dx-f1"})
    again = push(client, hospital, body, key="fault-1")  # now the saved answer, as it was
    assert again.status_code == 200 and again.json == retry.json


def test_a_keyed_retry_after_a_crash_before_the_answer_takes_over_once_the_lease_ends(
        client, hospital, patient, body, monkeypatch, clock):
    # A process that dies releases nothing: the key stays claimed until its lease runs out.
    fail_on_call(monkeypatch, ingest_requests.IngestRequests, "finish")
    monkeypatch.setattr(ingest_requests.IngestRequests, "release", lambda self, key_id: None)
    assert push(client, hospital, body, key="fault-2").status_code == 500
    assert push(client, hospital, body, key="fault-2").status_code == 409  # still "running"
    clock.tick(ingest_requests.LEASE + timedelta(seconds=1))
    retry = push(client, hospital, body, key="fault-2")
    assert succeeded(retry), retry.json
    stored_once(client, patient, {"lab-f1", "dx-f1"})


@pytest.mark.parametrize("key", [None, "fault-3"])
def test_a_retry_after_the_answer_failed_to_build_succeeds_and_stores_once(
        client, hospital, patient, body, monkeypatch, key):
    fail_on_call(monkeypatch, fhir, "response_bundle")
    assert push(client, hospital, body, key=key).status_code == 500
    retry = push(client, hospital, body, key=key)
    assert succeeded(retry), retry.json
    assert [e["response"]["status"] for e in retry.json["entry"]] == ["200 OK", "200 OK"]
    stored_once(client, patient, {"lab-f1", "dx-f1"})


@pytest.mark.parametrize("key", [None, "fault-4"])
def test_a_retry_after_a_crash_between_a_version_and_its_pointer_stores_each_once(
        client, hospital, patient, body, monkeypatch, key):
    # The second entry's version is written, its record's pointer not yet moved.
    crash_after_the_first_move(monkeypatch)
    assert push(client, hospital, body, key=key).status_code == 500
    stored_once(client, patient, {"lab-f1"})
    monkeypatch.undo()
    retry = push(client, hospital, body, key=key)
    assert succeeded(retry), retry.json
    stored_once(client, patient, {"lab-f1", "dx-f1"})


@pytest.mark.parametrize("key", [None, "fault-5"])
def test_a_retry_after_a_crash_between_an_amendment_and_its_pointer_stores_each_once(
        client, hospital, patient, monkeypatch, key):
    push(client, hospital, bundle(lab_result(patient.national_id, "lab-f1", value=5.0),
                                  diagnosis(patient.national_id, "dx-f1", when="2026-01-01")))
    amended = bundle(lab_result(patient.national_id, "lab-f1", value=6.0),
                     diagnosis(patient.national_id, "dx-f1", when="2026-02-02"))
    # The second entry's version 2 is written, its record's pointer not yet moved.
    crash_after_the_first_move(monkeypatch)
    assert push(client, hospital, amended, key=key).status_code == 500
    monkeypatch.undo()
    retry = push(client, hospital, amended, key=key)
    assert succeeded(retry), retry.json
    items = [r for r in client.get("/v1/me/records", headers=patient.auth).json["items"]
             if not is_visit(r, patient.national_id)]
    assert sorted((r["resource"]["id"], r["version"]) for r in items) == [("dx-f1", 2),
                                                                         ("lab-f1", 2)]
    for item in items:
        history = client.get(f"/v1/me/records/{item['id']}", headers=patient.auth).json["history"]
        assert [v["version"] for v in history] == [1, 2]
