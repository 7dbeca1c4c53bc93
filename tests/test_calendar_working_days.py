"""Working calendars: days off, part-time patterns, closures and working-day arithmetic.

Dutch dates as in test_calendar_holidays.py (Algemene termijnenwet art. 3, Koningsdag rule);
weekdays checked against a perpetual calendar.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta

import attrs
import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.calendar import (
    Closure,
    DutchDayOffPolicy,
    LiberationDayPolicy,
    WorkingCalendar,
)
from gesprekscyclus.domain.people import WorkingPattern
from gesprekscyclus.errors import InvalidValueError, NoWorkingDayError, SerializationError
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs

NL = WorkingCalendar()
EMPLOYEE = WorkingPattern.of("mon", "tue", "thu")  # part-time
MANAGER = WorkingPattern.of("tue", "wed", "thu", "fri")  # four days


def test_weekends_are_not_days_off_but_are_not_working_days() -> None:
    saturday = date(2026, 3, 7)
    assert not NL.is_day_off(saturday)
    assert not NL.is_working_day(saturday)
    assert NL.is_working_day(saturday, WorkingPattern.of("sat"))


@pytest.mark.parametrize(
    ("day", "off"),
    [
        (date(2026, 1, 1), True),  # Nieuwjaarsdag
        (date(2026, 4, 3), False),  # Goede Vrijdag: worked under the default policy
        (date(2026, 4, 6), True),  # Tweede Paasdag
        (date(2026, 4, 27), True),  # Koningsdag
        (date(2026, 5, 5), False),  # 5 May outside a lustrum year
        (date(2025, 5, 5), True),  # 5 May in lustrum year 2025
        (date(2026, 5, 14), True),  # Hemelvaartsdag
        (date(2026, 5, 25), True),  # Tweede Pinksterdag
        (date(2026, 12, 25), True),
        (date(2026, 12, 26), True),
        (date(2026, 12, 24), False),
    ],
)
def test_dutch_days_off_under_the_default_policy(day: date, off: bool) -> None:
    assert NL.is_day_off(day) is off


def test_both_patterns_must_work_the_day() -> None:
    # Week of 27 April 2026: Mon Koningsdag, Tue 28, Wed 29, Thu 30, Fri 1 May.
    week = [date(2026, 4, 27) + timedelta(days=offset) for offset in range(5)]
    both = [day for day in week if NL.is_working_day(day, EMPLOYEE, MANAGER)]
    assert both == [date(2026, 4, 28), date(2026, 4, 30)]
    assert [day for day in week if NL.is_working_day(day, EMPLOYEE)] == both
    assert [day for day in week if NL.is_working_day(day, MANAGER)] == week[1:]
    assert NL.working_days(week[0], week[-1], EMPLOYEE, MANAGER) == tuple(both)
    predicate = NL.predicate(EMPLOYEE, MANAGER)
    assert [day for day in week if predicate(day)] == both


def test_part_timers_move_to_a_shared_working_day() -> None:
    # Koningsdag Thursday 27 April 2028: the next day both work is Tuesday 2 May.
    assert NL.adjust(date(2028, 4, 27), "following", EMPLOYEE, MANAGER) == date(2028, 5, 2)
    assert NL.adjust(date(2028, 4, 27), "preceding", EMPLOYEE, MANAGER) == date(2028, 4, 25)
    # Wednesday: the employee is off; Tuesday and Thursday are equally near, so Thursday.
    assert NL.adjust(date(2026, 3, 4), "nearest", EMPLOYEE, MANAGER) == date(2026, 3, 5)


def test_closures_are_days_off_across_the_year_end() -> None:
    christmas_shutdown = Closure(date(2026, 12, 24), date(2027, 1, 1), "Kerstsluiting")
    calendar = WorkingCalendar(closures=(christmas_shutdown,))
    assert calendar.is_day_off(date(2026, 12, 24))
    assert calendar.is_day_off(date(2026, 12, 31))
    assert calendar.is_day_off(date(2027, 1, 1))
    assert not calendar.is_day_off(date(2026, 12, 23))
    assert calendar.working_days(date(2026, 12, 21), date(2027, 1, 8)) == (
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2027, 1, 4),
        date(2027, 1, 5),
        date(2027, 1, 6),
        date(2027, 1, 7),
        date(2027, 1, 8),
    )
    assert calendar.add_working_days(date(2026, 12, 23), 1) == date(2027, 1, 4)
    reasons = calendar.days_off(2026)
    assert reasons[date(2026, 12, 24)] == "Kerstsluiting"
    assert reasons[date(2026, 12, 25)] == "Eerste Kerstdag"  # the holiday name wins


def test_extra_days_off() -> None:
    bridge_day = date(2026, 5, 15)  # the Friday after Hemelvaartsdag
    calendar = WorkingCalendar(extra_days_off=frozenset({bridge_day}))
    assert calendar.is_day_off(bridge_day)
    assert calendar.days_off(2026)[bridge_day] == "extra day off"
    assert calendar.add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 18)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 4, 23), 2, date(2026, 4, 28)),  # Fri 24, then past Koningsdag
        (date(2026, 4, 2), 2, date(2026, 4, 7)),  # Fri 3 (Good Friday worked), Tweede Paasdag
        (date(2026, 5, 8), -5, date(2026, 5, 1)),  # 5 working days before a last day
        (date(2025, 5, 9), -5, date(2025, 5, 1)),  # lustrum year: 5 May skipped
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # over Christmas
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day
        (date(2026, 3, 7), 0, date(2026, 3, 9)),  # n = 0 rolls a non-working day forward
        (date(2026, 3, 6), 0, date(2026, 3, 6)),
        (date(2026, 3, 7), -1, date(2026, 3, 6)),  # Saturday itself is not counted
    ],
)
def test_add_working_days_across_holidays(start: date, n: int, expected: date) -> None:
    assert NL.add_working_days(start, n) == expected


def test_add_working_days_with_the_liberation_day_every_year() -> None:
    calendar = WorkingCalendar(dutch_policy=DutchDayOffPolicy(liberation_day="every_year"))
    assert calendar.add_working_days(date(2026, 5, 8), -5) == date(2026, 4, 30)


def test_add_working_days_with_part_time_patterns() -> None:
    # Shared days are Tuesday and Thursday; Koningsdag Thursday 27 April 2028 is skipped.
    assert NL.add_working_days(date(2028, 4, 24), 3, EMPLOYEE, MANAGER) == date(2028, 5, 4)


def test_add_working_days_gives_up_on_endless_closures() -> None:
    closed = WorkingCalendar(
        closures=(Closure(date(2026, 1, 1), date(2028, 12, 31), "Verbouwing"),)
    )
    with pytest.raises(NoWorkingDayError, match="non-working days"):
        closed.add_working_days(date(2026, 1, 1), 1)
    with pytest.raises(NoWorkingDayError, match="share no weekday"):
        NL.add_working_days(date(2026, 1, 1), 1, WorkingPattern.of("mon"), WorkingPattern.of("fri"))
    with pytest.raises(InvalidValueError, match="n: must be a whole number"):
        NL.add_working_days(date(2026, 1, 1), 1.5)  # type: ignore[arg-type]


def test_working_days_of_an_empty_range() -> None:
    assert NL.working_days(date(2026, 1, 9), date(2026, 1, 8)) == ()


def test_unsupported_years_raise() -> None:
    with pytest.raises(InvalidValueError, match="1982"):
        NL.is_working_day(date(1970, 6, 1))


def test_closure_validation() -> None:
    with pytest.raises(InvalidValueError, match=r"Closure\.end: 2026-01-01 lies before"):
        Closure(date(2026, 1, 2), date(2026, 1, 1), "Sluiting")
    with pytest.raises(InvalidValueError, match=r"Closure\.label: must not be blank"):
        Closure(date(2026, 1, 1), date(2026, 1, 1), " ")
    with pytest.raises(InvalidValueError, match=r"Closure\.start: must be a date"):
        Closure(datetime(2026, 1, 1, 9), date(2026, 1, 2), "Sluiting")


def test_calendar_validation() -> None:
    with pytest.raises(InvalidValueError, match=r"WorkingCalendar\.subdivision: must be left out"):
        WorkingCalendar(subdivision="Noord")
    with pytest.raises(InvalidValueError, match=r"WorkingCalendar\.closures\[0\]"):
        WorkingCalendar(closures=("kerst",))  # type: ignore[arg-type]
    # A list is taken as the tuple the frozen calendar holds.
    assert WorkingCalendar(closures=[]) == WorkingCalendar()  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"WorkingCalendar\.closures: must be a tuple"):
        WorkingCalendar(closures={"kerst": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"WorkingCalendar\.extra_days_off"):
        WorkingCalendar(extra_days_off=frozenset({datetime(2026, 1, 1)}))
    with pytest.raises(InvalidValueError, match=r"WorkingCalendar\.dutch_policy"):
        WorkingCalendar(dutch_policy="lustrum")  # type: ignore[arg-type]
    assert WorkingCalendar(country=" nl ").country == "NL"


def test_other_countries_use_the_holidays_package() -> None:
    bavaria = WorkingCalendar("DE", "BY")
    assert bavaria.is_day_off(date(2026, 1, 6))  # Heilige Drei Könige, Bavaria only
    assert not WorkingCalendar("DE", "BE").is_day_off(date(2026, 1, 6))
    belgium = WorkingCalendar("be", dutch_policy=DutchDayOffPolicy(good_friday=True))
    assert belgium.is_day_off(date(2026, 7, 21))  # Belgian national day
    assert not belgium.is_day_off(date(2026, 4, 3))  # the Dutch policy does not apply
    assert not belgium.is_day_off(date(2026, 4, 27))
    assert from_data(WorkingCalendar, to_data(belgium)) == belgium


def test_unknown_countries_and_subdivisions_are_named() -> None:
    with pytest.raises(InvalidValueError, match=r"WorkingCalendar\.country: unknown country"):
        WorkingCalendar("XX")
    with pytest.raises(InvalidValueError) as caught:
        WorkingCalendar("BE", "Brussel")
    assert caught.value.path == "WorkingCalendar.subdivision"
    # The subdivisions are the holidays package's (from 0.106 on: Flemish, French, German).
    assert caught.value.allowed == tuple(holidays.list_supported_countries()["BE"])
    with pytest.raises(
        SerializationError, match=r"WorkingCalendar\.country: unknown country code 'XX'.* @ \$"
    ):
        from_data(WorkingCalendar, {"country": "XX"})


def test_a_missing_holidays_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "holidays", None)  # makes the import fail
    with pytest.raises(InvalidValueError, match=r"pip install gesprekscyclus\[holidays\]"):
        WorkingCalendar("BE")
    assert NL.is_working_day(date(2026, 4, 28))  # Dutch calendars never need it


def test_the_cache_is_not_part_of_the_value() -> None:
    calendar = WorkingCalendar()
    calendar.is_working_day(date(2026, 1, 2))
    fresh = WorkingCalendar()
    assert calendar == fresh
    assert hash(calendar) == hash(fresh)
    assert "cache" not in repr(calendar)
    assert "cache" not in str(to_data(calendar))
    changed = attrs.evolve(calendar, extra_days_off=frozenset({date(2026, 1, 2)}))
    assert not changed.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 2))


# --- properties -----------------------------------------------------------------------------


@given(gs.working_calendars)
def test_working_calendar_round_trips(calendar: WorkingCalendar) -> None:
    assert from_data(WorkingCalendar, to_data(calendar)) == calendar
    assert loads(WorkingCalendar, dumps(calendar)) == calendar


@given(gs.closures())
def test_closure_round_trips(closure: Closure) -> None:
    assert from_data(Closure, to_data(closure)) == closure
    assert all(
        closure.covers(closure.start + timedelta(days=offset)) for offset in range(closure.days)
    )


@given(gs.working_calendars, gs.working_patterns, gs.calendar_days)
def test_is_working_day_agrees_with_its_parts(
    calendar: WorkingCalendar, pattern: WorkingPattern, day: date
) -> None:
    expected = (
        day not in calendar.holidays(day.year)
        and not any(closure.covers(day) for closure in calendar.closures)
        and day not in calendar.extra_days_off
        and pattern.works_on(day)
    )
    assert calendar.is_working_day(day, pattern) is expected
    assert calendar.predicate(pattern)(day) is expected


@given(
    gs.working_calendars,
    gs.calendar_days.filter(lambda day: date(1991, 1, 1) <= day <= date(2059, 12, 1)),
    st.integers(min_value=-40, max_value=40),
)
def test_add_working_days_counts_exactly_n(calendar: WorkingCalendar, start: date, n: int) -> None:
    moved = calendar.add_working_days(start, n)
    assert calendar.is_working_day(moved)
    if n > 0:
        assert len(calendar.working_days(start + timedelta(days=1), moved)) == n
    elif n < 0:
        assert len(calendar.working_days(moved, start - timedelta(days=1))) == -n
    else:
        assert moved == calendar.adjust(start, "following")


@given(st.sampled_from(LiberationDayPolicy), st.booleans(), st.integers(1982, 2100))
def test_dutch_days_off_follow_the_policy(
    liberation: LiberationDayPolicy, good_friday: bool, year: int
) -> None:
    calendar = WorkingCalendar(dutch_policy=DutchDayOffPolicy(good_friday, liberation))
    assert set(calendar.days_off(year)) == set(calendar.dutch_policy.days_off(year))
