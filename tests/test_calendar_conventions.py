"""Business-day conventions on tables of cases and as properties.

Expected results follow QuantLib's ``Calendar::adjust`` (ql/time/calendar.cpp): Following,
ModifiedFollowing, Preceding, ModifiedPreceding, Nearest (ties go to the following day),
Unadjusted. Weekdays checked against a perpetual calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gesprekscyclus.domain.calendar import (
    BusinessDayConvention,
    DutchDayOffPolicy,
    WorkingCalendar,
    adjust,
)
from gesprekscyclus.domain.people import WorkingPattern
from gesprekscyclus.errors import InvalidValueError, NoWorkingDayError

from . import strategies as gs

F = BusinessDayConvention.FOLLOWING
MF = BusinessDayConvention.MODIFIED_FOLLOWING
P = BusinessDayConvention.PRECEDING
MP = BusinessDayConvention.MODIFIED_PRECEDING
N = BusinessDayConvention.NEAREST
U = BusinessDayConvention.UNADJUSTED


def weekday(day: date) -> bool:
    return day.isoweekday() < 6


# (day, convention, expected) with Monday–Friday as the only working days.
WEEKDAY_CASES = [
    # Saturday 31 Aug 2024, the last day of the month.
    (date(2024, 8, 31), F, date(2024, 9, 2)),
    (date(2024, 8, 31), MF, date(2024, 8, 30)),
    (date(2024, 8, 31), P, date(2024, 8, 30)),
    (date(2024, 8, 31), MP, date(2024, 8, 30)),
    (date(2024, 8, 31), N, date(2024, 8, 30)),  # Friday is 1 day away, Monday 2
    (date(2024, 8, 31), U, date(2024, 8, 31)),
    # Sunday 1 Sep 2024, the first day of the month.
    (date(2024, 9, 1), F, date(2024, 9, 2)),
    (date(2024, 9, 1), MF, date(2024, 9, 2)),
    (date(2024, 9, 1), P, date(2024, 8, 30)),
    (date(2024, 9, 1), MP, date(2024, 9, 2)),
    (date(2024, 9, 1), N, date(2024, 9, 2)),
    (date(2024, 9, 1), U, date(2024, 9, 1)),
    # Saturday 1 Aug 2026: preceding would leave the month.
    (date(2026, 8, 1), P, date(2026, 7, 31)),
    (date(2026, 8, 1), MP, date(2026, 8, 3)),
    # Saturday 30 May 2026 and Sunday 31 May 2026.
    (date(2026, 5, 30), MF, date(2026, 5, 29)),
    (date(2026, 5, 31), MF, date(2026, 5, 29)),
    (date(2026, 5, 31), F, date(2026, 6, 1)),
    # A working day never moves.
    *[(date(2024, 8, 30), rule, date(2024, 8, 30)) for rule in BusinessDayConvention],
]


@pytest.mark.parametrize(("day", "convention", "expected"), WEEKDAY_CASES)
def test_conventions_with_weekdays_only(
    day: date, convention: BusinessDayConvention, expected: date
) -> None:
    assert adjust(day, convention, weekday) == expected


NL = WorkingCalendar()
NL_GOOD_FRIDAY_OFF = WorkingCalendar(dutch_policy=DutchDayOffPolicy(good_friday=True))

# (calendar, day, convention, expected) with Dutch holidays.
HOLIDAY_CASES = [
    # Hemelvaartsdag Thursday 14 May 2026: Wednesday and Friday are equally near.
    (NL, date(2026, 5, 14), N, date(2026, 5, 15)),
    (NL, date(2026, 5, 14), P, date(2026, 5, 13)),
    # Tweede Kerstdag Thursday 26 Dec 2024: Friday 1 away, Tuesday 2 away.
    (NL, date(2024, 12, 26), N, date(2024, 12, 27)),
    (NL, date(2024, 12, 25), N, date(2024, 12, 24)),  # Tuesday 1 away, Friday 2
    # Good Friday 29 Mar 2024 off: following runs past Tweede Paasdag into April.
    (NL_GOOD_FRIDAY_OFF, date(2024, 3, 29), F, date(2024, 4, 2)),
    (NL_GOOD_FRIDAY_OFF, date(2024, 3, 29), MF, date(2024, 3, 28)),
    (NL, date(2024, 3, 29), MF, date(2024, 3, 29)),  # by default Good Friday is worked
    # Nieuwjaarsdag Wednesday 1 Jan 2025.
    (NL, date(2025, 1, 1), P, date(2024, 12, 31)),
    (NL, date(2025, 1, 1), MP, date(2025, 1, 2)),
    # Koningsdag Saturday 26 Apr 2025 is a weekend day anyway.
    (NL, date(2025, 4, 26), F, date(2025, 4, 28)),
    # Koningsdag Monday 27 Apr 2026, after a weekend: a three-day tie break.
    (NL, date(2026, 4, 26), N, date(2026, 4, 28)),
    (NL, date(2026, 4, 27), N, date(2026, 4, 28)),
]


@pytest.mark.parametrize(("calendar", "day", "convention", "expected"), HOLIDAY_CASES)
def test_conventions_with_dutch_holidays(
    calendar: WorkingCalendar, day: date, convention: BusinessDayConvention, expected: date
) -> None:
    assert calendar.adjust(day, convention) == expected
    assert adjust(day, convention, calendar.is_working_day) == expected


def test_an_exhausted_search_raises_instead_of_looping() -> None:
    with pytest.raises(NoWorkingDayError, match="within 10 days"):
        adjust(date(2026, 1, 1), F, lambda _day: False, max_days=10)
    for rule in (P, MF, MP, N):
        with pytest.raises(NoWorkingDayError):
            adjust(date(2026, 1, 1), rule, lambda _day: False)
    assert adjust(date(2026, 1, 1), U, lambda _day: False) == date(2026, 1, 1)


def test_the_search_bound_is_exact() -> None:
    only = date(2026, 1, 11)
    assert adjust(date(2026, 1, 1), F, lambda day: day == only, max_days=10) == only
    with pytest.raises(NoWorkingDayError):
        adjust(date(2026, 1, 1), F, lambda day: day == only, max_days=9)


def test_searches_stop_at_the_ends_of_the_calendar() -> None:
    with pytest.raises(NoWorkingDayError):
        adjust(date.max, F, lambda day: day != date.max, max_days=3)
    assert adjust(date.max, N, lambda day: day != date.max) == date.max - timedelta(days=1)


def test_unknown_conventions_and_bounds_are_rejected() -> None:
    with pytest.raises(InvalidValueError, match="allowed: following, modified_following"):
        adjust(date(2026, 1, 1), "backward", weekday)
    with pytest.raises(InvalidValueError, match="max_days"):
        adjust(date(2026, 1, 1), F, weekday, max_days=-1)


def test_patterns_without_a_common_weekday_fail_fast() -> None:
    employee = WorkingPattern.of("mon", "tue")
    manager = WorkingPattern.of("wed", "thu")
    with pytest.raises(NoWorkingDayError, match="share no weekday"):
        NL.adjust(date(2026, 3, 2), F, employee, manager)
    assert NL.adjust(date(2026, 3, 2), U, employee, manager) == date(2026, 3, 2)


# --- properties -----------------------------------------------------------------------------

#: Patterns that share at least one weekday with the first pattern drawn.
pattern_pairs = st.tuples(gs.working_patterns, gs.working_patterns).filter(
    lambda pair: bool(pair[0].weekdays & pair[1].weekdays)
)
conventions = st.sampled_from(BusinessDayConvention)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))


@given(gs.working_calendars, pattern_pairs, days, conventions)
def test_adjusted_days_are_working_days(
    calendar: WorkingCalendar,
    patterns: tuple[WorkingPattern, WorkingPattern],
    day: date,
    convention: BusinessDayConvention,
) -> None:
    try:
        moved = calendar.adjust(day, convention, *patterns)
    except NoWorkingDayError:
        assume(False)
        raise
    if convention is U:
        assert moved == day
    else:
        assert calendar.is_working_day(moved, *patterns)
    if convention is F:
        assert moved >= day
    if convention is P:
        assert moved <= day
    # Idempotent: an adjusted day stays where it is.
    assert calendar.adjust(moved, convention, *patterns) == moved


@given(gs.working_calendars, pattern_pairs, days, st.sampled_from([MF, MP]))
def test_modified_conventions_stay_in_the_month_when_they_can(
    calendar: WorkingCalendar,
    patterns: tuple[WorkingPattern, WorkingPattern],
    day: date,
    convention: BusinessDayConvention,
) -> None:
    moved = calendar.adjust(day, convention, *patterns)
    first = day.replace(day=1)
    month = [
        first + timedelta(days=offset)
        for offset in range(31)
        if (first + timedelta(days=offset)).month == day.month
    ]
    if any(calendar.is_working_day(candidate, *patterns) for candidate in month):
        assert moved.month == day.month
        assert moved.year == day.year


@given(gs.working_calendars, pattern_pairs, days)
def test_nearest_picks_the_closest_working_day_and_later_on_a_tie(
    calendar: WorkingCalendar, patterns: tuple[WorkingPattern, WorkingPattern], day: date
) -> None:
    moved = calendar.adjust(day, N, *patterns)
    distance = abs((moved - day).days)
    later = calendar.adjust(day, F, *patterns)
    earlier = calendar.adjust(day, P, *patterns)
    assert distance == min((later - day).days, (day - earlier).days)
    if (later - day).days == (day - earlier).days:
        assert moved == later


@given(days, conventions)
def test_working_days_never_move(day: date, convention: BusinessDayConvention) -> None:
    assume(weekday(day))
    assert adjust(day, convention, weekday) == day
