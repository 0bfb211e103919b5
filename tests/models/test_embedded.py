"""The embedded stand-in's shortcuts (models/embedded.py) answer exactly as mongomock's own path:
the same documents for `_id` look-ups, the same DuplicateKeyError verdicts for unique keys."""
import mongomock
import pytest
from bson import ObjectId

from models import embedded

embedded.adapt()
ORIGINAL = embedded._Mongomock


@pytest.fixture
def people():
    collection = mongomock.MongoClient().db.people
    oid = ObjectId()
    collection.insert_many([
        {"_id": "a", "name": "an", "age": 30, "tags": ["x", "y"]},
        {"_id": "b", "name": "binh", "age": 41},
        {"_id": 7, "name": "seven"},
        {"_id": oid, "name": "object"},
    ])
    collection.oid = oid
    return collection


def both(collection, query) -> tuple[list, list]:
    shortcut = list(collection._iter_documents(query))
    original = list(ORIGINAL.iter_documents(collection, query))
    return shortcut, original


@pytest.mark.parametrize("query", [
    {"_id": "a"}, {"_id": "a", "age": {"$gt": 20}}, {"_id": "a", "age": {"$gt": 40}},
    {"_id": "missing"}, {"_id": "a", "tags": "y"}, {"_id": 7}, {"_id": 7.0}, {"_id": True},
    {"_id": {"$in": ["a", "b"]}}, {"_id": {"$ne": "a"}}, {"name": "binh"}, {},
])
def test_an_id_look_up_finds_what_a_scan_finds(people, query):
    shortcut, original = both(people, query)
    assert shortcut == original


def test_an_object_id_is_looked_up_too(people):
    shortcut, original = both(people, {"_id": people.oid})
    assert shortcut == original and len(shortcut) == 1


def test_the_id_path_is_taken_for_plain_ids(people, monkeypatch):
    # No scan: the original path is not called for a plain _id.
    monkeypatch.setattr(ORIGINAL, "iter_documents", None)
    assert people.find_one({"_id": "b"})["name"] == "binh"


@pytest.fixture
def keyed():
    collection = mongomock.MongoClient().db.keyed
    collection.create_index([("h", 1), ("k", 1)], unique=True)
    collection.insert_many([{"_id": 1, "h": "H", "k": "1"}, {"_id": 2, "h": "H"},
                            {"_id": 3, "h": ["H", "G"], "k": "3"}])
    return collection


@pytest.mark.parametrize("document, duplicate", [
    ({"h": "H", "k": "1"}, True),        # same string keys
    ({"h": "H", "k": "2"}, False),
    ({"h": "H"}, True),                  # missing equals missing (null)
    ({"h": "H", "k": None}, True),       # null equals missing
    ({"h": "G", "k": "3"}, True),        # an array holding the value: multikey
    ({"h": "G", "k": "1"}, False),
    ({"k": "1"}, False),
])
def test_an_insert_is_refused_exactly_when_a_key_is_taken(keyed, document, duplicate):
    if duplicate:
        with pytest.raises(mongomock.DuplicateKeyError):
            keyed.insert_one(document)
        assert keyed.count_documents({}) == 3  # the refused document is not kept
    else:
        keyed.insert_one(document)
        assert keyed.count_documents({}) == 4


@pytest.mark.parametrize("document, duplicate", [
    ({"h": "F", "k": "5"}, True),        # the last key's stored array holds the value
    ({"h": "F", "k": "6"}, False),
    ({"h": "E", "k": "5"}, False),
])
def test_an_array_under_the_last_key_is_matched_as_multikey(keyed, document, duplicate):
    keyed.insert_one({"_id": 5, "h": "F", "k": ["4", "5"]})
    if duplicate:
        with pytest.raises(mongomock.DuplicateKeyError):
            keyed.insert_one(document)
    else:
        keyed.insert_one(document)
    assert keyed.count_documents({}) == 4 + (not duplicate)


def test_an_update_onto_a_taken_key_is_refused(keyed):
    keyed.insert_one({"_id": 4, "h": "H", "k": "4"})
    with pytest.raises(mongomock.DuplicateKeyError):
        keyed.update_one({"_id": 4}, {"$set": {"k": "1"}})
    keyed.update_one({"_id": 4}, {"$set": {"k": "5"}})
    assert keyed.find_one({"_id": 4})["k"] == "5"


def test_other_indexes_take_mongomocks_own_check(keyed, monkeypatch):
    calls = []
    monkeypatch.setattr(ORIGINAL, "ensure_uniques",
                        lambda self, data: calls.append(data["_id"]))
    keyed.create_index("n", unique=True, sparse=True)
    keyed.insert_one({"_id": 9, "h": "Z"})
    keyed.insert_one({"_id": 10, "h": "Y", "k": 5})  # a non-string key value
    assert calls == [9, 10]


def test_a_bulk_write_of_conditional_updates_applies_as_on_mongodb():
    from pymongo import UpdateOne
    embedded.adapt()
    collection = mongomock.MongoClient().db.bulk
    collection.insert_many([{"_id": "a", "v": 1}, {"_id": "b", "v": 3}])
    collection.bulk_write([UpdateOne({"_id": "a", "v": {"$lt": 2}}, {"$set": {"v": 2}}),
                           UpdateOne({"_id": "b", "v": {"$lt": 2}}, {"$set": {"v": 2}})],
                          ordered=False)
    assert sorted((d["_id"], d["v"]) for d in collection.find()) == [("a", 2), ("b", 3)]
