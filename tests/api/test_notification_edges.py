"""Notifications at their edges (from mutation testing): the inbox in pages, cursors it did not
make, and the preferences of a patient who never chose any."""
import base64
import json
from datetime import timedelta

import mongomock
import pytest

from tests import factories
from tests.factories import bundle, lab_result, push


@pytest.fixture(autouse=True)
def limits_as_pymongo_takes_them(monkeypatch):
    """The embedded database reads `limit(None)` as no limit; pymongo, against a real server,
    raises TypeError for a limit that is not an integer. Here the embedded one refuses too, so
    an inbox query that would fail in production fails here."""
    lenient = mongomock.collection.Cursor.limit

    def limit(self, count):
        if not isinstance(count, int):
            raise TypeError(f"limit must be an integer, not {type(count)}")
        return lenient(self, count)
    monkeypatch.setattr(mongomock.collection.Cursor, "limit", limit)


def page(client, account, **query):
    response = client.get("/v1/me/notifications", headers=account.auth, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def five_notifications(client, hospital, patient, clock):
    """Five record_available notifications, a second apart, newest first."""
    for n in range(5):
        clock.tick(timedelta(seconds=1))
        push(client, hospital, bundle(lab_result(patient.national_id, f"lab-{n}", value=n)))
    everything = page(client, patient, limit=100)["items"]
    assert len(everything) == 5
    return [n["id"] for n in everything]


def test_the_inbox_comes_in_pages_that_add_up_to_all_of_it(client, hospital, patient, clock):
    everything = five_notifications(client, hospital, patient, clock)
    seen, cursor, pages = [], None, 0
    while True:
        got = page(client, patient, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [n["id"] for n in got["items"]]
        pages += 1
        cursor = got["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and pages == 3


def test_a_page_that_holds_exactly_the_rest_has_no_next_cursor(client, hospital, patient, clock):
    everything = five_notifications(client, hospital, patient, clock)
    first = page(client, patient, limit=3)
    assert first["next_cursor"] is not None
    rest = page(client, patient, limit=2, cursor=first["next_cursor"])
    assert [n["id"] for n in rest["items"]] == everything[3:]
    assert rest["next_cursor"] is None
    assert page(client, patient, limit=5)["next_cursor"] is None


def cursor_of(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not a cursor!", cursor_of({"a": 1}), cursor_of(["2026-11-25T09:00:00+00:00", 7]),
    cursor_of(["yesterday", "ntf_x"]), base64.urlsafe_b64encode(b"\xff\xfe").decode()])
def test_a_cursor_the_inbox_did_not_make_is_a_422_naming_the_cursor(client, patient, cursor):
    response = client.get("/v1/me/notifications", headers=patient.auth,
                          query_string={"cursor": cursor})
    assert response.status_code == 422
    assert response.json["errors"] == {"cursor": ["Not a cursor this API handed out."]}


def test_a_cursor_of_any_length_is_read_without_its_padding(client, hospital, patient, clock):
    """The cursor drops base64's "=" padding; whatever its length it must be read back."""
    everything = five_notifications(client, hospital, patient, clock)
    second = page(client, patient, limit=2)["items"][1]
    for cut in range(4):  # four id lengths make cursors of every length modulo 4
        # A shorter id sorts before the second's own: the page starts after it either way.
        cursor = cursor_of([second["created_at"], second["id"][:len(second["id"]) - cut]])
        response = client.get("/v1/me/notifications", headers=patient.auth,
                              query_string={"cursor": cursor, "limit": 100})
        assert response.status_code == 200, (cut, response.json)
        assert [n["id"] for n in response.json["items"]] == everything[2:]


def test_a_patient_who_never_muted_anything_sees_every_mutable_kind_unmuted(client, patient):
    preferences = client.get("/v1/me/notification-preferences", headers=patient.auth).json
    assert preferences["muted"] == []
    assert "record_available" in preferences["mutable"]
    assert "credentials_changed" not in preferences["mutable"]


def test_muting_a_security_kind_names_each_kind_refused(client, patient):
    refused = client.put("/v1/me/notification-preferences", headers=patient.auth,
                         json={"muted": ["credentials_changed", "record_available",
                                         "sign_in_trouble"]})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"muted": ["credentials_changed cannot be muted.",
                                                "sign_in_trouble cannot be muted."]}
    still = client.get("/v1/me/notification-preferences", headers=patient.auth).json
    assert still["muted"] == []


def test_results_pushed_before_the_patient_had_an_account_are_not_news_in_their_inbox(
        client, hospital, clock):
    """The hospital's records wait for the patient; the notifications start with the account."""
    account = factories.Account(national_id=factories.next_national_id())
    push(client, hospital, bundle(lab_result(account.national_id, "lab-before")))
    code = factories.activation_code(client, hospital, account.national_id)
    assert client.post("/v1/auth/register", json={
        "national_id": account.national_id, "activation_code": code,
        "password": factories.PASSWORD}).status_code == 201
    factories.enroll_totp(client, account, clock)
    assert "record_available" not in [n["kind"] for n in page(client, account)["items"]]
    push(client, hospital, bundle(lab_result(account.national_id, "lab-after")))
    assert [n["kind"] for n in page(client, account)["items"]].count("record_available") == 1
