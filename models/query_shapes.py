"""Query shapes: what the application asks MongoDB, without the values, recorded only while a
test run asks for it (models/index_coverage.py checks each shape against the declared indexes).

A shape is a collection, the filter's field paths with how each is matched, the `$or`
alternatives, and the sort, for example

    records {patient_id: eq, category: in, version: range} sort (sort_at -1, _id -1)

Match kinds: `eq` (a value, an embedded document, `$eq`), `null` (equal to None: null or
missing), `in` (`$in`), `range` (`$gt`, `$gte`, `$lt`, `$lte`), and kinds that never bound an
index scan here: `ne` (`$ne`, `$nin`), `exists`, `type`, `other` (`$regex`, `$elemMatch`, `$nor`,
`$expr`, ...). No value is ever recorded: filters carry keyed hashes and health data.

Off (always in production) nothing is wrapped: `watch(db)` returns the database itself, so a
query costs what it did. Once a test run has called `install(recorder)`, `watch` wraps the
database in a thin proxy: its collections note the shape of every find, find_one,
count_documents, distinct, find_one_and_*, update_*, replace_one, delete_*, aggregate (the
leading `$match` and `$sort`) and bulk_write, and a cursor notes its sort when first read. Each
shape keeps the operation and the function that sent it ("models/records.py:for_patient"). A
call made from tests/ (a test reading storage to check it) is not the application's and is
not kept. The proxy is library-neutral: the same on mongomock and on pymongo.
"""
import os
import sys
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import mongomock
from pymongo.collection import Collection as _PymongoCollection

POINT_KINDS = ("eq", "null", "in")
_RANK = {kind: rank for rank, kind in enumerate(
    ("eq", "null", "in", "range", "ne", "exists", "type", "other"))}
_RANGE_OPS = {"$gt", "$gte", "$lt", "$lte"}
_COLLECTIONS = (_PymongoCollection, mongomock.collection.Collection)
_HERE = os.path.abspath(__file__)
_ROOT = os.path.dirname(os.path.dirname(_HERE))
_TESTS = os.path.join(_ROOT, "tests") + os.sep

Fields = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Shape:
    collection: str
    fields: Fields = ()                          # (path, kind), sorted by path
    alternatives: tuple[tuple[Fields, ...], ...] = ()   # one tuple of branches per $or
    sort: tuple[tuple[str, int], ...] = ()

    def __str__(self) -> str:
        text = f"{self.collection} {_fields_text(self.fields)}"
        for branches in self.alternatives:
            text += " $or[" + " | ".join(_fields_text(b) for b in branches) + "]"
        if self.sort:
            text += " sort (" + ", ".join(f"{k} {d}" for k, d in self.sort) + ")"
        return text


def _fields_text(fields: Fields) -> str:
    return "{" + ", ".join(f"{path}: {kind}" for path, kind in fields) + "}"


# --- shapes from filters (pure) --------------------------------------------------------------

def shape_of(collection: str, query, sort=None) -> Shape:
    """The shape of `query` (a filter document, or a bare _id value as find_one takes it) and
    `sort` (anything pymongo's sort takes)."""
    if query is not None and not isinstance(query, Mapping):
        query = {"_id": query}
    fields, alternatives = _walk(query or {})
    return Shape(collection, _sorted(fields), tuple(alternatives), sort_keys(sort))


def _walk(query: Mapping) -> tuple[dict, list]:
    fields: dict[str, str] = {}
    alternatives: list = []
    for key, condition in query.items():
        if key == "$and":
            for clause in condition:
                more, groups = _walk(clause)
                for path, kind in more.items():
                    _merge(fields, path, kind)
                alternatives += groups
        elif key == "$or":
            alternatives.append(tuple(_branch(clause) for clause in condition))
        elif key.startswith("$"):           # $nor, $expr, $where, $text, ...
            _merge(fields, key, "other")
        else:
            _merge(fields, key, kind_of(condition))
    return fields, alternatives


def _branch(clause: Mapping) -> Fields:
    fields, groups = _walk(clause)
    if groups:  # an $or inside an $or branch: kept, but never an index bound
        _merge(fields, "$or", "other")
    return _sorted(fields)


def kind_of(condition) -> str:
    """How one field is matched (see the module docstring)."""
    if condition is None:
        return "null"
    if not isinstance(condition, Mapping) or not condition \
            or not all(str(k).startswith("$") for k in condition):
        return "eq"
    operators = set(condition)
    if "$eq" in operators:
        return "null" if condition["$eq"] is None else "eq"
    if "$in" in operators:
        return "in"
    if operators & _RANGE_OPS:
        return "range"
    if operators & {"$ne", "$nin"}:
        return "ne"
    if "$exists" in operators:
        return "exists"
    if "$type" in operators:
        return "type"
    return "other"


def _merge(fields: dict, path: str, kind: str) -> None:
    """A path matched twice ($and) keeps its most index-friendly kind."""
    if path not in fields or _RANK[kind] < _RANK[fields[path]]:
        fields[path] = kind


def _sorted(fields: dict) -> Fields:
    return tuple(sorted(fields.items()))


def sort_keys(spec, direction=None) -> tuple[tuple[str, int], ...]:
    """pymongo's sort argument forms ("k", ("k", dir), [("k", dir), ...], {"k": dir})."""
    if spec is None:
        return ()
    if isinstance(spec, str):
        return ((spec, _direction(1 if direction is None else direction)),)
    items = spec.items() if isinstance(spec, Mapping) else spec
    return tuple((item, 1) if isinstance(item, str) else (item[0], _direction(item[1]))
                 for item in items)


def _direction(value):
    return (1 if value > 0 else -1) if isinstance(value, (int, float)) else value


# --- recording ------------------------------------------------------------------------------

class Recorder:
    """Shapes seen, each with the (operation, origin) pairs that sent it. Thread-safe."""

    def __init__(self):
        self._seen: dict[Shape, set] = {}
        self._lock = threading.Lock()

    def add(self, shape: Shape, operation: str, origin: str) -> None:
        with self._lock:
            self._seen.setdefault(shape, set()).add((operation, origin))

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


def _note(shape: Shape, operation: str, origin: str | None) -> None:
    if origin is None:
        return
    for recorder in list(_RECORDERS):
        recorder.add(shape, operation, origin)


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
    return f"{os.path.relpath(path, _ROOT)}:{frame.f_code.co_qualname}"


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
        query = stages[0].get("$match", {}) if stages else {}
        sort = next((s["$sort"] for s in stages[1:2] if "$sort" in s), None) \
            if stages and "$match" in stages[0] else None
        _note(shape_of(self._collection.name, query, sort), "aggregate", _origin())
        return self._collection.aggregate(pipeline, *args, **kwargs)

    def bulk_write(self, requests, *args, **kwargs):
        requests = list(requests)
        origin = _origin()
        for request in requests:
            if getattr(request, "_filter", None) is not None:
                _note(shape_of(self._collection.name, request._filter), "bulk_write", origin)
        return self._collection.bulk_write(requests, *args, **kwargs)


def _noting(operation: str, position: int, keyword: str = "filter"):
    def noted(self, *args, **kwargs):
        query = args[position] if len(args) > position else kwargs.get(keyword)
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
