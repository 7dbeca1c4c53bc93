"""What every kind of cadence shares: occurrences, bounds, month arithmetic, anchors."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple, TypeAlias

from gesprekscyclus.domain._checks import ClosedSet, field_path
from gesprekscyclus.errors import InvalidValueError

#: Default bound on the recurrence periods (years, months, weeks or days) one RRULE
#: expansion may examine. A count, never a time: results do not depend on machine load.
DEFAULT_MAX_ITERATIONS = 100_000

#: ``add_working_days(day, n)``: the date ``n`` working days after ``day`` (before it when
#: ``n`` is negative), as a calendar computes it.
AddWorkingDays: TypeAlias = Callable[[date, int], date]


class Occurrence(NamedTuple):
    """One nominal date of a cadence, with a key that stays the same in every window."""

    key: str
    nominal: date


# Real types instead of the postponed strings, so the serializer can rebuild occurrences.
Occurrence.__annotations__ = {"key": str, "nominal": date}


# --- month arithmetic -----------------------------------------------------------------------

_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_length(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_LENGTHS[month - 1]


def shift_months(year: int, month: int, day: int, months: int) -> date:
    """``day`` of the month ``months`` after (year, month), clipped to that month's end."""
    y, m0 = divmod(year * 12 + month - 1 + months, 12)
    m = m0 + 1
    if day > 28:
        day = min(day, month_length(y, m))
    return date(y, m, day)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of the month clipped to the month's end.

    >>> add_months(date(2024, 1, 31), 1), add_months(date(2023, 1, 31), 1)
    (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28))
    """
    return shift_months(day.year, day.month, day.day, months)


class AnchorKind(ClosedSet):
    """Which date a rhythm counts from."""

    CYCLE_START = "cycle_start"
    HIRE_DATE = "hire_date"
    FIXED_MONTH = "fixed_month"


def person_anchor(instance: Any, attribute: Any, value: AnchorKind) -> None:
    if value is AnchorKind.FIXED_MONTH:
        raise InvalidValueError(
            field_path(instance, attribute),
            f"{value} needs a month; use a date anchor",
            allowed=(AnchorKind.HIRE_DATE, AnchorKind.CYCLE_START),
        )
