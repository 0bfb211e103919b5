"""The delivery loop that `send-notifications` and the embedded server's thread both run: rounds
until its event is set, a pause only when nothing was due, and a round that raises survived."""
import threading
from datetime import datetime, timezone

from notifications.fcm import LogSender
from notifications.worker import deliver_until
from tests.notifications.fake_outbox import SENT, MemoryOutbox

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


class StopsAfter:
    """An event that sets itself when waited on for the `rounds`-th time (the loop's pause)."""

    def __init__(self, rounds: int) -> None:
        self.event, self.rounds, self.waits = threading.Event(), rounds, []

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.rounds:
            self.event.set()
        return self.event.is_set()


def test_the_loop_delivers_everything_due_without_pausing_then_pauses_until_stopped():
    outbox = MemoryOutbox()
    for number in range(3):
        outbox.add(f"job-{number}", f"tok-{number}")
    stop, rounds = StopsAfter(1), []
    deliver_until(stop, outbox, LogSender(), worker_id="w1", clock=lambda: T0, interval=0.5,
                  on_round=rounds.append)
    assert all(outbox.job(f"job-{number}")["status"] == SENT for number in range(3))
    assert [r["sent"] for r in rounds] == [3]
    assert stop.waits == [0.5]  # one pause: after the round that found nothing


def test_a_set_event_ends_the_loop_before_any_round():
    outbox = MemoryOutbox()
    outbox.add("job-1", "tok-1")
    stop = threading.Event()
    stop.set()
    deliver_until(stop, outbox, LogSender(), worker_id="w1", clock=lambda: T0)
    assert outbox.job("job-1")["status"] != SENT


class DownOnce(MemoryOutbox):
    """The database gone for one claim, back for the next."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def claim(self, *args):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database unreachable")
        return super().claim(*args)


def test_a_round_that_raises_is_logged_and_the_loop_goes_on(caplog):
    outbox = DownOnce()
    outbox.add("job-1", "tok-1")
    stop = StopsAfter(2)
    deliver_until(stop, outbox, LogSender(), worker_id="w1", clock=lambda: T0, interval=0.2)
    assert outbox.job("job-1")["status"] == SENT
    assert stop.waits == [0.2, 0.2]  # a pause after the failure, and after the empty round
    assert "delivery round by w1 failed: ConnectionError" in caplog.text
