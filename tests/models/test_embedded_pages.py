"""The embedded stand-in's sorted, limited finds (models/embedded_pages.py) answer exactly as
mongomock's own path: the same documents in the same order, ties and missing fields included;
the records page takes the shortcut; every other shape falls back to mongomock."""
import math
from datetime import datetime, timedelta, timezone

import mongomock
import pytest
from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from models import embedded, embedded_pages
from models.records import Records

embedded.adapt()
ORIGINAL = embedded_pages._Mongomock
PROPERTY = settings(max_examples=150, deadline=None)
T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


def shortcut_and_original(collection, query, sort, limit, skip=0, projection=None):
    """(the shortcut's page, mongomock's own page, whether the shortcut answered)."""
    def cursor():
        return collection.find(query, projection).sort(sort).skip(skip).limit(limit)
    taken = cursor()
    page = list(taken)
    return page, ORIGINAL.compute_results(cursor(), True), hasattr(taken, "_embedded_page")


# Few distinct values, so that ties, missing fields and None are common.
times = st.sampled_from([T0, T0 + timedelta(hours=1), T0 - timedelta(days=3)])
sort_values = st.one_of(times, st.none(), st.sampled_from(["a", "b", "B", ""]),
                        st.sampled_from([0, 1, 2.5, -1.0]), st.booleans(),
                        st.sampled_from([ObjectId("0" * 24), ObjectId("f" * 24)]))
records = st.fixed_dictionaries(
    {"patient_id": st.sampled_from(["p1", "p2"]), "version": st.sampled_from([0, 1, 2])},
    optional={"category": st.sampled_from(["lab", "imaging", None]), "sort_at": times,
              "other": sort_values})


@st.composite
def collections(draw, documents=records):
    docs = draw(st.lists(documents, max_size=25))
    ids = draw(st.lists(st.one_of(st.integers(0, 40), st.sampled_from(["r1", "r2", "r9"])),
                        min_size=len(docs), max_size=len(docs), unique=True))
    collection = mongomock.MongoClient(tz_aware=True).db.records
    if docs:
        collection.insert_many([{**doc, "_id": _id} for doc, _id in zip(docs, ids)])
    return collection


queries = st.fixed_dictionaries(
    {"patient_id": st.sampled_from(["p1", "p2"]), "version": st.just({"$gt": 0})},
    optional={"category": st.builds(lambda c: {"$in": c},
                                    st.lists(st.sampled_from(["lab", "imaging"]), min_size=1)),
              "$or": st.builds(lambda at, _id: [{"sort_at": {"$lt": at}},
                                                {"sort_at": at, "_id": {"$lt": _id}}],
                               times, st.integers(0, 40))})
directions = st.sampled_from([1, -1])
sorts = st.one_of(
    st.builds(lambda d: [("sort_at", d), ("_id", d)], directions),
    st.builds(lambda key, d: [(key, d)], st.sampled_from(["sort_at", "other", "category"]),
              directions),
    st.builds(lambda d: [("other", d), ("sort_at", d), ("_id", d)], directions))


@PROPERTY
@given(collections(), queries, sorts, st.integers(1, 12), st.integers(0, 3))
def test_a_sorted_page_is_mongomocks_page(collection, query, sort, limit, skip):
    page, original, _ = shortcut_and_original(collection, query, sort, limit, skip)
    assert page == original
    assert [d["_id"] for d in page] == [d["_id"] for d in original]


@PROPERTY
@given(collections(), sorts, st.integers(-5, 5).filter(bool))
def test_a_negative_limit_and_a_projection_read_as_in_mongomock(collection, sort, limit):
    page, original, _ = shortcut_and_original(collection, {}, sort, limit,
                                              projection={"sort_at": 1, "category": 1})
    assert page == original


def _records(db, patient: str, count: int, start: int = 0) -> None:
    db.records.insert_many([
        {"_id": f"r{n:04d}", "patient_id": patient, "version": n % 5,
         "category": ("lab", "imaging")[n % 2], "sort_at": T0 - timedelta(hours=n % 7)}
        for n in range(start, start + count)])


def test_the_records_page_takes_the_shortcut(monkeypatch):
    db = mongomock.MongoClient(tz_aware=True).db
    _records(db, "p1", 60)
    _records(db, "p2", 10, start=60)
    expected = sorted((d for d in db.records.find({"patient_id": "p1"}) if d["version"] > 0),
                      key=lambda d: (d["sort_at"], d["_id"]), reverse=True)

    def refused(cursor, with_limit_and_skip=False):
        raise AssertionError("mongomock's own path was taken")
    monkeypatch.setattr(ORIGINAL, "compute_results", refused)
    page = Records(db).for_patient("p1", categories=None, since=None, after=None, limit=11)
    assert page == expected[:11]
    after = (page[-1]["sort_at"], page[-1]["_id"])
    labs = Records(db).for_patient("p1", categories=["lab"], since=None, after=after, limit=5)
    assert labs == [d for d in expected[11:] if d["category"] == "lab"][:5]


def test_a_page_read_twice_is_read_once(monkeypatch):
    db = mongomock.MongoClient().db
    _records(db, "p1", 8)
    cursor = db.records.find({}).sort([("sort_at", -1), ("_id", -1)]).limit(3)
    first = list(cursor)
    monkeypatch.setattr(db.records, "_iter_documents", None)  # a second scan would fail
    cursor.rewind()
    assert list(cursor) == first and len(first) == 3


@pytest.mark.parametrize("values, sort, limit", [
    ([1, 2], [("sort_at", -1)], 0),                               # no limit
    ([1, 2], [("sort_at", -1), ("_id", 1)], 5),                   # mixed directions
    ([{"a": 1}, {"a": 2}], [("sort_at.a", 1)], 5),                # a dotted key
    ([1, 2], [("$natural", -1)], 5),                              # not a field
    ([[3, 1], 2], [("sort_at", 1)], 5),                           # an array: sorted by its first
    ([[], 2], [("sort_at", 1)], 5),                               # an empty array: before None
    ([{"b": 1}, {"a": 2}], [("sort_at", 1)], 5),                  # sub-documents
    ([math.nan, 1.0, 0.5], [("sort_at", 1)], 5),                  # NaN
    ([ObjectId(), b"x"], [("sort_at", 1)], 5),                    # bytes
    ([T0.replace(tzinfo=None), T0], [("sort_at", 1)], 5),         # naive beside aware
])
def test_other_shapes_take_mongomocks_own_path(values, sort, limit, monkeypatch):
    collection = mongomock.MongoClient().db.mixed
    collection.insert_many([{"_id": n, "sort_at": value} for n, value in enumerate(values)])
    if values[-1] is T0:  # mongomock stores datetimes naive: an aware one only by a stray write
        collection._store[len(values) - 1]["sort_at"] = T0
    calls = []
    original = ORIGINAL.compute_results

    def counted(cursor, with_limit_and_skip=False):
        calls.append(with_limit_and_skip)
        return original(cursor, with_limit_and_skip)
    monkeypatch.setattr(ORIGINAL, "compute_results", counted)
    try:
        list(collection.find({}).sort(sort).limit(limit))
    except TypeError:
        pass  # naive and aware datetimes do not compare in mongomock either
    assert calls and calls[0] is True


def test_a_cursor_that_read_everything_keeps_mongomocks_answer():
    # A cursor mongomock has already answered in full (alive reads everything) slices that
    # answer, even after a later write; the shortcut leaves it so.
    db = mongomock.MongoClient().db
    _records(db, "p1", 4)
    cursor = db.records.find({}).sort([("sort_at", -1), ("_id", -1)]).limit(2)
    assert cursor.alive
    db.records.insert_one({"_id": "newest", "sort_at": T0 + timedelta(days=1)})
    assert "newest" not in [d["_id"] for d in cursor]
