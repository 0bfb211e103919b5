"""The audit trail's storage: append-only entries sealed into a hash chain (security.audit_chain),
and one head document per chain holding its last {seq, hash}, sealed with the chain key
(security.audit_anchor), and when its last checkpoint was made.

An append reads the head, checks its seal, seals the next entries, moves the head on with a
compare-and-set, then inserts the entries. It touches the head document and inserts once: nothing
on this path reads or scans the entries, and the entries carry no unique index beyond `_id` (on
the embedded database a unique index makes every insert scan the collection, STACK.md). The
entry's `_id` is "<chain>:<seq>", so even a bug in the compare-and-set could not store two
entries with one seq. A batch of N entries takes the same three round trips as one entry.

Why the head moves first. If the process dies between the two writes, the head has moved and
its entries were never written: the verifier reports a gap (or a truncation) at that seq, the
same report a deleted entry gets, and nothing after it can be sealed onto the missing entry by
mistake. Inserting first would need a unique (chain, seq) index to stop a second writer that
raced for the same seq (two entries, one seq, a fork), and a crash after the insert would leave
an entry the head does not know, which the next append would duplicate. A gap that says so is
the honest failure.

The head's seal. Without it, whoever can write to the database could delete the newest entries
and copy the previous entry's seq and hash into the head. A missing head, or one whose seal does
not hold, takes no entry and shows no access log (HeadInvalid): an action without its entry does
not happen, and an empty log must never look like a quiet one. A missing head is never made
again over a chain that has entries (models/indexes.py: start_audit_chain).

Checkpoints. Whether one is due is decided from the head the append read (Schedule.due), and
claimed in the same compare-and-set that moves the head: of two appends, only the one whose move
wins claims it, and an append with no checkpoint due makes no extra round trip.

On a real server the compare-and-set alone decides who gets a seq: update_one's filter and
update apply atomically to the one head document. The embedded database gets the same from the
write lock in models/embedded.py (its reads take no lock, hence the hash in the filter, and a
head whose seal does not hold is read again under that lock before it is refused).
"""
import random
import time
from dataclasses import dataclass
from datetime import datetime

from models.db import require_str
from models.indexes import MAIN_AUDIT_CHAIN, start_audit_chain
from security.audit_anchor import Schedule, checkpoint, head_holds, head_seal
from security.audit_chain import entry_hash

MAIN_CHAIN = MAIN_AUDIT_CHAIN  # its head is made at start-up (models/indexes.py)
# Who can act, and how an action can end: the vocabulary of entries and of the access log.
ACTOR_TYPES = ("patient", "hospital", "staff", "system")
OUTCOMES = ("ok", "denied", "failed")
MAX_ATTEMPTS = 40
_HIDDEN = {"_id": 0}


class AppendContended(RuntimeError):
    """Every attempt lost the race for the chain's head: nothing was written."""


class HeadInvalid(RuntimeError):
    """The chain's head is missing, or its seal does not hold (changed without the chain key):
    the chain takes no entry and shows none until an operator has looked (flask verify-audit).
    `missing` tells the two apart."""

    def __init__(self, chain: str, missing: bool):
        self.chain, self.missing = chain, missing
        state = "is missing" if missing else "has a seal that does not hold"
        super().__init__(f"the head of audit chain {chain} {state}")


@dataclass(frozen=True)
class Appended:
    """What an append stored, and the checkpoint it claimed (unsigned {chain, seq, hash, at}
    of its last entry), or None when none was due."""
    entries: list[dict]
    checkpoint: dict | None = None


class AuditLog:
    """One chain of the trail on a database handle (no Flask needed)."""

    def __init__(self, db, chain: str = MAIN_CHAIN):
        self.db, self.chain = db, chain
        self.entries = db.audit_log
        self.heads = db.audit_heads

    def start(self, key: bytes) -> bool:
        """Make the chain's sealed genesis head if the chain has neither head nor entries
        (the main chain's is made at start-up); True when made."""
        return start_audit_chain(self.db, key, self.chain)

    def head_document(self) -> dict | None:
        """The head as stored, seal and checkpoint bookkeeping included; None when missing."""
        return self.heads.find_one({"_id": self.chain})

    def head(self, key: bytes) -> dict:
        """The chain's last {seq, hash}, its seal checked. Raises HeadInvalid."""
        head = self._current_head(key)
        return {"seq": head["seq"], "hash": head["hash"]}

    def append(self, body: dict, key: bytes, schedule: Schedule | None = None,
               now: datetime | None = None) -> dict:
        """Seal `body` as the chain's next entry and store it; returns the entry."""
        return self.append_batch([body], key, schedule, now).entries[0]

    def append_many(self, bodies: list[dict], key: bytes, schedule: Schedule | None = None,
                    now: datetime | None = None) -> list[dict]:
        """Seal `bodies` as the chain's next entries, in order; returns them as stored."""
        return self.append_batch(bodies, key, schedule, now).entries

    def append_batch(self, bodies: list[dict], key: bytes, schedule: Schedule | None = None,
                     now: datetime | None = None) -> Appended:
        """Seal `bodies` after the head in memory, move the head once, insert them at once.
        With a `schedule`, claims a checkpoint of the last entry when one is due at `now`.
        Raises HeadInvalid, AppendContended when the head moved under each of MAX_ATTEMPTS
        tries (nothing written), and whatever the database raises (after the head moved, that
        leaves a gap the verifier names)."""
        bodies = list(bodies)
        if not bodies:
            return Appended([])
        for attempt in range(MAX_ATTEMPTS):
            head = self._current_head(key)
            entries = self._sealed(bodies, head, key)
            last = entries[-1]
            moved_to = {"seq": last["seq"], "hash": last["hash"],
                        "seal": head_seal(key, self.chain, last["seq"], last["hash"])}
            due = schedule is not None and schedule.due(head, last["seq"], now)
            if due:
                moved_to.update(checkpoint_seq=last["seq"], checkpoint_at=now)
            # The hash and the checkpoint bookkeeping are in the filter too: the embedded
            # database may hand a reader a head half-way through another append's $set (new
            # seq, old hash; or new seq and hash, old checkpoint_seq, which would make a
            # checkpoint look due twice), and such a head must not win.
            moved = self.heads.update_one(
                {"_id": self.chain, "seq": head["seq"], "hash": head["hash"],
                 "checkpoint_seq": head.get("checkpoint_seq")}, {"$set": moved_to})
            if moved.modified_count == 1:
                self._insert(entries)
                return Appended(entries, checkpoint(self.chain, last["seq"], last["hash"], now)
                                if due else None)
            _lost_race(attempt)
        raise AppendContended(f"audit chain {self.chain}: the head kept moving")

    def checkpointed(self, head: dict, at: datetime) -> bool:
        """Note on the head that a checkpoint of `head` (as read) was made at `at`, so appends
        do not make another at once; False when the head has moved on since (they then decide
        from their own bookkeeping). The seal does not cover this bookkeeping: an unlikely value
        only makes a checkpoint due (Schedule.due)."""
        noted = self.heads.update_one({"_id": self.chain, "seq": head["seq"],
                                       "hash": head["hash"]},
                                      {"$set": {"checkpoint_seq": head["seq"],
                                                "checkpoint_at": at}})
        return noted.modified_count == 1

    def seal_legacy(self, head: dict, seal: str) -> bool:
        """Seal a head written before heads were sealed, as read (the caller has verified the
        chain up to it); False when it changed or got a seal meanwhile."""
        sealed = self.heads.update_one({"_id": self.chain, "seq": head["seq"],
                                        "hash": head["hash"], "seal": {"$exists": False}},
                                       {"$set": {"seal": seal}})
        return sealed.modified_count == 1

    def about_patient(self, patient_id: str, limit: int, before: tuple | None = None, *,
                      key: bytes) -> list[dict]:
        """Entries about `patient_id` in this chain up to its head, newest first (time, then
        seq), at most `limit`; `before` is the (at, seq) of the last entry of the previous page.
        Only what the chain holds is shown: an entry slipped in beside it is not. Raises
        HeadInvalid: without a sealed head there is no telling what the chain holds."""
        require_str(patient_id)
        query = {"patient_id": patient_id, "chain": self.chain,
                 "seq": {"$lte": self._current_head(key)["seq"]}}
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

    def last_seq_after(self, seq: int) -> int | None:
        """The highest seq stored in this chain above `seq`, or None: one indexed read."""
        cursor = self.entries.find({"chain": self.chain, "seq": {"$gt": seq}}, {"seq": 1})
        found = list(cursor.sort("seq", -1).limit(1))
        return found[0]["seq"] if found else None

    def _current_head(self, key: bytes) -> dict:
        """The head document, its seal checked. Raises HeadInvalid. On the embedded database a
        plain read may see another append's $set half done (a seal that does not hold yet), so
        a head that fails is read again atomically before it is refused: a no-op update, which
        takes the embedded write lock and is atomic on MongoDB. That extra round trip is made
        only when the seal does not hold."""
        head = self.head_document()
        if head is not None and head_holds(key, self.chain, head):
            return head
        if head is not None:
            head = self.heads.find_one_and_update({"_id": self.chain},
                                                  {"$unset": {"read_barrier": ""}})
        if head is None:
            raise HeadInvalid(self.chain, missing=True)
        if not head_holds(key, self.chain, head):
            raise HeadInvalid(self.chain, missing=False)
        return head

    def _sealed(self, bodies: list[dict], head: dict, key: bytes) -> list[dict]:
        entries, prev, seq = [], head["hash"], head["seq"]
        for body in bodies:
            seq += 1
            entry = {**body, "chain": self.chain, "seq": seq, "prev": prev}
            entry["hash"] = prev = entry_hash(prev, entry, key)
            entries.append(entry)
        return entries

    def _insert(self, entries: list[dict]) -> None:
        documents = [{"_id": f"{self.chain}:{e['seq']}", **e} for e in entries]
        if len(documents) == 1:
            self.entries.insert_one(documents[0])
        else:
            self.entries.insert_many(documents, ordered=True)


def _lost_race(attempt: int) -> None:
    """Another append took the seq: wait a little, at random, so the losers do not all come
    back at once (at most 32 ms a try)."""
    time.sleep(random.uniform(0, 0.0005 * 2 ** min(attempt, 6)))
