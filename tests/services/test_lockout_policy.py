"""The attempt budget's state machine (models.throttles.next_state) and the lock schedule,
as plain values: no app, no database."""
from datetime import datetime, timedelta, timezone

import pytest

from models.throttles import IDLE, next_state
from services.signin.lockout import lock_seconds

NOW = datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc)


def schedule(n):
    return lock_seconds(n, 900, 86400)


def run(attempts, budget=5, current=None, now=NOW):
    """Apply `attempts` attempts; the attempts (None when locked) and the last state."""
    taken = []
    for _ in range(attempts):
        state, attempt = next_state(current, "k", budget, schedule, now)
        taken.append(attempt)
        if attempt is not None:
            current = {**state, "v": 0}
    return taken, current


def test_locks_double_and_stop_at_the_maximum():
    assert [lock_seconds(n, 900, 86400) for n in (1, 2, 3, 4, 7, 8, 30)] == [
        900, 1800, 3600, 7200, 57600, 86400, 86400]


def test_a_budget_of_five_allows_five_and_the_fifth_arms_the_lock():
    taken, state = run(6)
    assert [a.number for a in taken[:5]] == [1, 2, 3, 4, 5]
    assert [a.last for a in taken[:5]] == [False] * 4 + [True]
    assert taken[4].locked_until == NOW + timedelta(seconds=900) and taken[4].locks == 1
    assert taken[5] is None
    assert state["left"] == 0 and state["expires_at"] == NOW + timedelta(seconds=900) + IDLE


def test_the_lock_holds_until_its_end_then_a_new_round_starts_with_a_longer_lock():
    _, state = run(5)
    before_end = NOW + timedelta(seconds=899)
    assert next_state(state, "k", 5, schedule, before_end)[1] is None
    at_end = NOW + timedelta(seconds=900)
    taken, state = run(5, current=state, now=at_end)
    assert taken[0].round == 1 and taken[0].number == 1
    assert taken[4].last and taken[4].locked_until == at_end + timedelta(seconds=1800)


def test_an_idle_path_starts_over_with_no_lock_history():
    _, state = run(5)
    later = state["expires_at"]
    state2, attempt = next_state(state, "k", 5, schedule, later)
    assert attempt.number == 1 and state2["locks"] == 0 and state2["round"] == 1


@pytest.mark.parametrize("budget", [1, 2, 10])
def test_every_budget_is_exact(budget):
    taken, _ = run(budget + 1, budget=budget)
    assert sum(a is not None for a in taken) == budget and taken[-1] is None


def test_a_smaller_budget_applies_to_a_path_already_counting():
    _, state = run(2, budget=10)  # 8 left under the old budget
    taken, _ = run(4, budget=3, current=state)
    assert [a is not None for a in taken] == [True, True, True, False]
