"""The data-subject request deadlines (services/rights/deadlines.py), pure: working days across
weekends, Tết, observed and substitute days; calendar days to complete; Vietnam's day."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from services.rights.deadlines import (COMPLETE_DAYS, add_working_days, deadlines, is_overdue,
                                       is_working_day)

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=HANOI)


@pytest.mark.parametrize("received, acknowledge_by", [
    (at(2026, 12, 7), date(2026, 12, 9)),     # Monday -> Wednesday
    (at(2026, 12, 10), date(2026, 12, 14)),   # Thursday -> Monday (the weekend skipped)
    (at(2026, 12, 11), date(2026, 12, 15)),   # Friday -> Tuesday
    (at(2026, 12, 12), date(2026, 12, 15)),   # Saturday -> Tuesday
    (at(2026, 2, 13), date(2026, 2, 24)),     # Friday before Tết (16-20 Feb 2026 off)
    (at(2027, 2, 3), date(2027, 2, 12)),      # Tết 2027: 4-10 Feb off, from a Wednesday
    (at(2026, 4, 24), date(2026, 4, 29)),     # Hùng Kings' day on a Sunday, observed Monday 27
    (at(2026, 8, 28), date(2026, 9, 4)),      # Monday 31 Aug (a substitute day off), 1-2 Sep off
    (at(2026, 4, 29), date(2026, 5, 5)),      # 30 Apr and 1 May off, then the weekend
])
def test_acknowledgement_is_due_on_the_second_working_day(received, acknowledge_by):
    assert deadlines("access", received).acknowledge_by == acknowledge_by


def test_the_day_is_vietnams_not_utcs():
    # 18:00 UTC on Thursday is 01:00 on Friday in Hanoi: received on the Friday.
    thursday_evening_utc = datetime(2026, 12, 10, 18, 0, tzinfo=timezone.utc)
    assert deadlines("access", thursday_evening_utc).acknowledge_by == date(2026, 12, 15)
    assert deadlines("access", thursday_evening_utc).complete_by == date(2026, 12, 21)


@pytest.mark.parametrize("kind, days", [("withdrawal", 15), ("restriction", 15),
                                        ("objection", 15), ("access", 10), ("copy", 10),
                                        ("correction", 10), ("deletion", 20)])
def test_completion_counts_calendar_days_and_one_extension_doubles_them(kind, days):
    received = at(2026, 12, 7)
    assert COMPLETE_DAYS[kind] == days
    assert deadlines(kind, received).complete_by == date(2026, 12, 7) + (date(2026, 1, 1 + days)
                                                                         - date(2026, 1, 1))
    extended = deadlines(kind, received, extended=True).complete_by
    assert (extended - date(2026, 12, 7)).days == 2 * days


def test_completion_runs_through_tet_as_calendar_days():
    assert deadlines("access", at(2026, 2, 13)).complete_by == date(2026, 2, 23)


def test_an_unknown_kind_or_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        deadlines("erasure", at(2026, 12, 7))
    with pytest.raises(ValueError):
        deadlines("access", datetime(2026, 12, 7, 10))


def test_working_days_exclude_weekends_and_public_holidays():
    assert is_working_day(date(2026, 12, 8))
    assert not is_working_day(date(2026, 12, 12))            # Saturday
    assert not is_working_day(date(2026, 2, 17))             # Tết
    assert not is_working_day(date(2026, 8, 31))             # substitute day off
    assert add_working_days(date(2026, 12, 11), 0) == date(2026, 12, 11)


def test_a_deadline_is_overdue_once_its_day_has_ended_in_vietnam():
    by = date(2026, 12, 9)
    assert not is_overdue(by, datetime(2026, 12, 9, 16, 59, tzinfo=timezone.utc))  # 23:59 Hanoi
    assert is_overdue(by, datetime(2026, 12, 9, 17, 0, tzinfo=timezone.utc))       # 00:00 Hanoi
