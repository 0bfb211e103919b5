"""Query shapes and the index rule: how a filter becomes a shape (never with its values), when a
declared index serves it, and representative API flows whose every query is served. The whole
suite is checked as well, at its end (tests/query_shape_check.py)."""
from datetime import datetime, timedelta, timezone

import mongomock
import pymongo
import pytest
from freezegun import freeze_time

from api import create_app
from models import indexes
from models.repositories import Repositories
from tests.indexcheck import coverage as index_coverage, recorder as query_recorder
from tests.indexcheck import shapes as query_shapes
from tests.indexcheck.coverage import IndexSpec, check, serving_indexes
from tests.indexcheck.shapes import Shape, shape_of
from tests import conftest, factories
from tests.factories import bearer, bundle, diagnosis, lab_result, push
from tests.openapi_contract import ContractClient

CANARY = "CANARY-079012345678-HIV"


def index(*keys, unique=False, partial=()):
    return IndexSpec("i", tuple(keys), unique, frozenset(partial))


def served(spec, query, sort=None) -> bool:
    shape = shape_of("c", query, sort)
    return bool(serving_indexes(shape, [spec]))


# --- shapes ---------------------------------------------------------------------------------

def test_a_shape_keeps_paths_and_how_they_match_never_values():
    shape = shape_of("records", {
        "patient_id": CANARY, "category": {"$in": [CANARY]}, "version": {"$gt": 0},
        "hospital_id": {"$ne": CANARY}, "revoked_at": None, "grantee.key": {"$eq": CANARY},
        "note": {"$regex": CANARY}, "min_gen": {"$exists": False}},
        [("sort_at", -1), ("_id", -1)])
    assert dict(shape.fields) == {
        "patient_id": "eq", "category": "in", "version": "range", "hospital_id": "ne",
        "revoked_at": "null", "grantee.key": "eq", "note": "other", "min_gen": "exists"}
    assert shape.sort == (("sort_at", -1), ("_id", -1))
    assert CANARY not in repr(shape) and CANARY not in str(shape)


def test_and_is_merged_or_keeps_its_branches_and_find_one_takes_a_bare_id():
    shape = shape_of("c", {"$and": [{"a": 1}, {"b": {"$lt": 2}}, {"a": {"$gt": 0}}],
                           "$or": [{"c": 1}, {"d": {"$gte": 1}, "$or": [{"e": 1}]}]})
    assert shape.fields == (("a", "eq"), ("b", "range"))
    assert shape.alternatives == (((("c", "eq"),), (("$or", "other"), ("d", "range"))),)
    assert shape_of("c", "abc") == Shape("c", (("_id", "eq"),))


@pytest.mark.parametrize("spec, direction, expected", [
    ("seq", None, (("seq", 1),)), ("at", -1, (("at", -1),)),
    ([("at", -1), ("seq", -1)], None, (("at", -1), ("seq", -1))),
    ({"a": 1, "b": -1}, None, (("a", 1), ("b", -1))), (["a"], None, (("a", 1),))])
def test_every_form_of_sort_is_read(spec, direction, expected):
    assert query_shapes.sort_keys(spec, direction) == expected


def test_pymongo_collections_and_cursors_are_recorded_too():
    # No server is needed: pymongo connects on the first read, and the shape is noted before.
    client = pymongo.MongoClient("mongodb://127.0.0.1:9", connect=False,
                                 serverSelectionTimeoutMS=1)
    with query_recorder.recording() as recorder:
        watched = query_recorder.watch(client.phr)
        repos = Repositories(watched)
        with pytest.raises(pymongo.errors.ServerSelectionTimeoutError):
            repos.records.for_patient("pat_x", categories=["lab"], since=None, after=None,
                                      limit=5)
        with pytest.raises(pymongo.errors.ServerSelectionTimeoutError):
            repos.sessions.get_active("ses_x")
        with pytest.raises(NotImplementedError):
            bool(watched)   # as pymongo's own Database
    client.close()
    assert {str(s) for s in recorder.shapes()} == {
        "records {category: in, patient_id: eq, version: range} sort (sort_at -1, _id -1)",
        "sessions {_id: eq, expires_at: range, revoked_at: null}"}


def test_nothing_is_wrapped_when_nothing_records(monkeypatch):
    monkeypatch.setattr(query_recorder, "_RECORDERS", [])
    db = object()
    assert query_recorder.watch(db) is db


def test_a_tests_own_reads_are_not_the_applications(make_app):
    with query_recorder.recording() as recorder:
        app = make_app()
        app.extensions["mongo_db"].patients.find_one({"anything": 1})
        list(app.extensions["mongo_db"].records.find({"whatever": 1}))
        Repositories(app.extensions["mongo_db"]).records.for_patient(
            "pat_x", categories=["lab"], since=None, after=None, limit=5)
    assert list(recorder.shapes().values()) == [{("find", "models/records.py:Records.for_patient")}]


# --- the rule -------------------------------------------------------------------------------

def test_equality_fields_lead_the_index_in_any_order():
    spec = index(("a", 1), ("b", 1), ("c", 1))
    assert served(spec, {"b": 1, "a": 2})
    assert served(spec, {"a": 1})
    assert not served(spec, {"a": 1, "c": 2})       # b between: not a prefix
    assert not served(spec, {"b": 1})               # the index does not start with b
    assert not served(index(("a", 1)), {"a": 1, "z": None})   # z is not in the index


def test_ranges_bound_a_scan_only_on_the_first_key_and_an_empty_filter_is_a_scan():
    assert served(index(("t", 1)), {"t": {"$lt": 5}})
    assert not served(index(("a", 1), ("t", 1)), {"t": {"$lt": 5}})
    assert not served(index(("a", 1)), {})
    assert not served(index(("a", 1)), {"a": {"$ne": 1}})
    assert served(index(("a", 1)), {"a": 1, "t": {"$gt": 0}, "x": {"$exists": True}})


def test_the_sort_follows_the_equality_keys_all_as_declared_or_all_reversed():
    spec = index(("p", 1), ("t", -1), ("_id", -1))
    assert served(spec, {"p": 1}, [("t", -1), ("_id", -1)])
    assert served(spec, {"p": 1}, [("t", 1), ("_id", 1)])
    assert not served(spec, {"p": 1}, [("t", -1), ("_id", 1)])
    assert not served(spec, {"p": 1}, [("_id", -1)])
    assert served(spec, {"p": 1, "t": 3}, [("t", 1), ("_id", -1)])   # t pinned: any direction
    assert not served(index(("p", 1), ("r", 1), ("t", 1)), {"p": 1, "r": {"$gt": 0}}, "t")


def test_in_counts_as_equality():
    spec = index(("p", 1), ("c", 1), ("t", -1))
    assert served(spec, {"p": 1, "c": {"$in": ["lab", "vitals"]}}, [("t", -1)])


def test_a_unique_index_matched_on_every_key_finds_one_document_whatever_else():
    anything = {"_id": "x", "other": {"$lt": 3}, "more": None}
    assert served(index_coverage.ID_INDEX, anything, [("z", 1), ("y", -1)])
    assert served(index_coverage.ID_INDEX, {"_id": {"$in": ["a", "b"]}})
    assert served(index(("h", 1), ("k", 1), unique=True), {"k": 1, "h": 2, "z": 3})
    assert not served(index(("h", 1), ("k", 1), unique=True), {"h": 2, "z": 3})


def test_a_partial_index_serves_only_queries_that_name_its_filter_field_by_value():
    spec = index(("h", 1), ("k", 1), unique=True, partial=["h"])
    assert served(spec, {"h": "hosp", "k": 1})
    assert not served(spec, {"h": None, "k": 1})


def test_a_partial_filter_no_equality_can_imply_serves_nothing():
    # MongoDB cannot prove {h: "x"} implies {h: {$type: "string"}}: that index is never used.
    assert index_coverage.provable({"h": {"$gt": ""}, "a": {"$exists": True}, "b": 3})
    assert not index_coverage.provable({"h": {"$type": "string"}})
    assert not index_coverage.provable({"a": {"$exists": False}})
    assert not index_coverage.provable({"$or": [{"h": 1}]})
    spec = IndexSpec("i", (("h", 1), ("k", 1)), True, frozenset({"h"}), partial_provable=False)
    assert not served(spec, {"h": "hosp", "k": 1})


def test_or_is_served_by_the_rest_alone_or_by_every_branch():
    spec = index(("p", 1), ("t", -1), ("_id", -1))
    page = {"p": 1, "$or": [{"t": {"$lt": 5}}, {"t": 5, "_id": {"$lt": "x"}}]}
    assert served(spec, page, [("t", -1), ("_id", -1)])
    claim = {"s": {"$in": ["a", "b"]}, "$or": [{"s": "a", "n": {"$lte": 1}},
                                                {"s": "b", "l": {"$lte": 1}}]}
    assert served(index(("s", 1), ("n", 1)), claim, [("n", 1)])
    assert served(index(("a", 1)), {"$or": [{"a": 1}, {"a": {"$gt": 3}}]})
    assert not served(index(("a", 1)), {"$or": [{"a": 1}, {"b": 1}]})


def test_the_report_names_what_is_not_served_and_from_where_and_keeps_allowed_scans_apart():
    walk, page = shape_of("c", {}), shape_of("c", {"p": 1}, [("t", -1)])
    shapes = {walk: {("find", "models/x.py:walk_all"), ("find", "models/x.py:hot_path")},
              page: {("find", "models/x.py:page")}}
    report = check(shapes, {"c": [index_coverage.ID_INDEX]},
                   allowed={"models/x.py:walk_all": "an operator job"})
    assert not report.ok and report.shapes == 2
    assert dict(report.uncovered) == {walk: {("find", "models/x.py:hot_path")},
                                      page: {("find", "models/x.py:page")}}
    assert report.allowed == [(walk, "models/x.py:walk_all", "an operator job")]
    assert "NOT SERVED: c {p: eq} sort (t -1)" in report.text()
    assert "[('p', 1), ('t', -1)]" in report.text()       # the index that would serve it
    assert check({page: {("find", "o")}}, {"c": [index(("p", 1), ("t", 1))]}, {}).ok


def test_the_declared_indexes_are_read_from_models_indexes():
    declared = index_coverage.declared_indexes()
    names = {spec.name: spec for spec in declared["records"]}
    assert names["records_hospital_source"].partial_fields == {"hospital_id"}
    assert names["records_hospital_source"].partial_provable
    assert names["patient_id_1_category_1_sort_at_-1__id_-1"].keys[2] == ("sort_at", -1)
    assert all(specs[0] is index_coverage.ID_INDEX for specs in declared.values())
    assert set(indexes.ALLOWED_SCANS) == {"models/sealed.py:Sealed.documents", "models/sealed.py:Sealed.count"}


def test_replaced_indexes_are_dropped_from_a_deployed_database():
    db = mongomock.MongoClient().phr
    db.sessions.create_index([("account_id", 1), ("created_at", -1)])
    indexes.ensure_indexes(db)
    indexes.ensure_indexes(db)   # again: nothing left to drop, nothing fails
    assert "account_id_1_created_at_-1" not in db.sessions.index_information()
    assert "account_id_1_revoked_at_1_created_at_-1" in db.sessions.index_information()


# --- representative flows, recorded from one app ---------------------------------------------

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
