"""The audit trail's hash chain: pure functions, no Flask, no database.

Each entry is sealed with the hash of the entry before it: hash = HMAC-SHA256(key, prev + the
canonical entry), or plain SHA-256 without a key. With the key kept outside the database, whoever
can write to the database but does not hold the key cannot rebuild the chain after changing,
removing or inserting an entry.

An entry is a mapping. Its `hash` and `prev` fields (and the database's `_id`) are the chain's
own bookkeeping and are not part of what is hashed; every other field is, `seq` included, so an
entry cannot be renumbered into another place either.
"""
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

GENESIS = "0" * 64  # the `prev` of the first entry of every chain
FIRST_SEQ = 1
BOOKKEEPING = frozenset({"_id", "hash", "prev"})

# Fault reasons, as the verifier names them.
GAP, OUT_OF_ORDER, BROKEN_LINK, ALTERED, BEYOND_HEAD = (
    "gap", "out of order", "broken link", "altered", "beyond the head")
TRUNCATED, NOT_AS_CHECKPOINTED = "truncated", "differs from a checkpoint"


def iso_millis(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. 2026-11-25T09:00:00.123Z. MongoDB keeps
    milliseconds, so a value hashes the same before and after a round trip. A naive datetime
    is taken as UTC (what pymongo returns without tz_aware)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _plain(value):
    """JSON-ready value. Raises TypeError for a type with no single canonical text."""
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    # Floats are refused on purpose: their text differs between serialisers.
    raise TypeError(f"an audit entry cannot hold a {type(value).__name__}")


def canonical(entry: Mapping) -> bytes:
    """Sorted-key compact UTF-8 JSON of the entry without its bookkeeping fields."""
    body = {k: v for k, v in entry.items() if k not in BOOKKEEPING}
    return json.dumps(_plain(body), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def entry_hash(prev_hash: str, entry: Mapping, key: bytes | None = None) -> str:
    """Hex digest sealing `entry` after `prev_hash`: HMAC-SHA256 under `key`, or SHA-256 of
    prev_hash + canonical(entry) when no key is given."""
    message = prev_hash.encode("ascii") + canonical(entry)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Fault:
    """The first place the chain does not hold: `position` in the order walked (0-based),
    `seq` the sequence number at fault (for a gap or a truncation, the first missing one),
    `reason` one of GAP, OUT_OF_ORDER, BROKEN_LINK, ALTERED, BEYOND_HEAD, TRUNCATED,
    NOT_AS_CHECKPOINTED; `detail` says more where the reason alone does not."""
    position: int
    seq: int
    reason: str
    detail: str = ""

    def describe(self) -> str:
        return f"seq {self.seq}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


class ChainVerifier:
    """Checks entries fed in seq order, one at a time, so a long chain can be read in batches.
    Feed every entry, then call finish(); each returns the first Fault, or None.

    `checkpoints` maps a seq to the hash a signed checkpoint (security.audit_anchor) recorded
    for it: the entry there must carry that hash, and the chain must reach the highest such seq.
    """

    def __init__(self, key: bytes | None = None, checkpoints: Mapping[int, str] | None = None):
        self.key = key
        self.checkpoints = dict(checkpoints or {})
        self.count = 0
        self.expected_seq = FIRST_SEQ
        self.expected_prev = GENESIS

    def feed(self, entry: Mapping) -> Fault | None:
        seq = entry.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            return self._fault(self.expected_seq, OUT_OF_ORDER)
        if seq > self.expected_seq:  # removed, or never written (see models/audit.py)
            return self._fault(self.expected_seq, GAP)
        if seq < self.expected_seq:  # a second entry with a seq already seen, or a step back
            return self._fault(seq, OUT_OF_ORDER)
        if not hmac.compare_digest(str(entry.get("prev")), self.expected_prev):
            return self._fault(seq, BROKEN_LINK)
        recorded = entry.get("hash")
        if not isinstance(recorded, str) or not hmac.compare_digest(
                recorded, entry_hash(self.expected_prev, entry, self.key)):
            return self._fault(seq, ALTERED)
        checkpointed = self.checkpoints.get(seq)
        if checkpointed is not None and not hmac.compare_digest(recorded, checkpointed):
            return self._fault(seq, NOT_AS_CHECKPOINTED)
        self.count += 1
        self.expected_seq += 1
        self.expected_prev = recorded
        return None

    def finish(self, head: Mapping | None = None) -> Fault | None:
        """`head` is the chain's last {seq, hash} as stored apart from the entries: without
        it (or a checkpoint), removing the newest entries would go unnoticed."""
        last_seq = self.expected_seq - 1
        anchored = max(self.checkpoints, default=0)
        if anchored > last_seq:
            return self._fault(self.expected_seq, TRUNCATED, f"the chain ends at seq {last_seq}; "
                               f"a checkpoint names seq {anchored}")
        if head is None:
            return None
        if head["seq"] > last_seq:
            return self._fault(self.expected_seq, TRUNCATED, f"the chain ends at seq {last_seq}; "
                               f"the head names seq {head['seq']}")
        if head["seq"] < last_seq:
            return self._fault(head["seq"] + 1, BEYOND_HEAD)
        if not hmac.compare_digest(str(head["hash"]), self.expected_prev):
            return self._fault(last_seq, ALTERED)
        return None

    def _fault(self, seq: int, reason: str, detail: str = "") -> Fault:
        return Fault(self.count, seq, reason, detail)


def first_fault(entries_in_order: Iterable[Mapping], key: bytes | None = None,
                head: Mapping | None = None,
                checkpoints: Mapping[int, str] | None = None) -> Fault | None:
    """The first Fault of a whole chain (entries in seq order from the first), or None."""
    verifier = ChainVerifier(key, checkpoints)
    for entry in entries_in_order:
        fault = verifier.feed(entry)
        if fault:
            return fault
    return verifier.finish(head)


def verify(entries_in_order: Iterable[Mapping], key: bytes | None = None,
           head: Mapping | None = None) -> int | None:
    """Position (0-based) of the first entry that was altered, or sits where another was
    deleted, inserted or moved; None when the chain holds. See first_fault for the seq."""
    fault = first_fault(entries_in_order, key, head)
    return None if fault is None else fault.position


def seal(entries: Iterable[Mapping], key: bytes | None = None, prev: str = GENESIS) -> list[dict]:
    """Chain `entries` (each given its `prev` and `hash`); the caller numbers `seq`. For tests
    and for building a chain in memory; storage seals one entry at a time."""
    sealed = []
    for entry in entries:
        record = {**entry, "prev": prev}
        record["hash"] = prev = entry_hash(prev, record, key)
        sealed.append(record)
    return sealed
