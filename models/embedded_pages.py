"""A sorted, limited find on the embedded database, taken the way MongoDB's index takes it.

mongomock answers `find(q).sort(s).limit(n)` by copying every matching document, sorting them
all with its BSON comparison (a Python call per comparison) and only then cutting the first n:
a page of 50 of a patient's 5,000 records cost ~330 ms, nearly all of it sorting and copying.
Here the same filter (mongomock's own `_iter_documents`, on the stored documents, uncopied)
selects the matches, heapq takes the first skip + n by a plain Python key that orders exactly
as mongomock's comparison does, and only those are copied (mongomock's own projection and
time-zone steps). heapq.nsmallest / nlargest are documented to equal sorted(...)[:n], ties in
stored order, as mongomock's stable sorts leave them.

The key is exact only for top-level fields holding None (or nothing), strings, ints, floats
(not NaN), booleans, ObjectIds and naive datetimes (as mongomock stores them), every field in one
direction. Anything else (arrays, sub-documents, dotted or `$` keys, mixed directions, a
collation, no limit) takes mongomock's own path. tests/models/test_embedded_pages.py compares
the two.
"""
import heapq
from datetime import datetime

import mongomock
from bson import ObjectId
from mongomock import helpers


class _Mongomock:
    """mongomock's own method, kept for the fallback and for the tests that compare."""
    compute_results = None


def take_pages_by_the_sort_key() -> None:
    """Idempotent: marks what it replaced."""
    cursor_class = mongomock.collection.Cursor
    original = cursor_class._compute_results
    if getattr(original, "by_sort_key", False):
        return
    _Mongomock.compute_results = original

    def compute_results(self, with_limit_and_skip=False):
        if with_limit_and_skip:
            page = _page(self)
            if page is not None:
                return page
        return _Mongomock.compute_results(self, with_limit_and_skip)
    compute_results.by_sort_key = True
    cursor_class._compute_results = compute_results


def _page(cursor) -> list | None:
    """The cursor's skip + limit window, or None when mongomock's own path must answer."""
    wanted = (cursor._factory, cursor._skip, cursor._limit)
    cached = getattr(cursor, "_embedded_page", None)
    if cached is not None and cached[0] == wanted:
        return cached[1]  # a cursor reads its answer once, as mongomock's caches its own
    if cursor._results and cursor._factory_last_generated_results == cursor._factory:
        return None  # mongomock already holds the whole answer and slices it
    sort = _plain_sort(cursor)
    if sort is None:
        return None
    keys, descending = sort
    documents = list(cursor.collection._iter_documents(cursor._spec))
    ordering = _sort_keys(documents, keys)
    if ordering is None:
        return None
    take = heapq.nlargest if descending else heapq.nsmallest
    chosen = take(cursor._skip + abs(cursor._limit), range(len(documents)),
                  key=ordering.__getitem__)
    collection = cursor.collection
    page = [collection._copy_only_fields(documents[n], cursor._projection, dict)
            for n in chosen[cursor._skip:]]
    if collection.codec_options.tz_aware:
        page = [helpers.make_datetime_timezone_aware_in_document(doc) for doc in page]
    cursor._embedded_page = (wanted, page)
    return page


def _plain_sort(cursor) -> tuple[list[str], bool] | None:
    """(the sort's keys, whether descending) for a limited find sorted on top-level fields all
    in one direction; None otherwise."""
    sort, limit = cursor._sort, cursor._limit
    if not sort or not limit or cursor._collation is not None or cursor._skip < 0:
        return None
    if isinstance(sort, dict):
        sort = list(sort.items())
    if not isinstance(sort, (list, tuple)) or not all(
            isinstance(item, (list, tuple)) and len(item) == 2 for item in sort):
        return None
    keys, directions = [key for key, _ in sort], [direction for _, direction in sort]
    if not all(isinstance(key, str) and key and "." not in key and not key.startswith("$")
               for key in keys) or not all(type(d) is int and d != 0 for d in directions):
        return None
    descending = {d < 0 for d in directions}
    return (keys, descending.pop()) if len(descending) == 1 else None


class _Unsorted(Exception):
    """A value whose order the plain key might not give as mongomock's comparison does."""


# mongomock's BSON type order (filtering._get_compare_type): types compare by these ranks first.
_RANKS = {str: 15, int: 10, float: 10, ObjectId: 35, bool: 40, datetime: 45}
_NONE = (5, 0)  # a missing field and None sort alike, before every other type


def _sort_keys(documents: list[dict], keys: list[str]) -> list[tuple] | None:
    """Each document's key for the sort, or None when one holds a value it cannot order."""
    try:
        return [tuple(_sort_value(document.get(key)) for key in keys) for document in documents]
    except _Unsorted:
        return None


def _sort_value(value) -> tuple:
    if value is None:
        return _NONE
    rank = _RANKS.get(type(value))
    # Any other type (subclasses too), NaN, or an aware datetime (mongomock stores datetimes
    # naive, in UTC: one aware would be beside naive ones, which Python cannot compare).
    if rank is None or value != value or rank == 45 and value.tzinfo is not None:
        raise _Unsorted
    return rank, value
