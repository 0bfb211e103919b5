"""Recording the shape (tests/indexcheck/shapes.py) of every query the application sends, for the
test suite's index check (tests/indexcheck/coverage.py, tests/query_shape_check.py).

Off (always in production) nothing is wrapped: `watch(db)` returns the database itself, so a
query costs what it did. Once a test run has called `install(recorder)`, `watch` wraps the
database in a thin proxy: its collections note the shape of every find, find_one,
count_documents, distinct, find_one_and_*, update_*, replace_one, delete_*, aggregate (a
leading `$match` and the `$sort` right after it) and bulk_write, and a cursor notes its sort
when first read (a cursor never read sent nothing). Each shape keeps the operation and the
function that sent it ("models/records.py:Records.for_patient"). A call made from tests/ (a test
reading storage to check it) is not the application's and is not kept. The proxy relies on
no library internals: it is the same on mongomock and on pymongo. A sort is read from the
cursor's sort() or the `sort=` keyword (the repositories pass it so).
"""
import os
import re
import sys
import threading
from contextlib import contextmanager

import mongomock
from pymongo.collection import Collection as _PymongoCollection

from tests.indexcheck.shapes import Shape, shape_of, sort_keys

_COLLECTIONS = (_PymongoCollection, mongomock.collection.Collection)
_HERE = os.path.abspath(__file__)
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
_TESTS = os.path.join(_ROOT, "tests") + os.sep
# Under mutmut (docs/mutation.md) a repository function runs as a copy named
# x_NAME__mutmut_orig or x_NAME__mutmut_N (a method: xǁCLASSǁNAME__mutmut_...); origins name the
# function it stands for, so the suite's checks of origins hold in a mutation run too.
_MUTMUT_COPY = re.compile(r"(?:\w+\.)?x(?:_|ǁ(\w+)ǁ)(\w+?)__mutmut_\w+")


class Recorder:
    """Shapes seen, each with the (operation, origin) pairs that sent it. Thread-safe."""

    def __init__(self):
        self._seen: dict[Shape, set] = {}
        self._lock = threading.Lock()
        self.sent = 0  # queries noted, each a round trip (tests compare requests by it)

    def add(self, shape: Shape, operation: str, origin: str, trip: bool = True) -> None:
        with self._lock:
            self._seen.setdefault(shape, set()).add((operation, origin))
            self.sent += trip

    def trip(self) -> None:
        """A round trip without a query to check (an insert)."""
        with self._lock:
            self.sent += 1

    def shapes(self) -> dict[Shape, set]:
        with self._lock:
            return {shape: set(sent) for shape, sent in self._seen.items()}


_RECORDERS: list[Recorder] = []


def install(recorder: Recorder) -> None:
    """From now on, databases passed to `watch` report to `recorder` (tests only)."""
    _RECORDERS.append(recorder)


def uninstall(recorder: Recorder) -> None:
    _RECORDERS.remove(recorder)


@contextmanager
def recording():
    """A recorder for the block; databases watched inside it report to it."""
    recorder = Recorder()
    install(recorder)
    try:
        yield recorder
    finally:
        uninstall(recorder)


def watch(db):
    """`db` itself when nothing records (production); a recording proxy otherwise."""
    return _Database(db) if _RECORDERS else db


def _note(shape: Shape, operation: str, origin: str | None, trip: bool = True) -> None:
    """`trip`: whether this query is a round trip of its own (the requests of one bulk_write
    are one)."""
    if origin is None:
        return
    for recorder in list(_RECORDERS):
        recorder.add(shape, operation, origin, trip)


def _trip(origin: str | None) -> None:
    if origin is not None:
        for recorder in list(_RECORDERS):
            recorder.trip()


def _origin() -> str | None:
    """"path:function" of the code calling the proxy; None when that is a test."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == _HERE:
        frame = frame.f_back
    if frame is None:
        return None
    path = os.path.abspath(frame.f_code.co_filename)
    if path.startswith(_TESTS) or not path.startswith(_ROOT + os.sep):
        return None
    return f"{os.path.relpath(path, _ROOT)}:{_unmangled(frame.f_code.co_qualname)}"


def _unmangled(qualname: str) -> str:
    copy = _MUTMUT_COPY.fullmatch(qualname)
    if copy is None:
        return qualname
    cls, name = copy.groups()
    return f"{cls}.{name}" if cls else name


class _Database:
    def __init__(self, db):
        self._db = db

    def __getattr__(self, name):
        found = getattr(self._db, name)
        return _Collection(found) if isinstance(found, _COLLECTIONS) else found

    def __bool__(self):
        return bool(self._db)   # pymongo refuses truth tests: so does its proxy

    def __getitem__(self, name):
        return _Collection(self._db[name])

    def get_collection(self, name, *args, **kwargs):
        return _Collection(self._db.get_collection(name, *args, **kwargs))


class _Collection:
    def __init__(self, collection):
        self._collection = collection

    def __getattr__(self, name):
        found = getattr(self._collection, name)
        return _Collection(found) if isinstance(found, _COLLECTIONS) else found

    def __bool__(self):
        return bool(self._collection)

    def __getitem__(self, name):
        return _Collection(self._collection[name])

    def find(self, *args, **kwargs):
        query = args[0] if args else kwargs.get("filter")
        return _Cursor(self._collection.find(*args, **kwargs), self._collection.name, query,
                       kwargs.get("sort"), _origin())

    def aggregate(self, pipeline, *args, **kwargs):
        stages = list(pipeline)
        first, second = (stages + [{}, {}])[:2]
        query = first.get("$match", {})     # no leading $match: the whole collection
        sort = second.get("$sort") if "$match" in first else None
        _note(shape_of(self._collection.name, query, sort), "aggregate", _origin())
        return self._collection.aggregate(pipeline, *args, **kwargs)

    def insert_one(self, *args, **kwargs):
        _trip(_origin())
        return self._collection.insert_one(*args, **kwargs)

    def insert_many(self, *args, **kwargs):
        _trip(_origin())
        return self._collection.insert_many(*args, **kwargs)

    def bulk_write(self, requests, *args, **kwargs):
        requests = list(requests)
        origin = _origin()
        for n, request in enumerate(requests):
            if getattr(request, "_filter", None) is not None:
                _note(shape_of(self._collection.name, request._filter), "bulk_write", origin,
                      trip=n == 0)
        return self._collection.bulk_write(requests, *args, **kwargs)


def _noting(operation: str, position: int):
    def noted(self, *args, **kwargs):
        query = args[position] if len(args) > position else kwargs.get("filter")
        _note(shape_of(self._collection.name, query, kwargs.get("sort")), operation, _origin())
        return getattr(self._collection, operation)(*args, **kwargs)
    noted.__name__ = operation
    return noted


for _operation in ("find_one", "count_documents", "find_one_and_update", "find_one_and_replace",
                   "find_one_and_delete", "update_one", "update_many", "replace_one",
                   "delete_one", "delete_many"):
    setattr(_Collection, _operation, _noting(_operation, 0))
_Collection.distinct = _noting("distinct", 1)


class _Cursor:
    """Notes its query, with the sort it ended up with, when first read."""

    def __init__(self, cursor, collection: str, query, sort, origin: str | None):
        self._cursor = cursor
        self._query = (collection, query, origin)
        self._sort = sort_keys(sort)
        self._noted = False

    def sort(self, key_or_list, direction=None):
        self._cursor.sort(key_or_list, direction)
        self._sort = sort_keys(key_or_list, direction)
        return self

    def _read(self) -> None:
        if not self._noted:
            self._noted = True
            collection, query, origin = self._query
            _note(shape_of(collection, query, self._sort), "find", origin)

    def __getattr__(self, name):
        found = getattr(self._cursor, name)
        if not callable(found):
            return found

        def call(*args, **kwargs):
            result = found(*args, **kwargs)
            if result is self._cursor:   # limit, skip, batch_size, hint...: still building
                return self
            self._read()                 # next, to_list, explain, distinct, close...
            return result
        return call

    def __iter__(self):
        self._read()
        return self

    def __next__(self):
        self._read()
        return next(self._cursor)

    def __getitem__(self, index):
        self._read()
        return self._cursor[index]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()
