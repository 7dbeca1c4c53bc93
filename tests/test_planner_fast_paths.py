"""The planner's shortcuts against plain computations of the same thing.

The planner memoises what many people share (rhythms from the cycle start, adjusted days,
windows), builds its conversations without ``__init__``, resumes free-day scans while
levelling and pauses the garbage collector. These tests pin that none of it changes a plan.
"""

from __future__ import annotations

import gc
import pickle
import random
import weakref
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gesprekscyclus.planning.planner as planner_package
from gesprekscyclus.domain.cadence import Anniversary, Interval, LifecycleOffset
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, Role, WorkingPattern
from gesprekscyclus.examples import load_reference
from gesprekscyclus.planning.design import Capacity, CycleDesign, DropNear, Population, TypeRule
from gesprekscyclus.planning.planner import (
    FIRST_PLAN_DAY,
    LAST_PLAN_DAY,
    Plan,
    PlannedConversation,
    plan,
    plan_margin_days,
)
from gesprekscyclus.planning.planner.context import _Run
from gesprekscyclus.planning.planner.rows import _conversations, _Row

from . import strategies as gs
from . import test_planner_properties as properties

START, END = date(2026, 1, 1), date(2026, 12, 31)
PATTERNS = (
    WorkingPattern(),
    WorkingPattern.of("mon", "tue", "wed", "thu"),
    WorkingPattern.of("tue", "wed", "thu", "fri"),
)
WITH_MANAGER = frozenset(
    key
    for key in built_in_catalog().keys()  # noqa: SIM118 - a Catalog is not a dict
    if Role.MANAGER in built_in_catalog().type(key).participants
)


def _design(capacity: Capacity | None) -> CycleDesign:
    return CycleDesign(
        name="fast paths",
        cycle_start=START,
        types=(
            TypeRule(
                type="check_in",
                convention="nearest",
                cadence=(Interval(every=1, unit="months", anchor="cycle_start"),),
                time=time(9, 30),
            ),
            TypeRule(
                type="growth_review",
                cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3),),
                window_after=30,
            ),
            TypeRule(type="development", cadence=(Anniversary(),), window_after=30),
            TypeRule(
                type="stay_interview",
                cadence=(
                    LifecycleOffset("hired", offset_months=6),
                    Interval(every=1, unit="years", anchor="hire_date"),
                ),
            ),
            TypeRule(
                type="onboarding",
                cadence=(LifecycleOffset("hired", 30), LifecycleOffset("hired", 90)),
            ),
            TypeRule(type="absence"),
        ),
        interactions=(DropNear(drop="check_in", near="growth_review", within_days=10),),
        capacity=capacity,
    )


def _organisation(count: int, seed: int) -> tuple[list[Person], list[LifeEvent]]:
    """Teams of about eight, hires over ten years, leavers, part-timers and sick reports."""
    rng = random.Random(seed)
    people = [Person(id="boss", name="Boss", hire_date=date(2000, 1, 1))]
    events: list[LifeEvent] = []
    manager = "boss"
    for index in range(count):
        hired = date(2017, 1, 1) + timedelta(days=rng.randrange(3650))
        leaves = rng.random() < 0.1
        person = Person(
            id=f"p{index:04d}",
            name=f"Person {index}",
            hire_date=hired,
            end_date=hired + timedelta(days=rng.randrange(60, 3000)) if leaves else None,
            manager_id=manager if index % 8 else "boss",
            working_pattern=rng.choice(PATTERNS),
        )
        people.append(person)
        if index % 8 == 0:
            manager = person.id
        if rng.random() < 0.1:
            sick = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
            if sick >= hired:
                events.append(LifeEvent(on=sick, person_id=person.id, kind="sick_report"))
                back = sick + timedelta(days=rng.randrange(1, 60))
                events.append(LifeEvent(on=back, person_id=person.id, kind="recovery"))
    return people, events


def test_planned_conversations_have_plain_fields_so_the_fast_build_is_exact() -> None:
    for attribute in attrs.fields(PlannedConversation):
        assert attribute.validator is None, attribute.name
        assert attribute.converter is None, attribute.name
    day = date(2026, 3, 2)
    moment = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    row: list[Any] = ["id", "check_in", "e", "m", "n2", day, day - timedelta(days=7), day]
    row += [day + timedelta(days=14), moment, "absence", "law", "week_6", ("holiday",)]
    (built,) = _conversations([_Row(*row)])
    made = PlannedConversation(*row)
    assert built == made
    assert [getattr(built, field.name) for field in attrs.fields(PlannedConversation)] == row
    assert type(built) is PlannedConversation
    assert (repr(built), hash(built)) == (repr(made), hash(made))
    assert attrs.evolve(built, target=day) == attrs.evolve(made, target=day)
    assert pickle.loads(pickle.dumps(built)) == made
    assert weakref.ref(built)() is built
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.target = day  # type: ignore[misc]


@pytest.mark.parametrize("seed", [1, 2])
def test_planning_everyone_at_once_gives_each_person_their_own_plan(seed: int) -> None:
    # Without capacity a person's conversations depend on nobody else, so the shared memos
    # of one run must give exactly what planning that person alone gives.
    design = _design(capacity=None)
    people, events = _organisation(120, seed)
    together = plan(design, people, events, start=START, end=END)
    by_id = {person.id: person for person in people}
    for person in people[1::7]:
        alone_people = [person] + ([by_id[person.manager_id]] if person.manager_id else [])
        own_events = [event for event in events if event.person_id == person.id]
        alone = plan(design, alone_people, own_events, start=START, end=END)
        assert [c for c in together.conversations if c.employee_id == person.id] == [
            c for c in alone.conversations if c.employee_id == person.id
        ]
        assert [s for s in together.skipped if s.employee_id == person.id] == [
            s for s in alone.skipped if s.employee_id == person.id
        ]


def _reference_level(
    unlevelled: Plan, people: dict[str, Person], design: CycleDesign, capacity: Capacity
) -> tuple[dict[str, date], set[str]]:
    """Levelling done the plain way: per manager, nearest free working day by date."""
    groups: dict[str, list[PlannedConversation]] = defaultdict(list)
    for conversation in unlevelled.conversations:
        if conversation.manager_id is not None and conversation.type_key in WITH_MANAGER:
            groups[conversation.manager_id].append(conversation)
    targets: dict[str, date] = {}
    conflicts: set[str] = set()
    for manager_id in sorted(groups):
        per_day: dict[date, int] = defaultdict(int)
        per_week: dict[tuple[int, int], int] = defaultdict(int)
        for c in sorted(groups[manager_id], key=lambda c: (c.latest, c.target, c.id)):
            patterns = [people[c.employee_id].working_pattern]
            if manager_id in people:
                patterns.append(people[manager_id].working_pattern)
            candidates = [c.target]
            for distance in range(1, 400):
                candidates += [c.target - timedelta(distance), c.target + timedelta(distance)]
            chosen = None
            for day in candidates:
                if not c.earliest <= day <= c.latest:
                    continue
                if day != c.target and not design.calendar.is_working_day(day, *patterns):
                    continue
                week = day.isocalendar()[:2]
                if per_day[day] < capacity.per_day and per_week[week] < capacity.per_week:
                    chosen = day
                    break
            if chosen is None:
                conflicts.add(c.id)
                chosen = c.target
            per_day[chosen] += 1
            per_week[chosen.isocalendar()[:2]] += 1
            targets[c.id] = chosen
    return targets, conflicts


@pytest.mark.parametrize("capacity", [Capacity(per_day=1, per_week=3), Capacity(2, 6)])
def test_levelling_matches_a_plain_nearest_free_day_search(capacity: Capacity) -> None:
    assert _check_levelling(capacity, seed=5) > 0  # the organisation does need levelling


@settings(max_examples=12, deadline=None)
@given(
    per_day=st.integers(1, 4),
    extra_per_week=st.integers(0, 12),
    seed=st.integers(0, 2**16),
    size=st.integers(20, 120),
)
def test_levelling_matches_the_plain_search_on_random_organisations(
    per_day: int, extra_per_week: int, seed: int, size: int
) -> None:
    _check_levelling(Capacity(per_day, per_day + extra_per_week), seed=seed, size=size)


def _check_levelling(capacity: Capacity, *, seed: int, size: int = 160) -> int:
    """Compare the planner's levelling with :func:`_reference_level`; the count of moves."""
    people, events = _organisation(size, seed=seed)
    by_id = {person.id: person for person in people}
    # The planner levels its margin too (conversations just outside the horizon take room
    # inside it), so the reference levels the same wider stretch.
    margin = timedelta(days=plan_margin_days(_design(capacity)))
    unlevelled = plan(
        _design(capacity=None), people, events, start=START - margin, end=END + margin
    )
    levelled = plan(_design(capacity=capacity), people, events, start=START, end=END)
    assert levelled.conversations
    targets, conflicts = _reference_level(unlevelled, by_id, _design(capacity), capacity)
    moved = 0
    for conversation in levelled.conversations:
        expected = targets.get(conversation.id)
        if expected is None:  # not levelled: no manager in the conversation
            assert conversation in unlevelled.conversations
            continue
        assert conversation.target == expected, conversation.id
        if conversation.starts_at is not None:
            assert conversation.starts_at.date() == expected
            assert conversation.starts_at.time() == time(9, 30)
        moved += expected != unlevelled.by_id()[conversation.id].target
    return moved
    inside = {conversation.id for conversation in levelled.conversations}
    assert {conflict.conversation_id for conflict in levelled.conflicts} == conflicts & inside


def test_the_garbage_collector_is_left_as_it_was() -> None:
    people, events = _organisation(10, seed=3)
    assert gc.isenabled()
    plan(_design(capacity=Capacity()), people, events, start=START, end=END)
    assert gc.isenabled()
    gc.disable()
    try:
        plan(_design(capacity=Capacity()), people, events, start=START, end=END)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _outcome(design: CycleDesign, people: Any, events: Any, start: date, end: date) -> object:
    """The plan, or the error planning raised (both paths must refuse alike)."""
    try:
        return plan(design, people, events, start=start, end=end)
    except Exception as error:
        return (type(error), str(error))


def _per_person(design: CycleDesign, people: Any, events: Any, start: date, end: date) -> object:
    """What the plan is when every occurrence takes the per-person path (no templates)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_Run, "columns", False)
        return _outcome(design, people, events, start, end)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    gs.cycle_designs(),
    gs.staff(max_size=10).flatmap(
        lambda people: st.tuples(st.just(people), gs.staff_events(people))
    ),
    st.integers(30, 500),
)
def test_shared_rhythm_templates_give_the_per_person_plan(
    design: CycleDesign, organisation: Any, days: int
) -> None:
    people, events = organisation
    start = max(design.cycle_start, FIRST_PLAN_DAY + timedelta(days=366))
    end = min(start + timedelta(days=days), LAST_PLAN_DAY - timedelta(days=800))
    assume(start <= end)
    # Same conversations in the same order, ids, moves, conflicts, skipped and obligations.
    expected = _per_person(design, people, events, start, end)
    assert _outcome(design, people, events, start, end) == expected


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    properties.designs(capacity=True, drop_near=True),
    properties.organisations(),
    properties.horizons,
)
def test_templates_give_the_per_person_plan_for_teams_sharing_rhythms(
    design: CycleDesign, organisation: Any, horizon: tuple[date, date]
) -> None:
    # Rhythms from the cycle start, people hired before it: most rows come from templates.
    people, events = organisation
    start, end = horizon
    expected = _per_person(design, people, events, start, end)
    assert _outcome(design, people, events, start, end) == expected


def _with_tenure(design: CycleDesign) -> CycleDesign:
    """``design`` with check-ins from two months of tenure and growth reviews from twelve."""
    tenure = {"check_in": 2, "growth_review": 12}
    return attrs.evolve(
        design,
        types=tuple(
            attrs.evolve(rule, population=Population(min_tenure_months=tenure[rule.type]))
            if rule.type in tenure
            else rule
            for rule in design.types
        ),
    )


@pytest.mark.parametrize("tenure", [False, True])
@pytest.mark.parametrize("capacity", [None, Capacity(per_day=1, per_week=3), Capacity(2, 6)])
def test_templates_give_the_per_person_plan_for_a_large_organisation(
    capacity: Capacity | None, tenure: bool
) -> None:
    # Hires over ten years around the horizon, leavers, part-timers and sick reports.
    people, events = _organisation(400, seed=11)
    design = _with_tenure(_design(capacity)) if tenure else _design(capacity)
    fast = plan(design, people, events, start=START, end=END)
    assert fast.conversations
    assert any(c.moved_by for c in fast.conversations)
    assert fast == _per_person(design, people, events, START, END)
    if tenure:  # the newcomers' early check-ins are left out, with the reason
        assert any(s.reason == "outside the population on that date" for s in fast.skipped)


def test_templates_give_the_per_person_plan_for_the_reference_design() -> None:
    design, people, events = load_reference()
    start, end = design.cycle_start, design.cycle_start + timedelta(days=730)
    fast = plan(design, people, events, start=start, end=end)
    assert fast.conversations
    assert fast.skipped
    assert fast == _per_person(design, people, events, start, end)


@pytest.mark.parametrize(
    ("every", "unit"),
    [(1, "years"), (2, "years"), (1, "months"), (5, "months"), (1, "quarters"), (3, "weeks")],
)
@pytest.mark.parametrize("anchor_to", ["planned", "held"])
def test_intervals_from_the_hire_date_give_the_per_person_plan(
    every: int, unit: str, anchor_to: str
) -> None:
    # People hired on the same day of the month (and in the same phase of the step) before
    # the run share one template; their counts ``n`` differ. Hires on the 29th to 31st clip.
    people, events = _organisation(300, seed=5)
    people += [
        Person(id=f"q{day}-{year}", name="Q", hire_date=date(year, 1, day), manager_id="boss")
        for day in (28, 29, 30, 31)
        for year in (2019, 2020, 2025)
    ]
    rhythm = Interval(every=every, unit=unit, anchor="hire_date", anchor_to=anchor_to)
    design = _design(Capacity(per_day=2, per_week=6))
    design = attrs.evolve(
        design,
        types=tuple(
            attrs.evolve(rule, cadence=(rhythm,)) if rule.type == "development" else rule
            for rule in design.types
        ),
    )
    fast = plan(design, people, events, start=START, end=END)
    assert any(c.type_key == "development" for c in fast.conversations)
    assert fast == _per_person(design, people, events, START, END)


def _levelling_everything(
    design: CycleDesign, people: Any, events: Any, start: date, end: date
) -> object:
    """The plan when levelling also places the rows after the horizon that it leaves alone."""
    level = planner_package._level

    def everything(*args: Any) -> Any:
        return level(*args[:5])  # no horizon end: every row is levelled

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner_package, "_level", everything)
        return _outcome(design, people, events, start, end)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    properties.designs(capacity=True, drop_near=True),
    properties.organisations(),
    properties.horizons,
)
def test_levelling_stops_after_the_last_row_that_can_end_inside_the_horizon(
    design: CycleDesign, organisation: Any, horizon: tuple[date, date]
) -> None:
    people, events = organisation
    start, end = horizon
    expected = _levelling_everything(design, people, events, start, end)
    assert _outcome(design, people, events, start, end) == expected


@pytest.mark.parametrize("capacity", [Capacity(per_day=1, per_week=3), Capacity(2, 6)])
def test_levelling_stops_early_without_changing_a_large_plan(capacity: Capacity) -> None:
    people, events = _organisation(300, seed=13)
    design = _design(capacity)
    fast = plan(design, people, events, start=START, end=END)
    assert fast.conflicts or any("capacity" in c.moved_by for c in fast.conversations)
    assert fast == _levelling_everything(design, people, events, START, END)
