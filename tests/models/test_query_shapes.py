"""Query shapes and the index rule: how a filter becomes a shape (never with its values) and when a
declared index serves it. Representative API flows whose every query is served are in
test_flow_queries_served.py; the whole suite is checked as well, at its end
(tests/query_shape_check.py)."""
import mongomock
import pymongo
import pytest

from models import indexes
from models.repositories import Repositories
from tests.indexcheck import coverage as index_coverage, recorder as query_recorder
from tests.indexcheck import shapes as query_shapes
from tests.indexcheck.coverage import IndexSpec, check, serving_indexes
from tests.indexcheck.shapes import Shape, shape_of

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
    assert set(indexes.ALLOWED_SCANS) == {"models/sealed.py:Sealed.documents",
                                          "models/sealed.py:Sealed.count",
                                          "models/data_requests.py:DataRequests.queue"}


def test_replaced_indexes_are_dropped_from_a_deployed_database():
    db = mongomock.MongoClient().phr
    db.sessions.create_index([("account_id", 1), ("created_at", -1)])
    indexes.ensure_indexes(db)
    indexes.ensure_indexes(db)   # again: nothing left to drop, nothing fails
    assert "account_id_1_created_at_-1" not in db.sessions.index_information()
    assert "account_id_1_revoked_at_1_created_at_-1" in db.sessions.index_information()
