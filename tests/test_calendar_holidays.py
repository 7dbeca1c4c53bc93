"""Dutch statutory holidays, the day-off policy and statutory deadlines.

Sources for the expected dates: Algemene termijnenwet (BWBR0002448) art. 1 and 3; Easter
Sundays 2024–2031 from the Gregorian computus (31 Mar 2024, 20 Apr 2025, 5 Apr 2026,
28 Mar 2027, 16 Apr 2028, 1 Apr 2029, 21 Apr 2030, 13 Apr 2031); Koningsdag on 27 April, on
Saturday 26 April when the 27th is a Sunday (Besluit van 2013, Stb. 2013, 220), which gives
26 April in 2014, 2025 and 2031.
"""

from __future__ import annotations

from datetime import date

import holidays as holidays_package
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.calendar import (
    DutchDayOffPolicy,
    LiberationDayPolicy,
    dutch_statutory_holidays,
    statutory_deadline,
)
from gesprekscyclus.domain.calendar.dutch_holidays import FIRST_YEAR
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.serialization import from_data, to_data

from . import strategies as gs

# year: Goede Vrijdag, Tweede Paasdag, Koningsdag, Hemelvaartsdag, Tweede Pinksterdag
MOVABLE = {
    2024: ("03-29", "04-01", "04-27", "05-09", "05-20"),
    2025: ("04-18", "04-21", "04-26", "05-29", "06-09"),
    2026: ("04-03", "04-06", "04-27", "05-14", "05-25"),
    2027: ("03-26", "03-29", "04-27", "05-06", "05-17"),
    2028: ("04-14", "04-17", "04-27", "05-25", "06-05"),
    2029: ("03-30", "04-02", "04-27", "05-10", "05-21"),
    2030: ("04-19", "04-22", "04-27", "05-30", "06-10"),
    2031: ("04-11", "04-14", "04-26", "05-22", "06-02"),
}
MOVABLE_NAMES = (
    "Goede Vrijdag",
    "Tweede Paasdag",
    "Koningsdag",
    "Hemelvaartsdag",
    "Tweede Pinksterdag",
)


@pytest.mark.parametrize("year", sorted(MOVABLE))
def test_statutory_holidays_2024_to_2031(year: int) -> None:
    expected = {
        date(year, 1, 1): "Nieuwjaarsdag",
        date(year, 5, 5): "Bevrijdingsdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    for month_day, name in zip(MOVABLE[year], MOVABLE_NAMES, strict=True):
        expected[date.fromisoformat(f"{year}-{month_day}")] = name
    found = dutch_statutory_holidays(year)
    assert found == expected
    assert list(found) == sorted(found)


@pytest.mark.parametrize(
    ("year", "day", "name"),
    [
        (2025, date(2025, 4, 26), "Koningsdag"),  # 27 April 2025 is a Sunday
        (2031, date(2031, 4, 26), "Koningsdag"),  # 27 April 2031 is a Sunday
        (2036, date(2036, 4, 26), "Koningsdag"),  # 27 April 2036 is a Sunday
        (2014, date(2014, 4, 26), "Koningsdag"),  # first Koningsdag, 27 April a Sunday
        (2013, date(2013, 4, 30), "Koninginnedag"),
        (2006, date(2006, 4, 29), "Koninginnedag"),  # 30 April 2006 was a Sunday
        (1989, date(1989, 4, 29), "Koninginnedag"),  # 30 April 1989 was a Sunday
    ],
)
def test_the_monarchs_day_moves_to_saturday(year: int, day: date, name: str) -> None:
    found = dutch_statutory_holidays(year)
    assert found[day] == name
    assert day.isoweekday() == 6 or day.day in (27, 30)


def test_two_holidays_on_one_date_keep_both_names() -> None:
    # Ascension Day fell on 5 May in 2016.
    assert dutch_statutory_holidays(2016)[date(2016, 5, 5)] == "Bevrijdingsdag / Hemelvaartsdag"
    off = DutchDayOffPolicy().days_off(2016)  # 2016 is no lustrum year
    assert off[date(2016, 5, 5)] == "Hemelvaartsdag"
    assert DutchDayOffPolicy(liberation_day="never").days_off(2016)[date(2016, 5, 5)] == (
        "Hemelvaartsdag"
    )


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, 1900, 4100, True])
def test_years_outside_the_supported_range_are_rejected(year: int) -> None:
    with pytest.raises(InvalidValueError, match="year: Dutch holidays are computed for 1982"):
        dutch_statutory_holidays(year)


SUNDAY_FEASTS = ("Easter Sunday", "Pentecost")


# The holidays package (0.109, pinned) is an independent implementation. Its NL "public"
# category differs from the Atw list on purpose in three ways, checked here:
# - it adds Easter Sunday and Whit Sunday (always Sundays, so the Atw need not name them);
# - it has 5 May only in lustrum years (practice in many CAOs), and every year from 1982 in
#   its "optional" category, whereas Atw art. 3 names 5 May every year;
# - everything else, Good Friday and the Koningsdag/Koninginnedag moves included, agrees.
@pytest.mark.parametrize("year", range(FIRST_YEAR, 2061))
def test_statutory_list_agrees_with_the_holidays_package(year: int) -> None:
    public = holidays_package.Netherlands(years=year, language="en_US")
    optional = holidays_package.Netherlands(years=year, categories=("optional",), language="en_US")
    sundays_only = {day for day, name in public.items() if name in SUNDAY_FEASTS}
    assert all(day.isoweekday() == 7 for day in sundays_only)
    ours = set(dutch_statutory_holidays(year))
    assert ours == (set(public) - sundays_only) | {date(year, 5, 5)}
    assert date(year, 5, 5) in optional
    assert ("Liberation Day" in public.get(date(year, 5, 5), "")) == (year % 5 == 0)


@pytest.mark.parametrize("year", range(2000, 2041))
def test_good_friday_and_lustrum_policy_matches_the_packages_public_days(year: int) -> None:
    public = holidays_package.Netherlands(years=year, language="en_US")
    weekday_holidays = {day for day, name in public.items() if name not in SUNDAY_FEASTS}
    policy = DutchDayOffPolicy(good_friday=True, liberation_day=LiberationDayPolicy.LUSTRUM)
    assert set(policy.days_off(year)) == weekday_holidays


@pytest.mark.parametrize(
    ("policy", "off_in_2025", "off_in_2026"),
    [
        (LiberationDayPolicy.LUSTRUM, True, False),
        (LiberationDayPolicy.EVERY_YEAR, True, True),
        (LiberationDayPolicy.NEVER, False, False),
    ],
)
def test_liberation_day_policy(
    policy: LiberationDayPolicy, off_in_2025: bool, off_in_2026: bool
) -> None:
    chosen = DutchDayOffPolicy(liberation_day=policy)
    assert (date(2025, 5, 5) in chosen.days_off(2025)) is off_in_2025
    assert (date(2026, 5, 5) in chosen.days_off(2026)) is off_in_2026
    assert chosen.liberation_day_off(2030) is (policy is not LiberationDayPolicy.NEVER)


def test_good_friday_is_a_working_day_unless_the_policy_says_otherwise() -> None:
    good_friday = date(2026, 4, 3)
    assert good_friday not in DutchDayOffPolicy().days_off(2026)
    assert good_friday in DutchDayOffPolicy(good_friday=True).days_off(2026)
    # Every other statutory day is always off.
    assert set(DutchDayOffPolicy().days_off(2026)) == set(dutch_statutory_holidays(2026)) - {
        good_friday,
        date(2026, 5, 5),
    }


def test_policy_rejects_unknown_values() -> None:
    with pytest.raises(InvalidValueError, match="allowed: every_year, lustrum, never"):
        DutchDayOffPolicy(liberation_day="sometimes")
    with pytest.raises(InvalidValueError, match=r"DutchDayOffPolicy\.good_friday"):
        DutchDayOffPolicy(good_friday="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ends_on", "expected"),
    [
        (date(2026, 4, 1), date(2026, 4, 1)),  # an ordinary Wednesday stays
        (date(2025, 4, 26), date(2025, 4, 28)),  # Saturday Koningsdag, Sunday
        (date(2026, 4, 3), date(2026, 4, 7)),  # Goede Vrijdag, weekend, Tweede Paasdag
        (date(2026, 5, 5), date(2026, 5, 6)),  # 5 May counts every year for deadlines
        (date(2025, 12, 25), date(2025, 12, 29)),  # both Christmas days, then a weekend
        (date(2028, 12, 30), date(2029, 1, 2)),  # Saturday, Sunday, Nieuwjaarsdag
        (date(2026, 5, 14), date(2026, 5, 15)),  # Hemelvaartsdag
    ],
)
def test_statutory_deadline_moves_to_the_next_day(ends_on: date, expected: date) -> None:
    assert statutory_deadline(ends_on) == expected


def test_statutory_deadline_honours_days_declared_equal() -> None:
    # Friday after Ascension Day 2026 declared equal to a holiday under Atw art. 3 lid 3.
    assert statutory_deadline(date(2026, 5, 14), equivalent_days=[date(2026, 5, 15)]) == date(
        2026, 5, 18
    )


@given(gs.calendar_days)
def test_statutory_deadline_is_a_weekday_and_never_earlier(day: date) -> None:
    deadline = statutory_deadline(day)
    assert deadline >= day
    assert deadline.isoweekday() < 6
    assert deadline not in dutch_statutory_holidays(deadline.year)
    assert (deadline - day).days <= 5
    if deadline > day:
        assert statutory_deadline(deadline) == deadline


@given(gs.dutch_day_off_policies)
def test_day_off_policy_round_trips(policy: DutchDayOffPolicy) -> None:
    assert from_data(DutchDayOffPolicy, to_data(policy)) == policy


@given(gs.dutch_day_off_policies, st.integers(min_value=FIRST_YEAR, max_value=2100))
def test_days_off_are_a_subset_of_the_statutory_days(policy: DutchDayOffPolicy, year: int) -> None:
    off = policy.days_off(year)
    statutory = dutch_statutory_holidays(year)
    assert set(off) <= set(statutory)
    assert len(statutory) - len(off) <= 2
