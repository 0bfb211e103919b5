"""/metrics (METRICS_ENABLED): request counts and latency by URL rule, the push outbox's depth,
refused audit appends; behind METRICS_TOKEN when set; absent when off."""
import re

import pytest

from tests import factories

TOKEN = "m" * 40


@pytest.fixture
def metered(make_app):
    return make_app(METRICS_ENABLED=True)


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def value(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_are_off_unless_enabled(client):
    assert client.get("/metrics").status_code == 404


def test_requests_are_counted_by_url_rule_never_by_raw_path(metered):
    client = metered.test_client()
    client.get("/v1/me/records/rec-1234567890", headers=factories.bearer("not-a-token"))
    client.get("/v1/me/records/rec-0987654321", headers=factories.bearer("not-a-token"))
    text = scrape(client)
    assert value(text, "phr_http_requests_total", method="GET",
                 route="/v1/me/records/<record_id>", status="401") == 2
    assert "rec-1234567890" not in text
    assert value(text, "phr_http_request_seconds_count", method="GET",
                 route="/v1/me/records/<record_id>") == 2


def test_a_path_no_rule_matches_is_counted_as_unmatched(metered):
    client = metered.test_client()
    client.get("/v1/0790000000012/anything")
    text = scrape(client)
    assert value(text, "phr_http_requests_total", route="unmatched", status="404") == 1
    assert "0790000000012" not in text


def test_the_outbox_depth_counts_pending_deliveries(metered):
    client = metered.test_client()
    with metered.app_context():
        hospital = factories.create_hospital()
    assert value(scrape(client), "phr_notification_outbox", state="pending") == 0
    account = factories.registered_patient(client, hospital)
    factories.push(client, hospital, factories.bundle(
        factories.lab_result(account.national_id)))
    pending = metered.extensions["mongo_db"].notifications.count_documents(
        {"delivery.state": "pending"})
    assert pending >= 1
    assert value(scrape(client), "phr_notification_outbox", state="pending") == pending


def test_a_refused_audit_append_is_counted(metered):
    client = metered.test_client()
    with metered.app_context():
        hospital = factories.create_hospital()
    token = factories.hospital_token(client, hospital)
    assert value(scrape(client), "phr_audit_unavailable_total") == 0
    metered.extensions["mongo_db"].audit_heads.delete_one({"_id": "main"})
    response = factories.push(client, hospital, factories.bundle(
        factories.lab_result(factories.next_national_id())), token=token)
    assert response.status_code == 503, response.json
    assert value(scrape(client), "phr_audit_unavailable_total") == 1


def test_with_a_token_metrics_need_it(make_app):
    client = make_app(METRICS_ENABLED=True, METRICS_TOKEN=TOKEN).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=factories.bearer("m" * 39 + "n")).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert "phr_http_requests_total" in scrape(client, **factories.bearer(TOKEN))


def test_a_mistyped_metrics_switch_is_refused():
    from api.config import ConfigError, load_config
    with pytest.raises(ConfigError, match="METRICS_ENABLED"):
        load_config({"METRICS_ENABLED": "ture"})


def test_production_serves_metrics_only_behind_a_long_token():
    from api.config import production_problems
    from tests.api.test_config import SAFE_PRODUCTION
    from api.config import load_config
    base = load_config({k: v for k, v in SAFE_PRODUCTION.items() if k != "APP_ENV"})
    base["APP_ENV"] = "production"
    assert production_problems(base) == []
    assert any("METRICS_TOKEN" in p for p in production_problems({**base,
                                                                  "METRICS_ENABLED": True}))
    assert any("METRICS_TOKEN" in p for p in production_problems(
        {**base, "METRICS_ENABLED": True, "METRICS_TOKEN": "short"}))
    assert production_problems({**base, "METRICS_ENABLED": True, "METRICS_TOKEN": TOKEN}) == []
