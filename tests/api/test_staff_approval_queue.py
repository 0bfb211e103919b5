"""The staff approvals queue: a recorder's own items are marked and staff see no diagnosis;
consents and representative links are paged together oldest first, a page filled from either kind
alone and never an empty last page; a cursor the queue did not give is refused."""
import pytest

from tests import factories
from tests.api.test_staff_approvals import (  # noqa: F401 (fixtures)
    approver, cursors_as_a_real_server_takes_them, decide, friend, record, recorder)


def test_the_queue_marks_the_recorders_own_items_and_clears_once_decided(
        client, patient, recorder, approver, friend):
    owner = factories.owner_id(client, patient)
    item = record(client, recorder, owner, factories.person(friend)).json["id"]
    seen_by_recorder = client.get("/v1/staff/approvals", headers=recorder.auth).json
    seen_by_approver = client.get("/v1/staff/approvals", headers=approver.auth).json
    assert [(i["id"], i["kind"], i["own"]) for i in seen_by_recorder["items"]] == [
        (item, "consent", True)]
    assert [(i["id"], i["own"]) for i in seen_by_approver["items"]] == [(item, False)]
    shown = seen_by_approver["items"][0]["consent"]
    assert shown["sensitive"] == ["named"] and "receipt" not in shown  # no diagnosis for staff
    assert shown["grantee"]["national_id"].startswith("********")
    assert decide(client, approver, item, "reject").status_code == 200
    assert client.get("/v1/staff/approvals", headers=approver.auth).json["items"] == []


def record_link(client, staff, patient_id, born="2015-06-01", **extra):
    return client.post(f"/v1/staff/patients/{patient_id}/representatives", headers=staff.auth,
                       json={"representative_national_id": factories.next_national_id(),
                             "relationship": "parent", "child_birth_date": born,
                             "evidence": "Giấy khai sinh 123/2015", **extra})


def queue_pages(client, staff, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/staff/approvals", headers=staff.auth, query_string=query)
        assert page.status_code == 200
        pages.append([item["id"] for item in page.json["items"]])
        cursor = page.json["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 10


def test_the_queue_pages_consents_and_links_together_oldest_first_without_an_empty_page(
        client, patient, recorder, approver, friend, clock):
    owner = factories.owner_id(client, patient)
    recorded = []
    for kind in ("consent", "link", "consent", "link", "link"):
        clock.tick(1)
        made = record(client, recorder, owner, factories.person(friend)) if kind == "consent" \
            else record_link(client, recorder, owner)
        recorded.append(made.json["id"])
    assert queue_pages(client, approver, 2) == [recorded[:2], recorded[2:4], recorded[4:]]
    assert queue_pages(client, approver, 5) == [recorded]  # exactly full: no next page
    assert queue_pages(client, approver, 1) == [[item] for item in recorded]


@pytest.mark.parametrize("kind", ["consent", "link"])
def test_the_queue_fills_a_page_from_one_kind_alone(client, patient, recorder, approver, friend,
                                                    clock, kind):
    owner = factories.owner_id(client, patient)
    items = []
    for _ in range(3):
        clock.tick(1)
        made = record(client, recorder, owner, factories.person(friend)) if kind == "consent" \
            else record_link(client, recorder, owner)
        items.append(made.json["id"])
    assert queue_pages(client, approver, 2) == [items[:2], items[2:]]


def test_items_recorded_in_the_same_millisecond_are_paged_by_id(client, patient, recorder,
                                                                 approver, friend):
    owner = factories.owner_id(client, patient)
    recorded = sorted([record(client, recorder, owner, factories.person(friend)).json["id"],
                       record(client, recorder, owner, factories.person(friend)).json["id"],
                       record_link(client, recorder, owner).json["id"]])
    assert queue_pages(client, approver, 1) == [[item] for item in recorded]


@pytest.mark.parametrize("cursor", ["not base64!", "bm90IGpzb24", "WzEsIDJd", "WyJ4IiwgIjEiXQ",
                                    "WyIyMDI2LTExLTI1VDA5OjAwOjAwKzAwOjAwIiwgMV0"])
def test_a_cursor_the_queue_did_not_give_is_a_422(client, approver, cursor):
    refused = client.get("/v1/staff/approvals", headers=approver.auth,
                         query_string={"cursor": cursor})
    assert refused.status_code == 422 and "cursor" in refused.json["errors"]
