"""The planner says why a conversation left its nominal date (``PlannedConversation.moved_by``)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings

from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.calendar import Closure, WorkingCalendar
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.planning.design import Capacity, CycleDesign, TypeRule
from gesprekscyclus.planning.planner import plan
from gesprekscyclus.planning.planner.rows import MOVE_REASONS

from .test_planner_properties import designs, horizons, organisations

BOSS = Person(id="boss", name="Bo", hire_date=date(2010, 1, 1))


def monthly(day: int = 1, *, pause: bool = False) -> TypeRule:
    rhythm = Interval(every=1, unit="months", anchor="fixed_month", month=1, day=day)
    return TypeRule(type="check_in", cadence=(rhythm,), pause_during_absence=pause)


def reasons(result_plan, employee_id: str) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {
        c.nominal.isoformat(): c.moved_by
        for c in result_plan.conversations
        if c.employee_id == employee_id
    }


def test_holidays_weekends_part_time_and_closures_are_named() -> None:
    calendar = WorkingCalendar(closures=(Closure(date(2026, 6, 1), date(2026, 6, 5), "Zomer"),))
    design = CycleDesign(
        name="d", cycle_start=date(2026, 1, 1), types=(monthly(),), calendar=calendar
    )
    people = [
        BOSS,
        Person(id="e", name="Eva", hire_date=date(2020, 1, 1), manager_id="boss"),
        Person(
            id="p",
            name="Pim",
            hire_date=date(2020, 1, 1),
            manager_id="boss",
            working_pattern=WorkingPattern.of("tue"),
        ),
    ]
    result = plan(design, people, start=date(2026, 1, 1), end=date(2026, 12, 31))
    eva = reasons(result, "e")
    assert eva["2026-01-01"] == ("holiday",)  # New Year's Day
    assert eva["2026-02-01"] == ("weekend",)  # a Sunday
    assert eva["2026-06-01"] == ("closure",)
    assert eva["2026-04-01"] == ()  # a Wednesday: stays
    pim = reasons(result, "p")
    assert pim["2026-04-01"] == ("part_time",)
    for conversation in result.conversations:
        assert (conversation.target != conversation.nominal) == bool(conversation.moved_by)


def test_capacity_levelling_adds_its_reason() -> None:
    design = CycleDesign(
        name="d",
        cycle_start=date(2026, 1, 1),
        types=(monthly(4),),
        capacity=Capacity(per_day=1, per_week=5),
    )
    people = [BOSS] + [
        Person(id=f"e{n}", name=f"E {n}", hire_date=date(2020, 1, 1), manager_id="boss")
        for n in range(3)
    ]
    result = plan(design, people, start=date(2026, 3, 1), end=date(2026, 3, 31))
    march = {c.employee_id: c for c in result.conversations}
    assert march["e0"].moved_by == ()  # Wednesday 4 March has room for one
    assert {march["e1"].moved_by, march["e2"].moved_by} == {("capacity",)}
    assert {march["e1"].target, march["e2"].target} == {date(2026, 3, 3), date(2026, 3, 5)}


def test_a_paused_conversation_moves_to_the_first_day_back() -> None:
    design = CycleDesign(name="d", cycle_start=date(2026, 1, 1), types=(monthly(3, pause=True),))
    people = [BOSS, Person(id="e", name="Eva", hire_date=date(2020, 1, 1), manager_id="boss")]
    events = [
        LifeEvent(on=date(2026, 2, 23), person_id="e", kind="sick_report"),
        LifeEvent(on=date(2026, 3, 7), person_id="e", kind="recovery"),  # a Saturday
    ]
    result = plan(design, people, events, start=date(2026, 1, 1), end=date(2026, 4, 30))
    march = next(c for c in result.conversations if c.nominal == date(2026, 3, 3))
    assert march.moved_by == ("absence_pause", "weekend")
    assert march.target == date(2026, 3, 9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(capacity=True), organisations(), horizons)
def test_every_move_has_a_known_reason(design, org, horizon) -> None:  # type: ignore[no-untyped-def]
    people, events = org
    result = plan(design, people, events, start=horizon[0], end=horizon[1])
    for conversation in result.conversations:
        assert set(conversation.moved_by) <= set(MOVE_REASONS)
        if conversation.target != conversation.nominal and conversation.origin == "cadence":
            assert conversation.moved_by, conversation
