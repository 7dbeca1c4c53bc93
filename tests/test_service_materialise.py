"""Materialising the plan: idempotent, moves only planned conversations, cancels vanished ones."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import Capacity, CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.serialization import from_data, to_data
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.materialise import VANISHED_REASON, MaterialiseReport

from . import strategies as gs

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="materialise",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
        ),
        TypeRule(type="exit_interview"),
    ),
)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = (
        MemoryStore() if request.param == "memory" else open_sqlite_store(tmp_path / "m.db")
    )
    yield made
    made.close()


def _service(store: Store, design: CycleDesign = DESIGN) -> ConversationService:
    service = ConversationService(store, FixedClock(T0), design=design)
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"))
    return service


def _all(service: ConversationService) -> list[Conversation]:
    return [
        c
        for person in ("e-1", "e-2", "e-3")
        for c in service.administration.conversations_of(person)
    ]


def test_materialise_twice_changes_nothing_the_second_time(store: Store) -> None:
    service = _service(store)
    first = service.materialise(date(2026, 1, 1), date(2026, 6, 30))
    assert (first.added, first.moved, first.cancelled) == (6, 0, 0)
    stored = _all(service)
    second = service.materialise(date(2026, 1, 1), date(2026, 6, 30))
    assert not second.changed
    assert second.unchanged == 6
    assert _all(service) == stored
    # a longer horizon adds only the new months, with the same ids for the old ones
    longer = service.materialise(date(2026, 1, 1), date(2026, 9, 30))
    assert longer.added == 3
    assert {c.id for c in stored} <= {c.id for c in _all(service)}


def test_a_changed_plan_moves_planned_but_not_scheduled_conversations(store: Store) -> None:
    service = _service(store)
    service.materialise(date(2026, 1, 1), date(2026, 4, 30))
    talks = _all(service)
    service.schedule(talks[0].id, datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    fixed = service.administration.conversation(talks[0].id)
    # Eva now works only on Wednesdays: the targets move to a Wednesday
    service.upsert_person(
        Person(
            id="e-1",
            name="Eva",
            hire_date=date(2020, 3, 1),
            manager_id="m-1",
            working_pattern=WorkingPattern.of("wed"),
        )
    )
    report = service.materialise(date(2026, 1, 1), date(2026, 4, 30))
    assert report.moved == 2  # 1 April 2026 is a Wednesday already
    after = {c.id: c for c in _all(service)}
    assert after[fixed.id] == fixed
    for talk in talks[1:]:
        moved = after[talk.id]
        assert moved.window.target.isoweekday() == 3
        assert moved.history == talk.history
    assert not service.materialise(date(2026, 1, 1), date(2026, 4, 30)).changed


def test_notice_cancels_the_planned_conversations_that_vanished(store: Store) -> None:
    service = _service(store)
    service.materialise(date(2026, 1, 1), date(2026, 6, 30))
    first = _all(service)[0]
    service.schedule(first.id, datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    service.give_notice("e-1", on=date(2026, 2, 15), last_day=date(2026, 3, 31))
    report = service.materialise(date(2026, 1, 1), date(2026, 6, 30))
    assert report.cancelled == 4  # March to June check-ins; the exit interview is new
    cancelled = [c for c in _all(service) if c.status.value == "cancelled"]
    assert {c.history[-1].reason for c in cancelled} == {VANISHED_REASON}
    assert service.administration.conversation(first.id).status.value == "scheduled"
    assert service.person("e-1").end_date == date(2026, 3, 31)
    assert not service.materialise(date(2026, 1, 1), date(2026, 6, 30)).changed


def test_end_before_start_is_refused(store: Store) -> None:
    with pytest.raises(InvalidValueError, match="end"):
        _service(store).materialise(date(2026, 2, 1), date(2026, 1, 1))


@st.composite
def _organisations(draw: st.DrawFn) -> list[Person]:
    count = draw(st.integers(1, 4))
    people = [Person(id="m-0", name="Boss", hire_date=date(2010, 1, 1))]
    for index in range(count):
        hire = draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 6, 1)))
        people.append(
            Person(
                id=f"e-{index}",
                name=f"Person {index}",
                hire_date=hire,
                manager_id="m-0",
                working_pattern=draw(
                    gs.working_patterns.filter(lambda p: bool(p.weekdays & {1, 2, 3, 4, 5}))
                ),
                end_date=draw(st.none() | st.dates(min_value=hire, max_value=date(2027, 6, 1))),
            )
        )
    return people


_designs = st.builds(
    CycleDesign,
    name=st.just("generated"),
    cycle_start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 1)),
    types=st.just(
        (
            TypeRule(
                type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
            ),
            TypeRule(type="onboarding", cadence=(Interval(every=3, unit="months"),)),
        )
    ),
    capacity=st.none() | st.builds(Capacity, st.just(1), st.integers(1, 3)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=_organisations(),
    design=_designs,
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(0, 200),
    sqlite=st.booleans(),
)
def test_materialise_twice_equals_once(
    people: list[Person], design: CycleDesign, start: date, days: int, sqlite: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store: Store = open_sqlite_store(Path(folder) / "p.db") if sqlite else MemoryStore()
        try:
            service = ConversationService(store, FixedClock(T0), design=design)
            for person in people:
                service.hire(person)
            end = date.fromordinal(start.toordinal() + days)
            once = service.materialise(start, end)
            state = [service.administration.conversations_of(p.id) for p in people]
            twice = service.materialise(start, end)
            assert not twice.changed
            assert twice.unchanged == once.added + once.unchanged
            assert [service.administration.conversations_of(p.id) for p in people] == state
        finally:
            store.close()


@given(gs.materialise_reports())
def test_materialise_report_round_trips(report: MaterialiseReport) -> None:
    assert from_data(MaterialiseReport, to_data(report)) == report
