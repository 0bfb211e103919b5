"""The attempt budget under races (models.throttles): a write that lands between another
attempt's read and its conditional write. Each race is made deterministic by running the rival
write inside the first attempt's next_state, which is exactly that moment."""
from datetime import timedelta

import pytest

from models import throttles
from models.db import utcnow
from services.signin.lockout import lock_seconds
from tests.factories import current_ctx

KEY = "race-test-path"
BUDGET = 5


def schedule(n):
    return lock_seconds(n, 900, 86400)


def take():
    return current_ctx().repos.throttles.take(KEY, BUDGET, schedule)


@pytest.fixture
def rival_between_read_and_write(app, monkeypatch):
    """Arrange for `rival()` to run once, after the next slow-path attempt has read the
    document and before it writes; yields a dict that receives the rival's result."""
    real_next_state = throttles.next_state
    seen = {}

    def install(rival):
        def next_state_with_rival(*args):
            if "result" not in seen:
                seen["result"] = None  # the rival's own attempt must not start another rival
                seen["result"] = rival()
            return real_next_state(*args)
        monkeypatch.setattr(throttles, "next_state", next_state_with_rival)
        return seen
    with app.app_context():
        yield install


def test_two_attempts_racing_for_the_last_unit_only_one_gets_it(rival_between_read_and_write):
    for _ in range(BUDGET - 1):
        take()
    seen = rival_between_read_and_write(take)
    with pytest.raises(throttles.Locked):
        take()  # it read "one left", but the rival took that one first
    assert seen["result"].last and seen["result"].number == BUDGET


def test_two_first_attempts_at_once_are_both_counted(rival_between_read_and_write):
    seen = rival_between_read_and_write(take)
    mine = take()  # both found no document; the rival inserted it first
    assert (seen["result"].number, mine.number) == (1, 2)
    rest = [take() for _ in range(BUDGET - 2)]
    assert rest[-1].last  # the fifth attempt overall armed the lock


def test_a_refund_between_another_attempts_read_and_write_is_not_lost(
        rival_between_read_and_write):
    taken = [take() for _ in range(BUDGET - 1)]
    rival_between_read_and_write(lambda: current_ctx().repos.throttles.refund(taken[-1]))
    mine = take()  # it read "one left"; the refund made it two before it wrote
    assert not mine.last and mine.number == BUDGET - 1
    assert take().last


def test_an_attempt_that_loses_every_race_is_refused_not_let_through(app, monkeypatch, clock):
    monkeypatch.setattr(throttles, "_store", lambda *args: False)
    with app.app_context(), pytest.raises(throttles.Locked) as locked:
        take()
    with app.app_context():
        assert locked.value.until == utcnow() + timedelta(seconds=900)


def test_a_refund_of_the_last_attempt_racing_a_new_round_ends_as_if_it_came_first(
        rival_between_read_and_write, clock):
    """The lock ran out, a new attempt read the locked document, and the refund of the attempt
    that armed the lock landed before the new attempt wrote: the refund is not lost."""
    taken = [take() for _ in range(BUDGET)]
    assert taken[-1].last
    clock.tick(timedelta(seconds=901))
    rival_between_read_and_write(lambda: current_ctx().repos.throttles.refund(taken[-1]))
    mine = take()
    # Refund first: one unit left, no lock so far; this attempt takes it and arms lock 1.
    assert mine.last and mine.locks == 1


def test_a_refunded_last_attempt_leaves_no_lock_on_record(app):
    with app.app_context():
        taken = [take() for _ in range(BUDGET)]
        current_ctx().repos.throttles.refund(taken[-1])
        doc = current_ctx().db.throttles.find_one({"_id": KEY})
    assert (doc["left"], doc["locks"], doc["locked_until"]) == (1, 0, None)


def test_a_full_sign_in_after_a_lock_ran_out_forgets_that_lock(app, clock):
    with app.app_context():
        mine = take()
        assert [take() for _ in range(BUDGET - 1)][-1].last  # someone else armed the lock
        clock.tick(timedelta(seconds=901))
        current_ctx().repos.throttles.clear(mine)
        rest = [take() for _ in range(BUDGET)]
    assert rest[0].number == 1 and rest[-1].last and rest[-1].locks == 1  # lock 1 again


def test_clearing_the_attempt_that_armed_a_lock_leaves_a_later_round_alone(app, clock):
    with app.app_context():
        last = [take() for _ in range(BUDGET)][-1]
        clock.tick(timedelta(seconds=901))
        newer = take()  # the lock ran out: a new round
        current_ctx().repos.throttles.clear(last)
        after = take()
    assert newer.round == last.round + 1
    assert after.number == 2  # the new round's first failure still counts
