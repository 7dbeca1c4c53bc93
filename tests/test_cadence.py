"""Cadences: interval arithmetic, RRULE validation and bounded expansion, anniversaries,
lifecycle offsets, thresholds, answer triggers, the expand entry point and round-trips."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from attrs import frozen
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from hypothesis import assume, given
from hypothesis import strategies as st

from gesprekscyclus.domain.cadence import (
    AnchorKind,
    Anniversary,
    AnswerTrigger,
    Cadence,
    Interval,
    IntervalUnit,
    LifecycleOffset,
    Occurrence,
    RRuleCadence,
    Threshold,
    add_months,
    anniversary_dates,
    expand,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import LeapDayPolicy, Person
from gesprekscyclus.errors import ExpansionLimitError, InvalidValueError, SerializationError
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs


def d(text: str) -> date:
    return date.fromisoformat(text)


def windows(max_days: int = 800) -> st.SearchStrategy[tuple[date, date]]:
    return st.tuples(gs.dates, st.integers(0, max_days)).map(
        lambda pair: (pair[0], pair[0] + timedelta(days=pair[1]))
    )


# --- interval ---------------------------------------------------------------------------------


@given(gs.intervals, gs.dates, windows(3000))
def test_interval_dates_strictly_increase_within_the_window(
    interval: Interval, anchor: date, window: tuple[date, date]
) -> None:
    start, end = window
    found = interval.indexed_dates(anchor, start, end)
    nominals = [day for _, day in found]
    assert nominals == sorted(set(nominals))
    assert all(start <= day <= end for day in nominals)
    assert not found or [n for n, _ in found] == list(range(found[0][0], found[0][0] + len(found)))
    assert all(n >= interval.first_index for n, _ in found)


@given(gs.intervals, gs.dates, gs.dates, st.integers(0, 900), st.integers(0, 900))
def test_interval_keys_are_the_same_whatever_the_window(
    interval: Interval, anchor: date, a: date, ab: int, bc: int
) -> None:
    b = a + timedelta(days=ab)
    c = b + timedelta(days=bc)
    whole = interval.occurrences(anchor, a, c)
    split = interval.occurrences(anchor, a, b) + interval.occurrences(
        anchor, b + timedelta(days=1), c
    )
    assert whole == split


@given(
    st.sampled_from([IntervalUnit.MONTHS, IntervalUnit.QUARTERS, IntervalUnit.YEARS]),
    st.integers(1, 10),
    gs.dates,
    st.integers(0, 200),
)
def test_interval_months_match_relativedelta_from_the_anchor(
    unit: IntervalUnit, every: int, anchor: date, n: int
) -> None:
    months = {IntervalUnit.MONTHS: 1, IntervalUnit.QUARTERS: 3, IntervalUnit.YEARS: 12}[unit]
    interval = Interval(every=every, unit=unit, anchor=AnchorKind.CYCLE_START)
    assert interval.nominal(anchor, n) == anchor + relativedelta(months=months * every * n)


def test_month_end_is_clipped_and_the_anchor_day_comes_back() -> None:
    monthly = Interval(every=1, unit="months")
    found = monthly.occurrences(d("2023-01-31"), d("2023-01-01"), d("2024-03-31"))
    assert [o.nominal.isoformat() for o in found[:3]] == ["2023-02-28", "2023-03-31", "2023-04-30"]
    assert found[12] == Occurrence("n13", d("2024-02-29"))
    assert found[0].key == "n1"  # the hire date itself is not an occurrence
    assert add_months(d("2024-02-29"), 12) == d("2025-02-28")


def test_fixed_month_keeps_its_day_in_every_month() -> None:
    review = Interval(every=1, unit="months", anchor="fixed_month", month=1, day=31)
    anchor = review.anchor_date(hire_date=d("2020-05-05"), cycle_start=d("2026-01-01"))
    assert anchor == d("2026-01-31")
    found = review.occurrences(anchor, d("2026-01-01"), d("2026-04-30"))
    assert [o.nominal.day for o in found] == [31, 28, 31, 30]
    assert found[0].key == "n0"


def test_weekly_interval_from_an_old_anchor() -> None:
    every_two_weeks = Interval(every=2, unit="weeks", anchor="cycle_start")
    found = every_two_weeks.occurrences(d("1996-01-01"), d("2026-01-01"), d("2026-01-31"))
    assert [o.nominal for o in found] == [d("2026-01-05"), d("2026-01-19")]
    assert all((o.nominal - d("1996-01-01")).days == 14 * int(o.key[1:]) for o in found)


def test_next_after_held_counts_from_the_held_date() -> None:
    growth = Interval(every=6, unit="months", anchor_to="held")
    assert growth.next_after_held(d("2026-08-31")) == d("2027-02-28")
    person = Person(id="e-1", name="Anna", hire_date=d("2020-01-15"))
    planned = expand(
        growth,
        person=person,
        cycle_start=d("2026-01-01"),
        events=(),
        start=d("2026-01-01"),
        end=d("2027-12-31"),
    )
    assert [o.key for o in planned] == ["n12", "n13", "n14", "n15"]
    after = expand(
        growth,
        person=person,
        cycle_start=d("2026-01-01"),
        events=(),
        start=d("2026-01-01"),
        end=d("2027-12-31"),
        held=[d("2026-02-01"), d("2026-08-31")],
    )
    assert after == [
        Occurrence("after-2026-08-31-n1", d("2027-02-28")),
        Occurrence("after-2026-08-31-n2", d("2027-08-31")),
    ]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"every": 0, "unit": "months"}, "Interval.every"),
        ({"every": 1, "unit": "days"}, "IntervalUnit"),
        ({"every": 1, "unit": "months", "anchor": "fixed_month"}, "Interval.month"),
        ({"every": 1, "unit": "months", "month": 3}, "Interval.month"),
        ({"every": 1, "unit": "months", "anchor": "fixed_month", "month": 13}, "Interval.month"),
        ({"every": 1, "unit": "months", "anchor": "fixed_month", "month": 1, "day": 32}, "day"),
        ({"every": 1, "unit": "months", "day": 15}, "Interval.day"),
        ({"every": 1, "unit": "months", "anchor_to": "later"}, "AnchorTo"),
    ],
)
def test_interval_validation_names_the_field(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Interval(**kwargs)  # type: ignore[arg-type]
    assert path in str(caught.value)


def test_unknown_unit_lists_the_allowed_units() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Interval(every=1, unit="days")
    assert caught.value.allowed == ("weeks", "months", "quarters", "years")


# --- RRULE: equality with dateutil ------------------------------------------------------------


def _reference(rule: str, anchor: date, start: date, end: date) -> list[date]:
    """Plain dateutil from the real DTSTART, replaying every occurrence since the anchor."""
    parsed = rrulestr(rule, dtstart=datetime(anchor.year, anchor.month, anchor.day))
    window = parsed.between(
        datetime(start.year, start.month, start.day), datetime(end.year, end.month, end.day), True
    )
    return [moment.date() for moment in window]


def _assume_dateutil_terminates(cadence: RRuleCadence, anchor: date, after: date) -> None:
    """dateutil looks for a match past the window (or past UNTIL/COUNT's end) and loops to the
    year 9999 when there is none; skip such rules, whose reference would take too long."""
    parts = [part for part in cadence.rule.split(";") if not part.startswith(("COUNT", "UNTIL"))]
    open_ended = RRuleCadence(";".join(parts))
    until = next((p for p in cadence.rule.split(";") if p.startswith("UNTIL=")), None)
    if until is not None:
        after = max(after, datetime.strptime(until[6:14], "%Y%m%d").date())
    try:
        open_ended.next_after(anchor, after, max_iterations=3000)
    except ExpansionLimitError:
        assume(False)


@given(gs.rrule_cadences, gs.dates, windows())
def test_rrule_expansion_equals_dateutil_from_the_real_anchor(
    cadence: RRuleCadence, anchor: date, window: tuple[date, date]
) -> None:
    start, end = window
    _assume_dateutil_terminates(cadence, anchor, end)
    expected = _reference(cadence.rule, anchor, start, end)
    got = cadence.occurrences(anchor, start, end)
    assert [o.nominal for o in got] == expected
    assert all(o.key == o.nominal.isoformat() for o in got)


@given(gs.rrule_cadences, gs.dates, gs.dates)
def test_rrule_next_after_equals_dateutil(cadence: RRuleCadence, anchor: date, after: date) -> None:
    _assume_dateutil_terminates(cadence, anchor, after)
    parsed = rrulestr(cadence.rule, dtstart=datetime(anchor.year, anchor.month, anchor.day))
    expected = parsed.after(datetime(after.year, after.month, after.day))
    assert cadence.next_after(anchor, after) == (expected.date() if expected else None)


@given(gs.rrule_cadences, gs.dates, gs.dates, st.integers(0, 500), st.integers(0, 500))
def test_rrule_keys_are_the_same_whatever_the_window(
    cadence: RRuleCadence, anchor: date, a: date, ab: int, bc: int
) -> None:
    b = a + timedelta(days=ab)
    c = b + timedelta(days=bc)
    whole = cadence.occurrences(anchor, a, c)
    split = cadence.occurrences(anchor, a, b) + cadence.occurrences(
        anchor, b + timedelta(days=1), c
    )
    assert whole == split


# RFC 5545 section 3.8.5.3, the date-valued examples (times dropped). The Friday-13th example
# uses EXDATE for its DTSTART in the RFC; here the non-matching anchor is simply not a match.
RFC_EXAMPLES = [
    ("FREQ=DAILY;COUNT=10", "1997-09-02", "1997-09-02", 10, ["1997-09-02", "1997-09-11"]),
    ("FREQ=DAILY;UNTIL=19971224", "1997-09-02", "1997-09-02", 114, ["1997-09-02", "1997-12-24"]),
    ("FREQ=DAILY;INTERVAL=10;COUNT=5", "1997-09-02", "1997-09-02", 5, ["1997-09-02", "1997-10-12"]),
    (
        "FREQ=YEARLY;UNTIL=20000131;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        "1998-01-01",
        "1998-01-01",
        93,
        ["1998-01-01", "2000-01-31"],
    ),
    ("FREQ=WEEKLY;COUNT=10", "1997-09-02", "1997-09-02", 10, ["1997-09-02", "1997-11-04"]),
    (
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224;WKST=SU;BYDAY=MO,WE,FR",
        "1997-09-01",
        "1997-09-01",
        25,
        ["1997-09-01", "1997-12-22"],
    ),
    (
        "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
        "1997-09-05",
        "1997-09-05",
        10,
        ["1997-09-05", "1998-06-05"],
    ),
    (
        "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
        "1997-09-22",
        "1997-09-22",
        6,
        ["1997-09-22", "1998-02-16"],
    ),
    ("FREQ=MONTHLY;BYMONTHDAY=-3", "1997-09-28", "1997-09-28", 6, ["1997-09-28", "1998-02-26"]),
    (
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
        "1997-09-02",
        "1997-09-02",
        10,
        ["1997-09-02", "1998-01-15"],
    ),
    (
        "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
        "1997-06-10",
        "1997-06-10",
        10,
        ["1997-06-10", "2001-07-10"],
    ),
    (
        "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
        "1997-01-01",
        "1997-01-01",
        10,
        ["1997-01-01", "2006-01-01"],
    ),
    (
        "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
        "1997-05-12",
        "1997-05-12",
        3,
        ["1997-05-12", "1999-05-17"],
    ),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "1997-03-13", "1997-03-13", 7, ["1997-03-13", "1998-03-26"]),
    (
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        "1997-09-02",
        "1997-09-02",
        5,
        ["1998-02-13", "2000-10-13"],
    ),
    (
        "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
        "1997-09-13",
        "1997-09-13",
        10,
        ["1997-09-13", "1998-06-13"],
    ),
    (
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
        "1996-11-05",
        "1996-11-05",
        3,
        ["1996-11-05", "2004-11-02"],
    ),
    (
        "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
        "1997-09-04",
        "1997-09-04",
        3,
        ["1997-09-04", "1997-11-06"],
    ),
    (
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
        "1997-09-29",
        "1997-09-29",
        7,
        ["1997-09-29", "1998-03-30"],
    ),
    (
        "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
        "2007-01-15",
        "2007-01-15",
        5,
        ["2007-01-15", "2007-03-30"],
    ),
    (
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
        "1997-08-05",
        "1997-08-05",
        4,
        ["1997-08-05", "1997-08-24"],
    ),
    (
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
        "1997-08-05",
        "1997-08-05",
        4,
        ["1997-08-05", "1997-08-31"],
    ),
]


@pytest.mark.parametrize(("rule", "anchor", "start", "count", "first_last"), RFC_EXAMPLES)
def test_rfc_5545_examples(
    rule: str, anchor: str, start: str, count: int, first_last: list[str]
) -> None:
    """The first ``count`` occurrences, their first and last date, and dateutil agrees."""
    cadence = RRuleCadence(rule)
    found = cadence.dates(d(anchor), d(start), d("2010-12-31"))[:count]
    assert len(found) == count
    assert [found[0].isoformat(), found[-1].isoformat()] == first_last
    assert found == _reference(rule, d(anchor), d(start), found[-1])


def test_rfc_example_sequences_in_full() -> None:
    second_to_last_weekday = RRuleCadence("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2")
    assert [x.isoformat() for x in second_to_last_weekday.dates(
        d("1997-09-29"), d("1997-09-01"), d("1998-03-31")
    )] == [
        "1997-09-29", "1997-10-30", "1997-11-27", "1997-12-30", "1998-01-29", "1998-02-26",
        "1998-03-30",
    ]  # fmt: skip
    wkst_su = RRuleCadence("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU")
    assert [x.day for x in wkst_su.dates(d("1997-08-05"), d("1997-08-01"), d("1997-12-31"))] == [
        5,
        17,
        19,
        31,
    ]


# --- RRULE: validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "part"),
    [
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20260101", "UNTIL and COUNT"),
        ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=MONTHLY;INTERVAL=-1", "INTERVAL"),
        ("FREQ=MONTHLY;INTERVAL=x", "INTERVAL"),
        ("FREQ=MONTHLY;COUNT=0", "COUNT"),
        ("FREQ=FORTNIGHTLY", "FREQ"),
        ("FREQ=HOURLY", "FREQ"),
        ("INTERVAL=2", "FREQ"),
        ("FREQ=MONTHLY;FREQ=YEARLY", "FREQ"),
        ("FREQ=MONTHLY;BYFOO=1", "BYFOO"),
        ("FREQ=MONTHLY;DTSTART=20260101", "DTSTART"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR"),
        ("FREQ=DAILY;BYMINUTE=30", "BYMINUTE"),
        ("FREQ=WEEKLY;BYDAY=-1FR", "BYDAY"),
        ("FREQ=DAILY;BYDAY=2MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY"),
        ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=XX", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS"),
        ("FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYYEARDAY=1", "BYYEARDAY"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH"),
        ("FREQ=WEEKLY;WKST=XY", "WKST"),
        ("FREQ=DAILY;UNTIL=20260101T000000Z", "UNTIL"),
        ("FREQ=DAILY;UNTIL=20261301", "UNTIL"),
        ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL"),
        ("FREQ=DAILY;;COUNT=2", "NAME=VALUE"),
        ("", "NAME=VALUE"),
    ],
)
def test_rrule_validation_names_the_part(rule: str, part: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        RRuleCadence(rule)
    assert caught.value.path == "RRuleCadence.rule"
    assert part in caught.value.problem


def test_rrule_errors_list_the_allowed_names() -> None:
    with pytest.raises(InvalidValueError) as caught:
        RRuleCadence("FREQ=MONTHLY;BYEASTER=1")
    assert caught.value.allowed is not None
    assert "BYSETPOS" in caught.value.allowed
    with pytest.raises(InvalidValueError) as caught:
        RRuleCadence("FREQ=SECONDLY")
    assert caught.value.allowed == ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")


def test_rrule_text_is_normalised() -> None:
    assert RRuleCadence(" rrule:freq=monthly;bymonthday=-1 ").rule == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert RRuleCadence("FREQ=DAILY;UNTIL=20260105T235959").dates(
        d("2026-01-01"), d("2026-01-01"), d("2026-12-31")
    )[-1] == d("2026-01-05")


def test_rrule_anchor_must_be_a_date_of_the_person() -> None:
    with pytest.raises(InvalidValueError, match=r"RRuleCadence\.anchor"):
        RRuleCadence("FREQ=YEARLY", anchor="fixed_month")


def test_an_anchor_off_the_rule_is_normalised_to_the_first_match() -> None:
    fridays = RRuleCadence("FREQ=WEEKLY;BYDAY=FR")
    assert fridays.dates(d("2026-01-05"), d("2026-01-01"), d("2026-01-16")) == [
        d("2026-01-09"),
        d("2026-01-16"),
    ]
    # COUNT counts matches from the anchor, not the anchor itself.
    three = RRuleCadence("FREQ=MONTHLY;BYMONTHDAY=1;COUNT=3")
    assert three.dates(d("2026-01-15"), d("2026-01-01"), d("2026-12-31")) == [
        d("2026-02-01"),
        d("2026-03-01"),
        d("2026-04-01"),
    ]


# --- RRULE: bounds ----------------------------------------------------------------------------

HOSTILE = [
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
    "FREQ=WEEKLY;BYMONTH=4;BYDAY=MO;BYSETPOS=5",
    "FREQ=YEARLY;BYMONTH=1;BYYEARDAY=200",
]


@pytest.mark.parametrize("rule", HOSTILE)
def test_a_rule_that_never_matches_ends_with_a_limit_error(rule: str) -> None:
    cadence = RRuleCadence(rule)
    # The bound is counted work: a small one is reached, and named, whatever the machine.
    with pytest.raises(ExpansionLimitError, match=r"RRuleCadence\.rule"):
        cadence.next_after(d("2020-01-01"), d("2020-01-01"), max_iterations=20_000)
    # Over a planning window the same rule simply yields nothing, at the window's cost.
    assert cadence.occurrences(d("2020-01-01"), d("2026-01-01"), d("2026-12-31")) == []


def test_a_yearly_rule_dead_for_its_anchor_hits_the_end_of_the_calendar() -> None:
    # 29 February every 4 years from a common year never lands on a leap year.
    cadence = RRuleCadence("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29")
    with pytest.raises(ExpansionLimitError, match="9999"):
        cadence.next_after(d("2021-02-01"), d("2021-02-01"))
    assert cadence.next_after(d("2020-01-01"), d("2020-03-01")) == d("2024-02-29")


def test_the_iteration_bound_raises_and_is_the_only_bound() -> None:
    daily = RRuleCadence("FREQ=DAILY")
    with pytest.raises(ExpansionLimitError, match="examined 100 periods"):
        daily.occurrences(d("2020-01-01"), d("2020-01-01"), d("2021-01-01"), max_iterations=100)
    # 367 periods are enough for a year of days, on any machine and under any load.
    found = daily.occurrences(d("2020-01-01"), d("2020-01-01"), d("2021-01-01"), max_iterations=368)
    assert len(found) == 367
    with pytest.raises(TypeError):
        daily.occurrences(  # type: ignore[call-arg]
            d("2020-01-01"), d("2020-01-01"), d("2021-01-01"), max_seconds=0
        )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;COUNT=\u0661\u0660",
        "FREQ=DAILY;INTERVAL=\uff12",
        "FREQ=DA\u0131LY",
        "FREQ=WEEKLY;BYDAY=MO,\u0662TU",
        "FREQ=YEARLY;UNTIL=\u0662\u0660\u0662\u0666\u0660\u0661\u0660\u0661",
    ],
)
def test_rule_text_must_be_ascii(rule: str) -> None:
    with pytest.raises(InvalidValueError, match="not ASCII"):
        RRuleCadence(rule)


def test_rule_text_has_a_length_limit() -> None:
    with pytest.raises(InvalidValueError, match="at most 1000"):
        RRuleCadence("FREQ=DAILY;" + ";".join(["BYMONTH=1"] * 200))


def test_an_old_anchor_is_not_replayed() -> None:
    """Thirteen monthly periods suffice for a year's window whatever the anchor's age."""
    for rule in ("FREQ=MONTHLY", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;INTERVAL=5"):
        cadence = RRuleCadence(rule)
        for anchor in (d("1994-03-31"), d("2025-11-30")):
            found = cadence.dates(anchor, d("2026-01-01"), d("2026-12-31"), max_iterations=14)
            assert found == _reference(rule, anchor, d("2026-01-01"), d("2026-12-31"))
    weekly = RRuleCadence("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH")
    assert weekly.dates(d("1990-01-01"), d("2026-01-01"), d("2026-12-31"), max_iterations=20)
    daily = RRuleCadence("FREQ=DAILY;INTERVAL=7")
    assert daily.dates(d("1990-01-01"), d("2026-01-01"), d("2026-01-31"), max_iterations=6)


def test_a_count_rule_counts_from_its_anchor() -> None:
    counted = RRuleCadence("FREQ=MONTHLY;COUNT=500")
    with pytest.raises(ExpansionLimitError):
        counted.dates(d("1994-01-01"), d("2026-01-01"), d("2026-12-31"), max_iterations=50)
    found = counted.dates(d("1994-01-01"), d("2026-01-01"), d("2026-12-31"))
    assert found == _reference(counted.rule, d("1994-01-01"), d("2026-01-01"), d("2026-12-31"))
    # COUNT itself ends the work: a finished rule stops at its last occurrence.
    short = RRuleCadence("FREQ=DAILY;COUNT=3")
    assert short.dates(d("1990-01-01"), d("2026-01-01"), d("2026-12-31"), max_iterations=5) == []


# --- anniversary ------------------------------------------------------------------------------


@given(gs.dates, windows(3000), st.sampled_from(LeapDayPolicy))
def test_anniversaries_follow_the_leap_day_policy(
    anchor: date, window: tuple[date, date], policy: LeapDayPolicy
) -> None:
    start, end = window
    found = anniversary_dates(anchor, start, end, policy)
    for years, day in found:
        assert start <= day <= end
        assert day.year == anchor.year + years >= anchor.year + 1
        if (day.month, day.day) != (anchor.month, anchor.day):
            assert (anchor.month, anchor.day) == (2, 29)
            assert policy is not LeapDayPolicy.OMIT
            assert day == (
                date(day.year, 2, 28) if policy is LeapDayPolicy.FEB28 else d(f"{day.year}-03-01")
            )
    expected_years = [
        y
        for y in range(anchor.year + 1, end.year + 1)
        if not (
            (anchor.month, anchor.day) == (2, 29)
            and policy is LeapDayPolicy.OMIT
            and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0))
        )
    ]
    assert [anchor.year + n for n, _ in found] == [
        y for y in expected_years if start <= _on(anchor, y, policy) <= end
    ]


def _on(anchor: date, year: int, policy: LeapDayPolicy) -> date:
    try:
        return anchor.replace(year=year)
    except ValueError:
        return date(year, 2, 28) if policy is LeapDayPolicy.FEB28 else date(year, 3, 1)


@pytest.mark.parametrize(
    ("policy", "portable"),
    [
        (LeapDayPolicy.FEB28, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"),
        (LeapDayPolicy.MAR1, "FREQ=YEARLY;BYYEARDAY=60"),
        (LeapDayPolicy.OMIT, "FREQ=YEARLY"),
    ],
)
def test_leap_day_policies_match_their_portable_rrules(
    policy: LeapDayPolicy, portable: str
) -> None:
    anchor = d("1996-02-29")
    start, end = d("1996-03-01"), d("2040-12-31")
    ours = [day for _, day in anniversary_dates(anchor, start, end, policy)]
    assert ours == RRuleCadence(portable).dates(anchor, start, end)
    assert len(ours) == (44 if policy is not LeapDayPolicy.OMIT else 11)


def test_anniversary_through_expand_uses_the_persons_policy() -> None:
    person = Person(id="e-1", name="Bo", hire_date=d("2020-02-29"), leap_day_policy="mar1")
    found = expand(
        Anniversary(),
        person=person,
        cycle_start=d("2026-01-01"),
        events=(),
        start=d("2026-01-01"),
        end=d("2028-12-31"),
    )
    assert found == [
        Occurrence("y6", d("2026-03-01")),
        Occurrence("y7", d("2027-03-01")),
        Occurrence("y8", d("2028-02-29")),
    ]
    with pytest.raises(InvalidValueError, match=r"Anniversary\.of"):
        Anniversary(of="fixed_month")


# --- lifecycle offsets ----------------------------------------------------------------------


def add_working_days(day: date, n: int) -> date:
    """Monday to Friday only; a stand-in for a calendar."""
    step = 1 if n >= 0 else -1
    while n:
        day += timedelta(days=step)
        if day.weekday() < 5:
            n -= step
    return day


ANNA = Person(id="e-1", name="Anna", hire_date=d("2026-01-05"), end_date=d("2026-12-31"))


def _expand(cadence: Cadence, events: list[LifeEvent], person: Person = ANNA) -> list[Occurrence]:
    return expand(
        cadence,
        person=person,
        cycle_start=d("2026-01-01"),
        events=events,
        start=d("2025-01-01"),
        end=d("2027-12-31"),
        add_working_days=add_working_days,
    )


def test_onboarding_offsets_count_from_the_hire_date() -> None:
    days = [_expand(LifecycleOffset("hired", n), [])[0].nominal for n in (30, 60, 90)]
    assert days == [d("2026-02-04"), d("2026-03-06"), d("2026-04-05")]
    probation = LifecycleOffset("hired", -1, offset_months=2, label="end of probation")
    assert _expand(probation, []) == [Occurrence("hired:2026-01-05:+2m-1d", d("2026-03-04"))]


def test_exit_interview_counts_working_days_back_from_the_last_day() -> None:
    exit_interview = LifecycleOffset("last_day", -5, working_days=True)
    # 2026-12-31 is a Thursday: five working days before is Thursday 24 December.
    assert _expand(exit_interview, []) == [Occurrence("last_day:2026-12-31:-5wd", d("2026-12-24"))]
    with pytest.raises(InvalidValueError, match="add_working_days"):
        exit_interview.date_for(d("2026-12-31"))


def test_lifecycle_offsets_follow_each_reported_event() -> None:
    def ev(kind: str, day: str, person: str = "e-1") -> LifeEvent:
        return LifeEvent(on=d(day), person_id=person, kind=kind)

    events = [
        ev("sick_report", "2026-03-02"),
        ev("sick_report", "2026-03-02"),  # reported twice: one conversation
        ev("sick_report", "2026-06-01"),
        ev("sick_report", "2026-06-08", person="e-2"),
        ev("leave_ended", "2026-09-01"),
    ]
    sick = _expand(LifecycleOffset("sick_report", 1), events)
    assert [o.key for o in sick] == ["sick_report:2026-03-02:+1d", "sick_report:2026-06-01:+1d"]
    back = _expand(LifecycleOffset("leave_ended", 14), events)
    assert back == [Occurrence("leave_ended:2026-09-01:+14d", d("2026-09-15"))]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"event": "fired"}, "LifeEventKind"),
        ({"event": "hired", "offset_days": 1.5}, "LifecycleOffset.offset_days"),
        ({"event": "hired", "offset_months": "2"}, "LifecycleOffset.offset_months"),
        ({"event": "hired", "label": " "}, "LifecycleOffset.label"),
    ],
)
def test_lifecycle_validation_names_the_field(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidValueError, match=path):
        LifecycleOffset(**kwargs)  # type: ignore[arg-type]


# --- thresholds -------------------------------------------------------------------------------


def _spells(*pairs: tuple[str, str | None]) -> list[LifeEvent]:
    events = []
    for sick, back in pairs:
        events.append(LifeEvent(on=d(sick), person_id="e-1", kind="sick_report"))
        if back is not None:
            events.append(LifeEvent(on=d(back), person_id="e-1", kind="recovery"))
    return events


def test_third_sick_report_within_a_year_plans_a_talk_after_recovery() -> None:
    frequent = Threshold(offset_days=3)
    events = _spells(
        ("2026-01-05", "2026-01-07"),
        ("2026-05-04", "2026-05-06"),
        ("2026-11-02", "2026-11-09"),
        ("2026-11-23", "2026-11-25"),
    )
    found = _expand(frequent, events)
    assert found == [Occurrence("trigger:2026-11-02", d("2026-11-12"))]
    # A fourth report does not trigger again: the count restarted after the third.
    assert frequent.triggers(events) == [d("2026-11-02")]


def test_threshold_waits_for_the_recovery_and_respects_the_window() -> None:
    events = _spells(
        ("2026-01-05", "2026-01-07"), ("2026-05-04", "2026-05-06"), ("2026-11-02", None)
    )
    assert _expand(Threshold(), events) == []
    assert _expand(Threshold(after=None), events) == [
        Occurrence("trigger:2026-11-02", d("2026-11-02"))
    ]
    spread = _spells(
        ("2025-01-05", "2025-01-07"), ("2025-06-04", "2025-06-06"), ("2026-01-05", None)
    )
    assert Threshold(window_days=365).triggers(spread) == []
    assert Threshold(window_days=366).triggers(spread) == [d("2026-01-05")]


@given(st.lists(gs.dates, max_size=12), st.integers(1, 4), st.integers(1, 400))
def test_threshold_keys_do_not_change_when_later_events_arrive(
    days: list[date], count: int, window: int
) -> None:
    threshold = Threshold(count=count, window_days=window, after=None)
    events = [LifeEvent(on=day, person_id="e-1", kind="sick_report") for day in sorted(days)]
    full = threshold.triggers(events)
    for cut in range(len(events) + 1):
        earlier = threshold.triggers(events[:cut])
        expected = [day for day in full if day <= events[cut - 1].on] if cut else []
        assert earlier == expected


# --- answer triggers --------------------------------------------------------------------------


def test_answer_triggers_from_the_catalog_examples() -> None:
    leaving = AnswerTrigger(
        "growth_review", "considering_leaving", "equals", True, "stay_interview", 14
    )
    assert leaving.fires({"considering_leaving": True})
    assert not leaving.fires({"considering_leaving": False})
    assert not leaving.fires({})
    assert leaving.follow_up(d("2026-03-02")) == (d("2026-03-03"), d("2026-03-16"))
    low = AnswerTrigger("wellbeing", "wellbeing_score", "at_most", 2, "check_in", 7)
    assert [low.fires({"wellbeing_score": s}) for s in (1, 2, 3, 2.5)] == [
        True,
        True,
        False,
        False,
    ]
    assert not low.fires({"wellbeing_score": None})
    with pytest.raises(InvalidValueError, match="answers\\['wellbeing_score'\\]"):
        low.fires({"wellbeing_score": "low"})
    high = AnswerTrigger("check_in", "workload", "at_least", 4, "wellbeing", 10)
    assert high.fires({"workload": 5})
    with pytest.raises(InvalidValueError, match="needs a number"):
        high.fires({"workload": True})


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"operator": "below"}, "AnswerOperator"),
        ({"operator": "at_most", "value": "2"}, "AnswerTrigger.value"),
        ({"operator": "at_least", "value": True}, "AnswerTrigger.value"),
        ({"value": 1.5}, "AnswerTrigger.value"),
        ({"within_days": 0}, "AnswerTrigger.within_days"),
        ({"type_key": ""}, "AnswerTrigger.type_key"),
    ],
)
def test_answer_trigger_validation_names_the_field(kwargs: dict[str, object], path: str) -> None:
    base: dict[str, object] = {
        "type_key": "growth_review",
        "question_key": "q",
        "operator": "equals",
        "value": True,
        "schedule_type": "stay_interview",
        "within_days": 14,
    }
    with pytest.raises(InvalidValueError, match=path):
        AnswerTrigger(**{**base, **kwargs})  # type: ignore[arg-type]


# --- expand -------------------------------------------------------------------------------------


def test_expand_clips_to_employment() -> None:
    leaver = Person(id="e-9", name="Cas", hire_date=d("2026-03-15"), end_date=d("2026-08-10"))
    found = expand(
        Interval(every=1, unit="months", anchor="cycle_start"),
        person=leaver,
        cycle_start=d("2026-01-01"),
        events=(),
        start=d("2026-01-01"),
        end=d("2026-12-31"),
    )
    assert [o.key for o in found] == ["n3", "n4", "n5", "n6", "n7"]
    rule = RRuleCadence("FREQ=MONTHLY;BYMONTHDAY=-1", anchor="cycle_start")
    found = expand(
        rule,
        person=leaver,
        cycle_start=d("2026-01-01"),
        events=(),
        start=d("2026-01-01"),
        end=d("2026-12-31"),
    )
    assert [o.nominal.isoformat() for o in found] == [
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
        "2026-06-30",
        "2026-07-31",
    ]


# --- round-trips ------------------------------------------------------------------------------


@frozen
class Holder:
    cadence: Cadence


@given(gs.cadences)
def test_every_cadence_round_trips_as_a_tagged_union(cadence: Cadence) -> None:
    data = to_data(Holder(cadence))
    assert data["cadence"]["kind"] == type(cadence).KIND
    assert from_data(Holder, data) == Holder(cadence)
    assert loads(Holder, dumps(Holder(cadence))) == Holder(cadence)
    assert from_data(type(cadence), to_data(cadence)) == cadence


@given(gs.answer_triggers)
def test_answer_triggers_round_trip(trigger: AnswerTrigger) -> None:
    assert from_data(AnswerTrigger, to_data(trigger)) == trigger


@given(gs.texts, gs.dates)
def test_occurrences_round_trip(key: str, day: date) -> None:
    occurrence = Occurrence(key, day)
    assert from_data(Occurrence, to_data(occurrence)) == occurrence


def test_stored_rules_are_validated_on_the_way_in() -> None:
    with pytest.raises(SerializationError, match=r"BYHOUR.*\$\.cadence"):
        from_data(Holder, {"cadence": {"kind": "rrule", "rule": "FREQ=DAILY;BYHOUR=9"}})
    with pytest.raises(SerializationError, match=r"\$\.cadence"):
        from_data(Holder, {"cadence": {"kind": "interval", "every": "2", "unit": "months"}})


def test_kinds_are_known() -> None:
    kinds = {cls.KIND for cls in (Interval, RRuleCadence, Anniversary, LifecycleOffset, Threshold)}
    assert kinds == {"interval", "rrule", "anniversary", "lifecycle", "threshold"}
    assert {e.value for e in LifeEventKind} >= {"hired", "last_day", "sick_report", "recovery"}


# --- RRULE: rules that never produce a date --------------------------------------------------


@given(gs.rrule_cadences, gs.dates)
def test_a_rule_said_to_produce_nothing_gives_no_date(cadence: RRuleCadence, anchor: date) -> None:
    found = cadence.dates(anchor, anchor, min(anchor + timedelta(days=30 * 366), date(9999, 1, 1)))
    if found:
        assert cadence.produces_from(anchor)
    elif not any(part in cadence.rule for part in ("INTERVAL", "UNTIL", "FREQ=YEARLY")):
        # Thirty years of an interval-1 monthly, weekly or daily rule without a date: its
        # days of the month and weekdays have all come round, so none will ever come.
        assert not cadence.produces_from(anchor)


@given(gs.rrule_cadences, gs.dates)
def test_a_yearly_or_monthly_rule_said_to_produce_gives_a_date(
    cadence: RRuleCadence, anchor: date
) -> None:
    assume("FREQ=YEARLY" in cadence.rule or "FREQ=MONTHLY" in cadence.rule)
    if cadence.produces_from(anchor):
        try:
            first = cadence.next_after(anchor, anchor - timedelta(days=1), max_iterations=5000)
        except ExpansionLimitError:
            first = None
        assert first is not None or "COUNT" in cadence.rule or "UNTIL" in cadence.rule


@pytest.mark.parametrize(
    ("rule", "anchor", "expected"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2026-01-01", False),
        ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "2026-01-01", False),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "2026-01-01", False),
        ("FREQ=WEEKLY;BYMONTH=4;BYDAY=MO;BYSETPOS=5", "2026-01-01", False),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "2026-01-06", False),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "2026-01-05", True),
        ("FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29", "2026-01-01", True),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "2026-01-01", True),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2021-01-01", False),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2020-01-01", True),
        ("FREQ=YEARLY;BYMONTH=2", "2026-01-30", False),  # the 30th, taken from DTSTART
        ("FREQ=YEARLY;BYMONTH=2", "2026-01-29", True),  # 29 February in leap years
        ("FREQ=YEARLY;UNTIL=20200101", "2026-01-01", False),
        ("FREQ=DAILY;UNTIL=20260105;BYDAY=FR", "2026-01-01", True),
        ("FREQ=DAILY;UNTIL=20260101;BYDAY=FR", "2026-01-01", False),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2026-01-01", True),
    ],
)
def test_rules_that_never_produce_are_recognised(rule: str, anchor: str, expected: bool) -> None:
    assert RRuleCadence(rule).produces_from(d(anchor)) is expected
