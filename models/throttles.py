"""Attempt budgets for sign-in paths: one document per path, keyed by a hash of the path.

An attempt is taken from the budget *before* the slow check it pays for (argon2, a code), by a
single conditional write, so N parallel guesses cannot pass a budget of T: at most T writes
succeed. The attempt that takes the last unit arms the lock in the same write. A lock is never
reset early by failures or by time; once it has run out the next attempt refills the budget
(a new round) and the next lock lasts longer.

Document: {_id, left, round, locks, locked_until, expires_at, v}. `v` changes with every write,
so the rarer transitions (first attempt, last unit, refill) are compare-and-set on it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from models.db import DuplicateKeyError, ReturnDocument, utcnow

# A path with no attempt for this long starts again with a full budget and no lock history.
IDLE = timedelta(days=1)
# Compare-and-set retries before answering "locked" (fail closed under extreme contention).
_MAX_TRIES = 50


@dataclass(frozen=True)
class Attempt:
    """One unit taken from a path's budget."""
    key: str
    round: int
    number: int        # 1 for the first attempt of its round
    last: bool         # it took the last unit, and so armed the lock
    locks: int         # locks of this path so far, counting the one `last` armed
    locked_until: datetime | None = None


class Locked(Exception):
    """No attempt is left on this path until `until`."""

    def __init__(self, until: datetime):
        super().__init__("locked")
        self.until = until


def next_state(current: dict | None, key: str, budget: int, lock_seconds, now: datetime):
    """The document after one more attempt, and the Attempt (None when locked). Pure."""
    live = current is not None and current["expires_at"] > now
    state = ({k: current[k] for k in ("left", "round", "locks", "locked_until")} if live else
             {"left": budget, "round": (current["round"] + 1) if current else 0, "locks": 0,
              "locked_until": None})
    if state["left"] <= 0:
        if state["locked_until"] and state["locked_until"] > now:
            return state, None
        state.update(left=budget, round=state["round"] + 1)  # the lock has run out: new round
    state["left"] = min(state["left"], budget) - 1
    last = state["left"] == 0
    if last:
        state["locks"] += 1
        state["locked_until"] = now + timedelta(seconds=lock_seconds(state["locks"]))
    state["expires_at"] = max(now, state["locked_until"] or now) + IDLE
    number = budget - state["left"]
    return state, Attempt(key, state["round"], number, last, state["locks"],
                          state["locked_until"] if last else None)


def _store(col, key: str, current: dict | None, state: dict) -> bool:
    """Write `state` only if nobody changed the document since `current` was read."""
    if current is None:
        try:
            col.insert_one({"_id": key, **state, "v": 1})
            return True
        except DuplicateKeyError:
            return False
    result = col.update_one({"_id": key, "v": current["v"]},
                            {"$set": state, "$inc": {"v": 1}})
    return result.modified_count == 1


class Throttles:
    """The collection family of this module on a database handle (no Flask needed)."""

    def __init__(self, db):
        self.db = db

    def take(self, key: str, budget: int, lock_seconds: Callable[[int], int]) -> Attempt:
        """Take one attempt from `key`'s budget of `budget` per round. `lock_seconds(n)` is how long
        the n-th lock lasts. Raises Locked when no attempt is left."""
        col = self.db.throttles
        for _ in range(_MAX_TRIES):
            now = utcnow()
            # The common case in one write: units remain and this is not the last one.
            doc = col.find_one_and_update(
                # At most the current budget: a lowered threshold applies to a path at once.
                {"_id": key, "left": {"$gt": 1, "$lte": budget}, "expires_at": {"$gt": now}},
                {"$inc": {"left": -1, "v": 1}, "$set": {"expires_at": now + IDLE}},
                return_document=ReturnDocument.AFTER)
            if doc:
                return Attempt(key, doc["round"], budget - doc["left"], False, doc["locks"])
            current = col.find_one({"_id": key})
            state, attempt = next_state(current, key, budget, lock_seconds, now)
            if attempt is None:
                raise Locked(state["locked_until"])
            if _store(col, key, current, state):
                return attempt
        raise Locked(utcnow() + timedelta(seconds=lock_seconds(1)))

    def refund(self, attempt: Attempt) -> None:
        """Give an attempt back (the password was right; the second factor takes its own). If it
        armed the lock, disarm it: nobody else can have armed one after it."""
        col = self.db.throttles
        if attempt.last:
            col.update_one({"_id": attempt.key, "round": attempt.round, "left": 0,
                            "locks": attempt.locks, "locked_until": attempt.locked_until},
                           {"$set": {"left": 1, "locked_until": None},
                            "$inc": {"locks": -1, "v": 1}})
        else:
            col.update_one({"_id": attempt.key, "round": attempt.round, "left": {"$gte": 1}},
                           {"$inc": {"left": 1, "v": 1}})

    def clear(self, attempt: Attempt) -> None:
        """Forget the path after a full sign-in. A lock armed by another attempt stays."""
        query = {"_id": attempt.key}
        if attempt.last:
            query.update(round=attempt.round, locks=attempt.locks)
        else:
            query["$or"] = [{"left": {"$gt": 0}}, {"locked_until": {"$lte": utcnow()}}]
        self.db.throttles.delete_one(query)

    def forget(self, key: str) -> None:
        """Drop a path's budget and lock (a new activation code was handed over in person)."""
        self.db.throttles.delete_one({"_id": key})


# Transitional: the module-level functions of before, on the app's database.
