"""The attempt budget under races (models.throttles): a write that lands between another
attempt's read and its conditional write. Each race is made deterministic by running the rival
write inside the first attempt's next_state, which is exactly that moment."""
from datetime import timedelta

import pytest

from models import throttles
from models.db import utcnow
from services.lockout import lock_seconds

KEY = "race-test-path"
BUDGET = 5


def schedule(n):
    return lock_seconds(n, 900, 86400)


def take():
    return throttles.take(KEY, BUDGET, schedule)


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
    rival_between_read_and_write(lambda: throttles.refund(taken[-1]))
    mine = take()  # it read "one left"; the refund made it two before it wrote
    assert not mine.last and mine.number == BUDGET - 1
    assert take().last


def test_an_attempt_that_loses_every_race_is_refused_not_let_through(app, monkeypatch, clock):
    monkeypatch.setattr(throttles, "_store", lambda *args: False)
    with app.app_context(), pytest.raises(throttles.Locked) as locked:
        take()
    with app.app_context():
        assert locked.value.until == utcnow() + timedelta(seconds=900)
