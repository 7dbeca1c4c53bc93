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
