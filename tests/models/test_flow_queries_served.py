"""Representative API flows, recorded from one app of their own: every query they send is served
by an index declared in models/indexes.py, they reach the repositories that matter, and removing
any one of the indexes they rely on leaves a query unserved."""
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from api import create_app
from models import indexes
from tests.indexcheck import coverage as index_coverage, recorder as query_recorder
from tests.indexcheck.coverage import check
from tests import conftest, factories
from tests.factories import bearer, bundle, diagnosis, lab_result, push
from tests.openapi_contract import ContractClient


def ok(response):
    assert response.status_code < 400, response.get_data(as_text=True)
    return response


def _flows(app, clock):
    client = app.test_client()
    with app.app_context():
        hospital, reader = factories.create_hospital(), factories.create_hospital("Reader")
    patient = factories.signed_in_patient(client, hospital, clock)
    carer = factories.signed_in_patient(client, hospital, clock)
    _sessions(client, patient, clock)
    _records(client, hospital, reader, patient, clock)
    _consents(client, reader, patient, carer)
    _requests(app, client, patient, clock)
    _notifications(app, client, hospital, patient)
    _operator_jobs(app)


def _sessions(client, patient, clock):
    other = factories.sign_in(client, factories.Account(
        national_id=patient.national_id, totp_secret=patient.totp_secret), clock)
    clock.tick(timedelta(seconds=30))
    ok(client.post("/v1/auth/login", json={
        **patient.login_body, "trusted_device_token": patient.trusted_device_token}))
    ok(client.get("/v1/me/sessions", headers=patient.auth))
    ok(client.post("/v1/auth/refresh", headers=bearer(other.refresh_token)))
    ok(client.delete(f"/v1/me/sessions/{other.session_id}", headers=patient.auth))
    factories.sign_in(client, patient, clock)   # fresh, for the password change
    ok(client.post("/v1/me/password", headers=patient.auth, json={
        "current_password": patient.password, "new_password": "brand new river stone 7"}))
    patient.password = "brand new river stone 7"
    factories.sign_in(client, patient, clock)


def _records(client, hospital, reader, patient, clock):
    first = bundle(*[lab_result(patient.national_id, f"lab-{i}") for i in range(3)],
                   diagnosis(patient.national_id))
    for _ in range(2):  # the second answers from the idempotency key
        ok(push(client, hospital, first, key="push-1"))
    ok(push(client, reader, bundle(lab_result(patient.national_id, "lab-1", value=7.0))))
    since = factories.now().isoformat()
    clock.tick(timedelta(seconds=5))
    ok(push(client, hospital, bundle(lab_result(patient.national_id, "lab-1", value=6.0))))
    page = ok(client.get("/v1/me/records", headers=patient.auth,
                         query_string={"limit": 2})).json
    ok(client.get("/v1/me/records", headers=patient.auth, query_string={
        "limit": 2, "cursor": page["next_cursor"]}))
    labs = ok(client.get("/v1/me/records", headers=patient.auth,
                         query_string={"limit": 2, "category": "lab"})).json
    ok(client.get("/v1/me/records", headers=patient.auth, query_string={
        "limit": 2, "cursor": labs["next_cursor"], "category": "lab"}))
    ok(client.get("/v1/me/records", headers=patient.auth, query_string={"since": since}))
    ok(client.get(f"/v1/me/records/{page['items'][0]['id']}", headers=patient.auth))
    ok(client.post("/v1/me/records", headers=patient.auth, json={
        "kind": "weight", "measured_at": "2026-11-20T07:30:00+07:00", "value": 61,
        "unit": "kg"}))
    ok(client.get("/v1/me/export", headers=patient.auth))
    ok(client.get("/v1/hospital/export",
                  headers=bearer(factories.hospital_token(client, hospital))))


def _consents(client, reader, patient, carer):
    to_reader = ok(client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "hospital", "id": reader["hospital_id"]}, "categories": ["lab"],
        "purpose": "treatment"})).json
    ok(client.post("/v1/hospital/records/search", json={
        "national_id": patient.national_id, "purpose": "treatment"},
        headers=bearer(factories.hospital_token(client, reader))))
    to_carer = ok(client.post("/v1/me/consents", headers=patient.auth, json={
        "grantee": {"type": "person", "national_id": carer.national_id},
        "categories": ["lab"], "purpose": "caregiving"})).json
    [shared] = ok(client.get("/v1/me/shared-with-me", headers=carer.auth)).json
    ok(client.get(f"/v1/me/shared-with-me/{shared['patient_id']}/records", headers=carer.auth))
    for consent in (to_reader, to_carer):
        ok(client.post(f"/v1/me/consents/{consent['id']}/revoke", headers=patient.auth,
                       json={}))
    ok(client.get("/v1/me/consents", headers=patient.auth))
    page = ok(client.get("/v1/me/access-log", headers=patient.auth,
                         query_string={"limit": 2})).json
    ok(client.get("/v1/me/access-log", headers=patient.auth,
                  query_string={"limit": 2, "cursor": page["next_cursor"]}))


def _requests(app, client, patient, clock):
    filed = ok(client.post("/v1/me/requests", headers=patient.auth, json={
        "kind": "access", "details": "Bản sao hồ sơ"})).json
    ok(client.get("/v1/me/requests", headers=patient.auth))
    ok(client.get(f"/v1/me/requests/{filed['id']}", headers=patient.auth))
    staff = factories.enroll_totp(client, factories.create_staff(app, "support.flows"), clock)
    page = ok(client.get("/v1/staff/requests", headers=staff.auth,
                         query_string={"limit": 1})).json
    ok(client.get("/v1/staff/requests", headers=staff.auth, query_string={"status": "received"}))
    ok(client.post(f"/v1/staff/requests/{page['items'][0]['id']}/acknowledge",
                   headers=staff.auth))


def _notifications(app, client, hospital, patient):
    device = ok(client.post("/v1/me/devices", headers=patient.auth,
                            json={"token": "fcm-token-flows", "platform": "android"})).json
    ok(push(client, hospital, bundle(lab_result(patient.national_id, "lab-9"))))
    result = app.test_cli_runner().invoke(args=["send-notifications", "--once"])
    assert result.exit_code == 0, result.output
    page = ok(client.get("/v1/me/notifications", headers=patient.auth,
                         query_string={"limit": 2})).json
    ok(client.get("/v1/me/notifications", headers=patient.auth,
                  query_string={"limit": 2, "cursor": page["next_cursor"]}))
    ok(client.post(f"/v1/me/notifications/{page['items'][0]['id']}/read",
                   headers=patient.auth))
    ok(client.delete(f"/v1/me/devices/{device['id']}", headers=patient.auth))
    ok(client.post("/v1/auth/logout", headers=patient.auth))


def _operator_jobs(app):
    for command in (["rotate-keys"], ["verify-audit"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def flow_shapes():
    """{shape: {(operation, origin)}} of the flows above, run once on an app of their own."""
    with query_recorder.recording() as recorder, freeze_time(
            datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc),
            ignore=["pymongo", "bson", "_pytest"]) as clock:
        app = create_app(conftest.test_config())
        app.test_client_class = ContractClient
        try:
            _flows(app, clock)
        finally:
            conftest.drop_database(app)
    return recorder.shapes()


def test_every_query_of_the_flows_is_served_by_a_declared_index(flow_shapes):
    report = check(flow_shapes)
    assert report.ok, report.text()
    assert {origin for _, origin, _ in report.allowed} == set(indexes.ALLOWED_SCANS)


@pytest.mark.parametrize("origin", [
    "models/accounts.py:Accounts.find_by_login", "models/sessions.py:Sessions.list_active",
    "models/sessions.py:Sessions.revoke_all", "models/trusted_devices.py:TrustedDevices.find_valid",
    "models/trusted_devices.py:TrustedDevices.trusted_session_ids", "models/throttles.py:Throttles.take",
    "models/records.py:Records.for_patient", "models/records.py:Records.ensure_record",
    "models/records.py:Records.versions_by_hospital", "models/records.py:Records.all_for_patient",
    "models/ingest_requests.py:IngestRequests.claim", "models/consents.py:Consents.between",
    "models/consents.py:Consents.to_grantee", "models/consents.py:Consents.of_patient",
    "models/audit.py:AuditLog.about_patient", "models/audit.py:AuditLog.walk",
    "models/notifications.py:Notifications.inbox", "models/notifications.py:Notifications.claim_one",
    "models/devices.py:Devices.of_patient", "models/activation_codes.py:ActivationCodes.insert"])
def test_the_flows_reach_the_repositories_that_matter(flow_shapes, origin):
    assert origin in {o for sent in flow_shapes.values() for _, o in sent}


class _Without:
    """A database for ensure_indexes that drops one declared index on its way."""

    def __init__(self, db, collection, name):
        self.db, self.collection, self.name = db, collection, name

    def __getattr__(self, collection):
        target = getattr(self.db, collection)
        if collection != self.collection:
            return target
        without = self

        class Filtered:
            def create_indexes(self, models):
                target.create_indexes([m for m in models if m.document["name"] != without.name])

            def __getattr__(self, attribute):
                return getattr(target, attribute)
        return Filtered()

    __getitem__ = __getattr__


@pytest.mark.parametrize("collection, name", [
    ("records", "patient_id_1_category_1_sort_at_-1__id_-1"),
    ("records", "patient_id_1_sort_at_-1__id_-1"),
    ("records", "records_author_source"),
    ("record_versions", "hospital_id_1_received_at_1__id_1"),
    ("sessions", "account_id_1_revoked_at_1_created_at_-1"),
    ("trusted_devices", "account_id_1_revoked_at_1_expires_at_1"),
    ("audit_log", "patient_id_1_chain_1_at_-1_seq_-1"),
    ("audit_log", "chain_1_seq_1"),
    ("consents", "grantee.kind_1_grantee.key_1_status_1"),
    ("notifications", "patient_id_1_created_at_-1__id_-1"),
    ("notifications", "delivery.state_1_delivery.next_at_1"),
    ("patients", "national_id_hash_1")])
def test_an_index_removed_from_models_indexes_leaves_a_flow_query_unserved(
        flow_shapes, monkeypatch, collection, name):
    declare = indexes.ensure_indexes
    monkeypatch.setattr(indexes, "ensure_indexes", lambda db: declare(_Without(db, collection,
                                                                               name)))
    remaining = index_coverage.declared_indexes()
    assert name not in {spec.name for spec in remaining[collection]}
    report = check(flow_shapes, remaining)
    assert not report.ok
    assert {shape.collection for shape, _ in report.uncovered} == {collection}
