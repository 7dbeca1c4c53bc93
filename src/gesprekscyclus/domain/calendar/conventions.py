"""Business-day conventions: how to move a date that is not a working day.

The rules follow QuantLib's ``BusinessDayConvention``. Whether a day counts as a working day
is up to the caller, passed in as a predicate, so the same rules serve any calendar.

>>> from datetime import date
>>> weekday = lambda day: day.isoweekday() < 6
>>> saturday = date(2024, 8, 31)  # the last day of August 2024
>>> adjust(saturday, BusinessDayConvention.FOLLOWING, weekday)
datetime.date(2024, 9, 2)
>>> adjust(saturday, BusinessDayConvention.MODIFIED_FOLLOWING, weekday)
datetime.date(2024, 8, 30)
>>> adjust(saturday, "nearest", weekday)  # Friday and Monday are not equally near: Friday
datetime.date(2024, 8, 30)
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date, timedelta

from gesprekscyclus.domain._checks import ClosedSet, shown
from gesprekscyclus.errors import InvalidValueError, NoWorkingDayError

__all__ = ["BusinessDayConvention", "adjust"]

_ONE_DAY = timedelta(days=1)


class BusinessDayConvention(ClosedSet):
    """How :func:`adjust` moves a day that is not a working day (a working day never moves).

    - ``following``: the first working day after it;
    - ``modified_following``: as ``following``, unless that lands in another month; then the
      last working day before it (``preceding``);
    - ``preceding``: the last working day before it;
    - ``modified_preceding``: as ``preceding``, unless that lands in another month; then
      ``following``;
    - ``nearest``: whichever working day is fewer calendar days away; on a tie the later one
      (``following``), as in QuantLib;
    - ``unadjusted``: the day stays as it is, working day or not.

    Suggested uses: statutory "at the latest" deadlines ``preceding``, rhythmic conversations
    ``modified_following``, check-ins ``nearest``.
    """

    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"
    MODIFIED_PRECEDING = "modified_preceding"
    NEAREST = "nearest"
    UNADJUSTED = "unadjusted"


def _step(day: date, direction: int) -> date | None:
    try:
        return day + _ONE_DAY if direction > 0 else day - _ONE_DAY
    except OverflowError:
        return None


def _search(
    day: date, direction: int, is_working_day: Callable[[date], bool], bound: int
) -> date | None:
    """The first working day from ``day`` (itself included) at most ``bound`` days away."""
    current: date | None = day
    for _ in range(bound + 1):
        if current is None:
            return None
        if is_working_day(current):
            return current
        current = _step(current, direction)
    return None


def _roll(day: date, direction: int, is_working_day: Callable[[date], bool], max_days: int) -> date:
    found = _search(day, direction, is_working_day, max_days)
    if found is None:
        way = "forward" if direction > 0 else "backward"
        raise NoWorkingDayError(day, f"searched {way}", max_days=max_days)
    return found


def _days_to_month_edge(day: date, direction: int) -> int:
    if direction < 0:
        return day.day - 1
    return monthrange(day.year, day.month)[1] - day.day


def _nearest(day: date, is_working_day: Callable[[date], bool], max_days: int) -> date:
    later: date | None = day
    earlier: date | None = day
    for _ in range(max_days + 1):
        if later is not None and is_working_day(later):
            return later
        if earlier is not None and is_working_day(earlier):
            return earlier
        later = None if later is None else _step(later, 1)
        earlier = None if earlier is None else _step(earlier, -1)
    raise NoWorkingDayError(day, "searched both ways", max_days=max_days)


def adjust(
    day: date,
    convention: BusinessDayConvention | str,
    is_working_day: Callable[[date], bool],
    *,
    max_days: int = 366,
) -> date:
    """Move ``day`` to a working day according to ``convention``.

    ``is_working_day`` decides what a working day is. The search looks at most ``max_days``
    days away from ``day`` in each direction and raises
    :class:`~gesprekscyclus.errors.NoWorkingDayError` when it finds none, so it always ends.

    >>> adjust(date(2024, 6, 1), "modified_preceding", lambda d: d.isoweekday() < 6)
    datetime.date(2024, 6, 3)
    """
    rule = BusinessDayConvention(convention)
    if isinstance(max_days, bool) or not isinstance(max_days, int) or max_days < 0:
        raise InvalidValueError(
            "max_days", f"must be a whole number of at least 0, got {shown(max_days)}"
        )
    if rule is BusinessDayConvention.UNADJUSTED:
        return day
    if rule is BusinessDayConvention.NEAREST:
        return _nearest(day, is_working_day, max_days)
    forward = rule in (BusinessDayConvention.FOLLOWING, BusinessDayConvention.MODIFIED_FOLLOWING)
    direction = 1 if forward else -1
    if rule in (BusinessDayConvention.FOLLOWING, BusinessDayConvention.PRECEDING):
        return _roll(day, direction, is_working_day, max_days)
    # Modified: look in the given direction up to the month's edge only; if the month has no
    # working day that way, the unmodified result would leave the month, so turn around.
    edge = _days_to_month_edge(day, direction)
    found = _search(day, direction, is_working_day, min(edge, max_days))
    if found is not None:
        return found
    if edge > max_days:
        way = "forward" if forward else "backward"
        raise NoWorkingDayError(day, f"searched {way}", max_days=max_days)
    return _roll(day, -direction, is_working_day, max_days)
