"""The records domain without an app: ingest stores versions, reading shows the patient's own."""
import pytest

from services.errors import IdempotencyKeyReused, NotFound
from services.records import ingest, reading
from tests.domain import world
from tests.factories import bundle, lab_result


def test_a_pushed_result_is_read_back_by_its_patient_only(ctx):
    hospital = world.hospital(ctx)
    national_id, patient_id = world.person_with_results(ctx, hospital)
    _, other_id = world.person_with_results(ctx, hospital)
    page = reading.list_for(ctx, patient_id, category="lab")
    assert [item["resource"]["valueQuantity"]["value"] for item in page["items"]] == [5.4]
    record_id = page["items"][0]["id"]
    assert reading.get(ctx, patient_id, record_id)["resource"]["id"] == "lab-1"
    with pytest.raises(NotFound):
        reading.get(ctx, other_id, record_id)


def test_a_changed_result_is_a_new_version_and_the_old_one_is_kept(ctx):
    hospital = world.hospital(ctx)
    national_id, patient_id = world.person_with_results(ctx, hospital)
    world.push(ctx, hospital, lab_result(national_id, value=6.1))
    [item] = reading.list_for(ctx, patient_id, category="lab")["items"]
    assert item["resource"]["valueQuantity"]["value"] == 6.1
    assert item["version"] == 2
    versions = ctx.db.record_versions.count_documents({"patient_id": patient_id})
    assert versions >= 2


def test_a_retried_push_answers_the_same_and_stores_once(ctx):
    hospital = world.hospital(ctx)
    national_id, patient_id = world.person_with_results(ctx, hospital)
    body = bundle(lab_result(national_id, "lab-2", value=7.0))
    first = ingest.ingest(ctx, hospital, body, "hash-a", "retry-1")
    again = ingest.ingest(ctx, hospital, body, "hash-a", "retry-1")
    assert again == first
    assert len(reading.list_for(ctx, patient_id, category="lab")["items"]) == 2
    with pytest.raises(IdempotencyKeyReused):
        ingest.ingest(ctx, hospital, bundle(lab_result(national_id, "lab-3")), "hash-b",
                      "retry-1")
