"""Moving nominal dates to working days, memoised for a whole planning run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeAlias

from gesprekscyclus.domain.calendar import BusinessDayConvention, WorkingCalendar
from gesprekscyclus.domain.people import WorkingPattern

#: Adjusters of one planning run, per (convention, common weekdays); the calendar is fixed.
Adjusters: TypeAlias = dict[tuple[BusinessDayConvention, frozenset[int]], Callable[[date], date]]


def _adjuster(
    calendar: WorkingCalendar,
    convention: BusinessDayConvention,
    patterns: tuple[WorkingPattern, ...],
    memos: Adjusters,
) -> Callable[[date], date]:
    """``calendar.adjust`` by ``convention`` for ``patterns``, memoised per day.

    Many people share nominal days (rhythms from the cycle start) and working weekdays, so
    one memo per (convention, common weekdays) in ``memos`` serves them all in one run.
    """
    if convention is BusinessDayConvention.UNADJUSTED:
        return _unadjusted
    weekdays = frozenset.intersection(*(pattern.weekdays for pattern in patterns))
    key = (convention, weekdays)
    cached = memos.get(key)
    if cached is not None:
        return cached
    works = calendar.predicate(*patterns)
    memo: dict[date, date] = {}

    def adjust(day: date) -> date:
        moved = memo.get(day)
        if moved is None:
            moved = day if works(day) else calendar.adjust(day, convention, *patterns)
            memo[day] = moved
        return moved

    memos[key] = adjust
    return adjust


def _unadjusted(day: date) -> date:
    return day


def _why_not_working(calendar: WorkingCalendar, weekdays: frozenset[int], day: date) -> str:
    """Why ``day`` is no working day of everyone with ``weekdays``: a ``MOVE_REASONS`` key.

    Only asked for days a convention moved away from, so it is off the hot path.
    """
    if calendar.is_day_off(day):
        return "holiday" if day in calendar.holidays(day.year) else "closure"
    if day.isoweekday() in weekdays:
        return "employment"  # a working day, left only to stay inside the employment
    return "weekend" if day.isoweekday() > 5 else "part_time"
