"""Local wall time around daylight saving time changes.

Transitions from the IANA tz database: Europe/Amsterdam goes from 02:00 CET to 03:00 CEST on
29 March 2026 and from 03:00 CEST back to 02:00 CET on 25 October 2026 (EU directive
2000/84/EC: last Sundays of March and October, 01:00 UTC); America/New_York springs forward
at 02:00 on 8 March 2026; Australia/Lord_Howe moves only 30 minutes, 02:00 → 02:30 on
4 October 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.calendar import is_ambiguous, is_nonexistent, localize
from gesprekscyclus.errors import InvalidValueError

from . import strategies as gs

AMS = "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("day", "wall", "zone", "expected"),
    [
        # Spring gap in Amsterdam: 02:00–02:59 do not exist; they move forward one hour.
        (date(2026, 3, 29), time(1, 59), AMS, "2026-03-29T01:59:00+01:00"),
        (date(2026, 3, 29), time(2, 0), AMS, "2026-03-29T03:00:00+02:00"),
        (date(2026, 3, 29), time(2, 30), AMS, "2026-03-29T03:30:00+02:00"),
        (date(2026, 3, 29), time(2, 59, 59), AMS, "2026-03-29T03:59:59+02:00"),
        (date(2026, 3, 29), time(3, 0), AMS, "2026-03-29T03:00:00+02:00"),
        # Autumn fold in Amsterdam: 02:00–02:59 happen twice; the first (summer time) wins.
        (date(2026, 10, 25), time(1, 59), AMS, "2026-10-25T01:59:00+02:00"),
        (date(2026, 10, 25), time(2, 0), AMS, "2026-10-25T02:00:00+02:00"),
        (date(2026, 10, 25), time(2, 30), AMS, "2026-10-25T02:30:00+02:00"),
        (date(2026, 10, 25), time(3, 0), AMS, "2026-10-25T03:00:00+01:00"),
        # Other zones.
        (date(2026, 3, 8), time(2, 30), "America/New_York", "2026-03-08T03:30:00-04:00"),
        (date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe", "2026-10-04T02:45:00+11:00"),
        (date(2026, 3, 29), time(2, 30), "UTC", "2026-03-29T02:30:00+00:00"),
    ],
)
def test_localize_around_dst(day: date, wall: time, zone: str, expected: str) -> None:
    assert localize(day, wall, zone).isoformat() == expected


def test_gap_and_fold_are_detected() -> None:
    assert is_nonexistent(date(2026, 3, 29), time(2, 30), AMS)
    assert not is_nonexistent(date(2026, 3, 29), time(3, 0), AMS)
    assert not is_ambiguous(date(2026, 3, 29), time(2, 30), AMS)
    assert is_ambiguous(date(2026, 10, 25), time(2, 30), AMS)
    assert not is_ambiguous(date(2026, 10, 25), time(3, 0), AMS)
    assert not is_nonexistent(date(2026, 10, 25), time(2, 30), AMS)


def test_ambiguous_time_is_the_first_occurrence() -> None:
    moment = localize(date(2026, 10, 25), time(2, 30), AMS)
    assert moment.fold == 0
    assert moment.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_weekly_conversation_keeps_its_wall_time_across_dst() -> None:
    mondays = [date(2026, 3, 23) + timedelta(weeks=week) for week in range(3)]
    moments = [localize(day, time(9, 30), AMS) for day in mondays]
    assert [moment.time() for moment in moments] == [time(9, 30)] * 3
    assert [moment.astimezone(UTC).time() for moment in moments] == [
        time(8, 30),  # CET, +01:00
        time(7, 30),  # CEST, +02:00
        time(7, 30),
    ]


def test_bad_input_is_rejected() -> None:
    with pytest.raises(InvalidValueError, match="zone: unknown IANA time zone 'Mars/Base'"):
        localize(date(2026, 1, 5), time(9), "Mars/Base")
    with pytest.raises(InvalidValueError, match="wall: must be a local wall time"):
        localize(date(2026, 1, 5), time(9, tzinfo=UTC), AMS)
    with pytest.raises(InvalidValueError, match="day: must be a date"):
        localize(datetime(2026, 1, 5, 9), time(9), AMS)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    st.times(),
    gs.time_zones | st.sampled_from(["Australia/Lord_Howe", "Europe/London", "Asia/Tehran"]),
)
def test_localize_always_names_a_real_instant(day: date, wall: time, zone: str) -> None:
    moment = localize(day, wall, zone)
    # It survives a round trip through UTC unchanged: a real, unambiguous reading.
    assert moment.astimezone(UTC).astimezone(moment.tzinfo) == moment
    assert moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == (
        moment.replace(tzinfo=None)
    )
    naive = datetime.combine(day, wall)
    if is_nonexistent(day, wall, zone):
        shift = moment.replace(tzinfo=None) - naive
        assert timedelta(0) < shift <= timedelta(hours=2)
    else:
        assert moment.replace(tzinfo=None) == naive
        assert moment.fold == 0
