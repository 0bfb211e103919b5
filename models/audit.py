"""The audit trail's storage: append-only entries sealed into a hash chain (security.audit_chain),
and one head document per chain holding its last {seq, hash}.

An append reads the head, seals the next entry, moves the head on with a compare-and-set, then
inserts the entry. It touches the head document and inserts one entry: nothing on this path
reads or scans the entries, and the entries carry no unique index beyond `_id` (on the embedded
database a unique index makes every insert scan the collection, STACK.md). The entry's `_id` is
"<chain>:<seq>", so even a bug in the compare-and-set could not store two entries with one seq.

Why the head moves first. If the process dies between the two writes, the head has moved and
its entry was never written: the verifier reports a gap at that seq, the same report a deleted
entry gets, and nothing after it can be sealed onto the missing entry by mistake. Inserting
first would need a unique (chain, seq) index to stop a second writer that raced for the same seq
(two entries, one seq, a fork), and a crash after the insert would leave an entry the head does
not know, which the next append would duplicate. A gap that says so is the honest failure.

On a real server the compare-and-set alone decides who gets a seq: update_one's filter and
update apply atomically to the one head document. The embedded database gets the same from the
write lock in models/db.py (its reads take no lock, hence the hash in the filter).
"""
import random
import time

from models.db import DuplicateKeyError, get_db, require_str
from models.indexes import MAIN_AUDIT_CHAIN
from security.audit_chain import GENESIS, entry_hash

MAIN_CHAIN = MAIN_AUDIT_CHAIN  # its head is made at start-up (models/indexes.py)
# Who can act, and how an action can end: the vocabulary of entries and of the access log.
ACTOR_TYPES = ("patient", "hospital", "staff", "system")
OUTCOMES = ("ok", "denied", "failed")
MAX_ATTEMPTS = 40
_HIDDEN = {"_id": 0}


class AppendContended(RuntimeError):
    """Every attempt lost the race for the chain's head: nothing was written."""


class AuditLog:
    """One chain of the trail on a database handle (no Flask needed)."""

    def __init__(self, db, chain: str = MAIN_CHAIN):
        self.chain = chain
        self.entries = db.audit_log
        self.heads = db.audit_heads

    def head(self) -> dict:
        """The chain's last {seq, hash}; seq 0 and GENESIS before the first entry."""
        head = self.heads.find_one({"_id": self.chain})
        return {"seq": head["seq"], "hash": head["hash"]} if head else {"seq": 0, "hash": GENESIS}

    def append(self, body: dict, key: bytes | None) -> dict:
        """Seal `body` as the chain's next entry and store it; returns the entry. Raises
        AppendContended when the head moved under each of MAX_ATTEMPTS tries, and whatever the
        database raises (after the head moved, that leaves a gap the verifier names)."""
        for attempt in range(MAX_ATTEMPTS):
            head = self._current_head()
            seq = head["seq"] + 1
            entry = {**body, "chain": self.chain, "seq": seq, "prev": head["hash"]}
            entry["hash"] = entry_hash(head["hash"], entry, key)
            # The hash is in the filter too: the embedded database may hand a reader a head
            # half-way through another append's $set (new seq, old hash), and such a head
            # must not win.
            moved = self.heads.update_one(
                {"_id": self.chain, "seq": head["seq"], "hash": head["hash"]},
                {"$set": {"seq": seq, "hash": entry["hash"]}})
            if moved.modified_count == 1:
                self.entries.insert_one({"_id": f"{self.chain}:{seq}", **entry})
                return entry
            _lost_race(attempt)
        raise AppendContended(f"audit chain {self.chain}: the head kept moving")

    def about_patient(self, patient_id: str, limit: int, before: tuple | None = None) -> list[dict]:
        """Entries about `patient_id` in this chain up to its head, newest first (time, then
        seq), at most `limit`; `before` is the (at, seq) of the last entry of the previous page.
        Only what the chain holds is shown: an entry slipped in beside it is not."""
        require_str(patient_id)
        query = {"patient_id": patient_id, "chain": self.chain,
                 "seq": {"$lte": self.head()["seq"]}}
        if before is not None:
            at, seq = before
            query["$or"] = [{"at": {"$lt": at}}, {"at": at, "seq": {"$lt": seq}}]
        cursor = self.entries.find(query, {"_id": 0, "hash": 0, "prev": 0})
        return list(cursor.sort([("at", -1), ("seq", -1)]).limit(limit))

    def walk(self, after_seq: int, up_to_seq: int, batch_size: int) -> list[dict]:
        """The next `batch_size` entries with after_seq < seq <= up_to_seq, in seq order."""
        cursor = self.entries.find(
            {"chain": self.chain, "seq": {"$gt": after_seq, "$lte": up_to_seq}}, _HIDDEN)
        return list(cursor.sort("seq", 1).limit(batch_size))

    def _current_head(self) -> dict:
        head = self.heads.find_one({"_id": self.chain})
        if head:
            return head
        try:  # the first entry of a chain other than the main one
            self.heads.insert_one({"_id": self.chain, "seq": 0, "hash": GENESIS})
        except DuplicateKeyError:
            pass  # a parallel first append created it
        return self.heads.find_one({"_id": self.chain})


def _lost_race(attempt: int) -> None:
    """Another append took the seq: wait a little, at random, so the losers do not all come
    back at once (at most 32 ms a try)."""
    time.sleep(random.uniform(0, 0.0005 * 2 ** min(attempt, 6)))


def trail(chain: str = MAIN_CHAIN) -> AuditLog:
    """The chain on the app's database."""
    return AuditLog(get_db(), chain)
