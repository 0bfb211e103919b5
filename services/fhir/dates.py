"""FHIR date, dateTime and instant values as timezone-aware UTC datetimes."""
import re
from datetime import datetime, timedelta, timezone

from services.fhir.elements import lookup

_DATE_ONLY = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_LEAP_SECOND = re.compile(r"(T[0-9]{2}:[0-9]{2}:)60")


def to_utc(value) -> datetime | None:
    """`value` as an aware UTC datetime. A date without a time, even a bare year or year and
    month, is the midnight UTC that starts it. None when `value` is no FHIR date or time: the
    R4B model has refused a time without its zone before this runs, and a naive time is not
    guessed at."""
    if not isinstance(value, str):
        return None
    try:
        if date := _DATE_ONLY.fullmatch(value):
            year, month, day = date.groups()
            return datetime(int(year), int(month or 1), int(day or 1), tzinfo=timezone.utc)
        # FHIR allows a leap second (:60), which datetime cannot hold.
        leap = _LEAP_SECOND.search(value) is not None
        parsed = datetime.fromisoformat(_LEAP_SECOND.sub(r"\g<1>59", value))
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(timezone.utc) + timedelta(seconds=1 if leap else 0)
    except (ValueError, OverflowError):  # out of range, or year 1 pushed back into year 0
        return None


def first_time(resource: dict, paths: tuple[str, ...]) -> datetime | None:
    """The first of the dotted `paths` (a number indexes a list) that holds a FHIR time."""
    for path in paths:
        if (found := to_utc(lookup(resource, path))) is not None:
            return found
    return None

