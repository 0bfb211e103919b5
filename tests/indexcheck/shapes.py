"""Query shapes: what a query asks MongoDB, without the values. tests/indexcheck/recorder.py
notes the shape of each query the application sends while a test run records;
tests/indexcheck/coverage.py judges each against the declared indexes.

A shape is a collection, the filter's field paths with how each is matched, the `$or`
alternatives, and the sort, for example

    records {patient_id: eq, category: in, version: range} sort (sort_at -1, _id -1)

Match kinds: `eq` (a value, an embedded document, `$eq`), `null` (equal to None: null or
missing), `in` (`$in`), `range` (`$gt`, `$gte`, `$lt`, `$lte`), and kinds that never bound an
index scan here: `ne` (`$ne`, `$nin`), `exists`, `type`, `other` (`$regex`, `$elemMatch`, `$nor`,
`$expr`, ...). No value is ever kept: filters carry keyed hashes and health data.
"""
from collections.abc import Mapping
from dataclasses import dataclass

POINT_KINDS = ("eq", "null", "in")
_RANK = {kind: rank for rank, kind in enumerate(
    ("eq", "null", "in", "range", "ne", "exists", "type", "other"))}
_RANGE_OPS = {"$gt", "$gte", "$lt", "$lte"}

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
