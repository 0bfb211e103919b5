"""When a data-subject request must be acknowledged and completed (Decree 356/2025 Art 5, as read
for issue 18). Pure: no database, no clock of its own.

- Acknowledged within 2 working days: the 2nd working day after the day of receipt. Working
  days are Monday to Friday except Vietnam's public holidays, Tết and the substitute days
  included, as the `holidays` library keeps them (maintained, with the government's yearly
  substitutions).
- Completed within a number of days by kind (calendar days: whether the Decree means working
  days is unconfirmed, and calendar days are the stricter reading), counted from the day of
  receipt; one extension at most adds the same number again.
- Days are Vietnam's (Asia/Ho_Chi_Minh): a request sent at 23:30 on a Friday in Hanoi was
  received on that Friday, whatever the hour in UTC.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ACKNOWLEDGE_WORKING_DAYS = 2
# kind -> calendar days to complete; an extension adds as many again (once).
COMPLETE_DAYS = {"withdrawal": 15, "restriction": 15, "objection": 15,
                 "access": 10, "copy": 10, "correction": 10, "deletion": 20}
KINDS = tuple(COMPLETE_DAYS)


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: date
    complete_by: date


def deadlines(kind: str, received_at: datetime, *, extended: bool = False) -> Deadlines:
    """The last day to acknowledge and to complete a request of `kind` received at
    `received_at` (an aware datetime). Raises ValueError for an unknown kind or a naive time."""
    if kind not in COMPLETE_DAYS:
        raise ValueError(f"unknown request kind {kind!r}")
    received = local_day(received_at)
    days = COMPLETE_DAYS[kind] * (2 if extended else 1)
    return Deadlines(acknowledge_by=add_working_days(received, ACKNOWLEDGE_WORKING_DAYS),
                     complete_by=received + timedelta(days=days))


def local_day(at: datetime) -> date:
    """The day in Vietnam at the instant `at`."""
    if at.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return at.astimezone(VIETNAM).date()


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself not counted)."""
    day, left = start, count
    while left:
        day += timedelta(days=1)
        left -= is_working_day(day)
    return day


def is_overdue(by: date, now: datetime) -> bool:
    """Whether the day `by` has ended in Vietnam at `now`."""
    return local_day(now) > by


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("VN", years=year))
