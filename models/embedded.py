"""mongomock adapted to stand in for MongoDB: the same answers, MongoDB's atomicity, fewer scans.

Nothing here changes what a query or write answers; models/db.py applies it to the embedded
database only (real MongoDB is untouched). tests/models/test_embedded.py compares each shortcut
with mongomock's own path (models/embedded_pages.py: sorted, limited finds, likewise compared).
"""
import functools
import threading

import mongomock
from bson import ObjectId
from mongomock.filtering import filter_applies

from models.embedded_pages import take_pages_by_the_sort_key


class _Mongomock:
    """mongomock's own methods, kept for the fallbacks and for the tests that compare."""
    iter_documents = None
    ensure_uniques = None


def adapt() -> None:
    """Idempotent: each patch marks what it replaced."""
    _serialise_writes()
    _look_up_plain_ids()
    _check_unique_keys_by_equality()
    _take_bulk_updates_without_a_sort()
    take_pages_by_the_sort_key()


# mongomock applies a write by scanning, then changing documents in place, so two threads can both
# pass one conditional filter. Real MongoDB makes each single-document write atomic, and the code
# relies on that (single-use codes, refresh rotation), so the embedded stand-in serialises writes.
_WRITE_LOCK = threading.RLock()
_WRITE_METHODS = ("insert_one", "insert_many", "update_one", "update_many", "replace_one",
                  "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
                  "delete_one", "delete_many", "bulk_write")


def _serialise_writes() -> None:
    collection_class = mongomock.collection.Collection
    for name in _WRITE_METHODS:
        original = getattr(collection_class, name)
        if getattr(original, "serialised", False):
            continue

        @functools.wraps(original)
        def locked(self, *args, _original=original, **kwargs):
            with _WRITE_LOCK:
                return _original(self, *args, **kwargs)
        locked.serialised = True
        setattr(collection_class, name, locked)


# mongomock answers every query by scanning the collection, even `{"_id": x}`. A filter with a
# plain `_id` value can match only the document stored under that key, so the embedded stand-in
# looks that one up and applies the whole filter to it: the same answer, without the scan (the
# record's version pointer, sessions, accounts: the hot paths). Operators on `_id` still scan.
_PLAIN_IDS = (str, int, ObjectId)


def _look_up_plain_ids() -> None:
    collection_class = mongomock.collection.Collection
    original = collection_class._iter_documents
    if getattr(original, "by_id", False):
        return
    _Mongomock.iter_documents = original

    def iter_documents(self, filter):
        wanted = filter.get("_id") if isinstance(filter, dict) else None
        if not isinstance(wanted, _PLAIN_IDS) or isinstance(wanted, bool) or self._store.is_empty:
            return original(self, filter)  # on an empty collection mongomock checks the filter
        try:
            candidates = [self._store[wanted]]
        except KeyError:
            candidates = []
        return (document for document in candidates if filter_applies(filter, document))
    iter_documents.by_id = True
    collection_class._iter_documents = iter_documents




# After each insert or update, mongomock counts the documents sharing the new document's unique
# keys by running a query over the whole collection (filter_applies on every document, ~10 us
# each): on `records` that made each stored entry of a push cost a scan per write. Where every
# key is a top-level field holding a string or nothing, and the index is neither sparse nor
# partial, plain equality of the stored values gives the same count at a fraction of the cost.
# A stored value that is not a string or None (an array, a sub-document) is matched by mongomock's
# own filter, so arrays keep MongoDB's multikey meaning. Any other index takes mongomock's path.
def _check_unique_keys_by_equality() -> None:
    collection_class = mongomock.collection.Collection
    if getattr(collection_class._ensure_uniques, "by_equality", False):
        return
    _Mongomock.ensure_uniques = collection_class._ensure_uniques

    def ensure_uniques(self, new_data):
        for index in self._store.indexes.values():
            if index.get("unique") and not _count_by_equality(self, index, new_data):
                return _Mongomock.ensure_uniques(self, new_data)
        return None
    ensure_uniques.by_equality = True
    collection_class._ensure_uniques = ensure_uniques


def _count_by_equality(collection, index: dict, new_data: dict) -> bool:
    """Raises DuplicateKeyError when two documents share the index's keys; False when the index
    is one this shortcut does not read (mongomock's own check then runs)."""
    keys = [key for key, _ in index["key"]]
    if index.get("sparse") or index.get("partialFilterExpression") is not None \
            or any("." in key or key.startswith("$") for key in keys):
        return False
    values = [new_data.get(key) for key in keys]
    if not all(value is None or isinstance(value, str) for value in values):
        return False
    query = dict(zip(keys, values))
    # The last key (a resource's source id, a login) tells almost every document apart: a stored
    # string or null there that differs from the new value rules the document out at once. Any
    # other stored value there (an array, a sub-document) goes on to the full comparison.
    probe_key, probe = keys[-1], values[-1]
    matches = 0
    for document in collection._store.documents:
        stored_probe = document.get(probe_key)
        if stored_probe != probe and (stored_probe is None or isinstance(stored_probe, str)):
            continue
        stored = [document.get(key) for key in keys]
        if stored == values if all(v is None or isinstance(v, str) for v in stored) \
                else filter_applies(query, document):
            matches += 1
            if matches > 1:
                raise mongomock.DuplicateKeyError("E11000 Duplicate Key Error", 11000)
    return True


def _take_bulk_updates_without_a_sort() -> None:
    """pymongo 4.11+ hands every bulk UpdateOne a `sort` keyword (None unless asked), which
    mongomock's bulk builder does not take; without a sort the update is the same."""
    builder = mongomock.collection.BulkOperationBuilder
    original = builder.add_update
    if getattr(original, "takes_sort", False):
        return

    @functools.wraps(original)
    def add_update(self, *args, sort=None, **kwargs):
        if sort is not None:
            raise NotImplementedError("a sorted bulk update is not supported on the embedded "
                                      "database")
        return original(self, *args, **kwargs)
    add_update.takes_sort = True
    builder.add_update = add_update
