"""Is every query shape (tests/indexcheck/shapes.py) served by an index in models/indexes.py?

On the embedded database every query scans; on a real MongoDB only a query that an index
serves stays fast as patients and records grow. The rule, checked per shape:

1. A partial index serves only queries that match each field of its partialFilterExpression
   with `eq` (a value; `null` would miss the index), and only when each of the filter's
   conditions is a comparison (`$gt`, `$gte`, `$lt`, `$lte`, `$eq`, a value) or `$exists: true`:
   MongoDB uses a partial index only where it can prove the query implies the filter, and it
   proves that for those, never for `$type` and the like.
2. One document: a unique index (every `_id` index is one) whose keys are all matched by `eq`,
   `null` or `in` finds at most one document per value, so it serves the query whatever the
   other fields and the sort.
3. Otherwise, equality, sort, range (ESR). Let E be the fields matched by `eq`, `null` or `in`
   (`in` counts as equality: MongoDB scans each value's bounds and merges them for a sort).
   The index's first |E| keys are E, in any order. The sort, without the keys in E (pinned, so
   already in order), is the index's next keys in order, every direction as declared or every
   one reversed. The scan is bounded: E is not empty, or the index's first key is matched by a
   range. Other fields (ranges outside the index, `ne`, `exists`, ...) are checked on the
   documents those bounds return.
4. `$or`: the query is served when the rest of its filter is served alone, or when, for one
   `$or`, every branch together with the rest is served (each branch may use its own index).

Functions that walk a whole collection on purpose (operator jobs) are named in
models/indexes.py's ALLOWED_SCANS with the reason; their shapes are reported, not failed.

Pragmatic on purpose: a limit is not considered (a sorted, unindexed read of one document is
still refused), nor a hint, a collation or the planner's choice among several serving indexes;
a provable partial filter is taken as met by any `eq`; `$in` is trusted to stay short (MongoDB merges
at most 200 values for a sort). Only what the suite runs is checked: a query no test reaches is
not judged.
"""
from dataclasses import dataclass, field

from models import indexes as declared
from tests.indexcheck.shapes import POINT_KINDS, Shape


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    partial_fields: frozenset = frozenset()
    partial_provable: bool = True   # rule 1: every condition one an equality can imply


IMPLIED_BY_EQUALITY = {"$gt", "$gte", "$lt", "$lte", "$eq"}


def provable(partial_filter: dict) -> bool:
    """Whether MongoDB can prove an equality on each field implies the partial filter."""
    def implied(condition) -> bool:
        if not isinstance(condition, dict):
            return True
        return all(op in IMPLIED_BY_EQUALITY or (op == "$exists" and value is True)
                   for op, value in condition.items())
    return all(not key.startswith("$") and implied(condition)
               for key, condition in partial_filter.items())


ID_INDEX = IndexSpec("_id_", (("_id", 1),), unique=True)


def declared_indexes() -> dict[str, list[IndexSpec]]:
    """{collection: indexes} as models/indexes.py declares them (no database needed); every
    collection also has its `_id` index."""
    collector = _Declarations()
    declared.ensure_indexes(collector)
    return {name: [ID_INDEX, *specs] for name, specs in collector.specs.items()}


class _Declarations:
    """Stands in for a database while ensure_indexes runs; keeps what it declares."""

    def __init__(self):
        self.specs: dict[str, list[IndexSpec]] = {}

    def __getattr__(self, name):
        return _DeclaredCollection(self.specs.setdefault(name, []))

    __getitem__ = __getattr__


class _DeclaredCollection:
    def __init__(self, specs: list):
        self._specs = specs

    def create_indexes(self, models) -> None:
        for model in models:
            doc = model.document
            partial = doc.get("partialFilterExpression", {})
            self._specs.append(IndexSpec(
                doc["name"], tuple(doc["key"].items()), bool(doc.get("unique")),
                frozenset(partial), provable(partial)))

    def index_information(self) -> dict:
        return {}   # nothing to retire on a database that is only being described

    def __getattr__(self, name):
        return lambda *args, **kwargs: None   # the start-up writes ensure_indexes also makes


# --- the rule (pure) ------------------------------------------------------------------------

def serves(index: IndexSpec, fields: dict[str, str], sort) -> bool:
    """Whether `index` serves a filter of `fields` ({path: kind}) sorted by `sort`."""
    if not index.partial_provable or any(fields.get(path) != "eq" for path in index.partial_fields):
        return False
    if index.unique and all(fields.get(key) in POINT_KINDS for key, _ in index.keys):
        return True
    equal = {path for path, kind in fields.items() if kind in POINT_KINDS}
    keys = [key for key, _ in index.keys]
    if set(keys[:len(equal)]) != equal:
        return False
    rest = index.keys[len(equal):]
    if not equal and not (rest and fields.get(rest[0][0]) == "range"):
        return False
    wanted = [(key, direction) for key, direction in sort if key not in equal]
    if [key for key, _ in rest[:len(wanted)]] != [key for key, _ in wanted]:
        return False
    same = {direction == declared_direction
            for (_, direction), (_, declared_direction) in zip(wanted, rest)}
    return len(same) <= 1


def serving_indexes(shape: Shape, indexes: list[IndexSpec]) -> list[str]:
    """Names of the indexes that serve `shape` (rules 1-4); empty when none does."""
    fields = dict(shape.fields)
    names = [index.name for index in indexes if serves(index, fields, shape.sort)]
    if names:
        return names
    for branches in shape.alternatives:
        per_branch = [[index.name for index in indexes
                       if serves(index, {**fields, **dict(branch)}, shape.sort)]
                      for branch in branches]
        if branches and all(per_branch):
            return sorted({name for names in per_branch for name in names})
    return []


def suggested_index(shape: Shape) -> list[tuple[str, int]]:
    """An ESR index that would serve `shape`: equality keys, then the sort, then ranges."""
    # Single values before null before $in: the likeliest to narrow the scan lead.
    points = [(POINT_KINDS.index(kind), path) for path, kind in shape.fields
              if kind in POINT_KINDS]
    equal = [path for _, path in sorted(points)]
    sort = [(key, direction) for key, direction in shape.sort if key not in equal]
    ranges = [path for path, kind in shape.fields
              if kind == "range" and path not in dict(sort)]
    return [(path, 1) for path in equal] + sort + [(path, 1) for path in ranges]


# --- a run's report -------------------------------------------------------------------------

@dataclass
class Report:
    shapes: int = 0
    served: list = field(default_factory=list)       # (shape, index names, {(operation, origin)})
    uncovered: list = field(default_factory=list)    # (shape, {(operation, origin)})
    allowed: list = field(default_factory=list)      # (shape, origin, reason)
    unused_indexes: list = field(default_factory=list)   # "collection.name"

    @property
    def ok(self) -> bool:
        return not self.uncovered

    def text(self, every_shape: bool = False) -> str:
        lines = [f"query shapes: {self.shapes} distinct, {len(self.uncovered)} not served by "
                 f"an index, {len(self.allowed)} allowed scans (models/indexes.py ALLOWED_SCANS)"]
        for shape, sent in self.uncovered:
            lines.append(f"  NOT SERVED: {shape}")
            lines += [f"      {operation} from {origin}" for operation, origin in sorted(sent)]
            lines.append(f"      an index that would serve it: {suggested_index(shape)}")
        if every_shape:
            for shape, names, sent in self.served:
                lines.append(f"  {shape}\n      served by {', '.join(names)}; sent by "
                             + ", ".join(sorted({origin for _, origin in sent})))
            for shape, origin, reason in self.allowed:
                lines.append(f"  {shape}\n      allowed scan from {origin}: {reason}")
        if every_shape and self.unused_indexes:
            lines.append("  indexes no recorded query used (TTL and unique ones may be for "
                         "tidy-up and invariants): " + ", ".join(self.unused_indexes))
        return "\n".join(lines)


def check(shapes: dict[Shape, set], indexes: dict[str, list[IndexSpec]] | None = None,
          allowed: dict[str, str] | None = None) -> Report:
    """Judge recorded `shapes` ({shape: {(operation, origin)}}) against `indexes` (default: the
    declared ones) and `allowed` scans ({origin: reason}, default ALLOWED_SCANS)."""
    indexes = declared_indexes() if indexes is None else indexes
    allowed = declared.ALLOWED_SCANS if allowed is None else allowed
    report = Report(shapes=len(shapes))
    used = set()
    for shape in sorted(shapes, key=str):
        names = serving_indexes(shape, indexes.get(shape.collection, [ID_INDEX]))
        used.update((shape.collection, name) for name in names)
        if names:
            report.served.append((shape, names, shapes[shape]))
            continue
        refused = {(op, origin) for op, origin in shapes[shape] if origin not in allowed}
        report.allowed += [(shape, origin, allowed[origin])
                           for origin in sorted({o for _, o in shapes[shape]} & set(allowed))]
        if refused:
            report.uncovered.append((shape, refused))
    report.unused_indexes = [f"{collection}.{index.name}" for collection, specs in
                             sorted(indexes.items()) for index in specs
                             if index is not ID_INDEX and (collection, index.name) not in used]
    return report
