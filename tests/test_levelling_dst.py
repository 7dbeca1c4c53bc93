"""Levelling moves a conversation to another day at the wall time the design planned."""

from __future__ import annotations

from datetime import date, time

from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.planning.design import Capacity, CycleDesign, TypeRule
from gesprekscyclus.planning.planner import plan

WEEKEND_AND_MONDAY = WorkingPattern.of("sun", "mon")


def _people(count: int) -> list[Person]:
    manager = Person(
        id="m", name="Mo", hire_date=date(2020, 1, 6), working_pattern=WEEKEND_AND_MONDAY
    )
    staff = [
        Person(
            id=f"e{index}",
            name=f"E{index}",
            hire_date=date(2020, 1, 6),
            manager_id="m",
            working_pattern=WEEKEND_AND_MONDAY,
        )
        for index in range(count)
    ]
    return [manager, *staff]


def _design(wall: time, day: int, *, default: bool = False) -> CycleDesign:
    rule = TypeRule(
        type="check_in",
        convention="following",
        cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3, day=day),),
        time=None if default else wall,
        window_after=7,
    )
    return CycleDesign(
        name="dst",
        cycle_start=date(2026, 1, 1),
        types=(rule,),
        capacity=Capacity(per_day=1, per_week=10),
        default_time=wall if default else None,
    )


def _starts(design: CycleDesign, count: int) -> list[str]:
    result = plan(design, _people(count), start=date(2026, 3, 1), end=date(2026, 4, 30))
    return sorted(c.starts_at.isoformat() for c in result.conversations if c.starts_at)


def test_a_conversation_moved_off_the_spring_forward_day_keeps_its_planned_time() -> None:
    # Sunday 29 March 2026: 02:30 does not exist in Europe/Amsterdam and becomes 03:30.
    # The second conversation moves to Monday, where 02:30 exists: it starts at 02:30.
    assert _starts(_design(time(2, 30), 29), 2) == [
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:30:00+02:00",
    ]


def test_the_design_default_time_is_kept_as_well() -> None:
    assert _starts(_design(time(2, 30), 29, default=True), 2) == [
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:30:00+02:00",
    ]


def test_a_conversation_moved_onto_the_change_follows_the_gap_rule() -> None:
    # Planned on Monday 30 March; the full day sends the second one to the Sunday before,
    # where 02:30 does not exist: it starts at 03:30, as on any day with that gap.
    assert _starts(_design(time(2, 30), 30), 2) == [
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:30:00+02:00",
    ]
