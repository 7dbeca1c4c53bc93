"""Materialise deciding on conversation states equals deciding on whole conversations.

The service reads only the held conversations whole for the planner and the light states
(:meth:`~gesprekscyclus.ports.store.ConversationRepository.states`) for applying the plan;
the reference here reads every stored conversation whole, as the service once did, and
both must store the same conversations, messages and report on random histories.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, DropNear, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import PLANNER_LOCK, Store
from gesprekscyclus.service.app import ConversationService, _stored_conversations
from gesprekscyclus.service.materialise import MaterialiseReport, apply_plan, plan_horizon

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

_DESIGNS = {
    "planned": CycleDesign(
        name="planned",
        cycle_start=date(2025, 1, 1),
        types=(
            TypeRule(
                type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
            ),
            TypeRule(type="onboarding", cadence=(Interval(every=3, unit="months"),)),
        ),
    ),
    "near": CycleDesign(
        name="near",
        cycle_start=date(2025, 1, 1),
        types=(
            TypeRule(
                type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
            ),
            TypeRule(type="onboarding", cadence=(Interval(every=3, unit="months"),)),
        ),
        interactions=(DropNear(drop="check_in", near="onboarding", within_days=10),),
    ),
    "held": CycleDesign(
        name="held",
        cycle_start=date(2025, 1, 1),
        types=(
            TypeRule(
                type="check_in",
                cadence=(Interval(every=2, unit="months", anchor="cycle_start", anchor_to="held"),),
            ),
        ),
    ),
}

#: One step of a history: (what, person index, conversation index, day offset).
_Step = tuple[str, int, int, int]

_steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "hold",
                "hold",
                "cancel",
                "notice",
                "stay",
                "hired",
                "manager",
                "design",
                "design",
                "materialise",
            ]
        ),
        st.integers(0, 3),
        st.integers(0, 30),
        st.integers(-200, 400),
    ),
    max_size=10,
)


def _people(hires: list[date]) -> list[Person]:
    staff = [
        Person(id="m-0", name="Boss", hire_date=date(2010, 1, 1)),
        Person(id="m-1", name="Other boss", hire_date=date(2012, 1, 1), manager_id="m-0"),
    ]
    staff.extend(
        Person(id=f"e-{index}", name=f"Person {index}", hire_date=hire, manager_id="m-0")
        for index, hire in enumerate(hires)
    )
    return staff


def _reference(service: ConversationService, start: date, end: date) -> MaterialiseReport:
    """Materialise as the service did before states: every stored conversation whole."""
    with service.store.unit_of_work() as uow:
        uow.lock(PLANNER_LOCK)
        people = uow.people.all()
        existing = _stored_conversations(uow, people)
        result, rows = plan_horizon(
            service.design,
            people,
            uow.events.all(),
            start=start,
            end=end,
            existing=existing.values(),
            catalog=service.catalog,
        )
        return apply_plan(
            uow,
            result,
            start=start,
            end=end,
            existing=existing,
            people={person.id: person for person in people},
            at=T0,
            catalog=service.catalog,
            hr_contact_id=service.hr_contact_id,
            design=service.design_version,
            rows=rows,
            changes=service.state_changes,
        )


def _open(service: ConversationService, person_id: str) -> list[Conversation]:
    return [
        talk
        for talk in service.administration.conversations_of(person_id)
        if talk.status in (ConversationStatus.PLANNED, ConversationStatus.SCHEDULED)
    ]


def _step(service: ConversationService, people: list[Person], step: _Step) -> ConversationService:
    """``step`` done; the service to go on with (another design after ``design``)."""
    what, who, which, offset = step
    if what == "design":
        other = "held" if service.design.name == "planned" else "planned"
        return _service(service.store, other)
    person = service.person(people[2 + who % (len(people) - 2)].id)
    day = T0.date() + timedelta(days=offset)
    if what == "materialise":
        service.materialise(day, day + timedelta(days=abs(offset) % 300))
        return service
    if what == "notice":
        last = max(day, person.hire_date)
        service.give_notice(person.id, on=min(T0.date(), last), last_day=last)
        return service
    if what == "stay":
        service.upsert_person(attrs.evolve(person, end_date=None))
        return service
    if what == "hired":
        hired = min(person.hire_date + timedelta(days=offset // 4), date(2026, 6, 1))
        service.upsert_person(attrs.evolve(person, hire_date=hired, end_date=None))
        return service
    if what == "manager":
        other = "m-1" if person.manager_id == "m-0" else "m-0"
        service.upsert_person(attrs.evolve(person, manager_id=other))
        return service
    talks = _open(service, person.id)
    if not talks:
        return service
    talk = talks[which % len(talks)]
    if what == "cancel":
        service.cancel(talk.id, reason="not needed")
        return service
    held = datetime.combine(talk.window.target, datetime.min.time(), UTC) + timedelta(hours=9)
    if held > T0:
        return service
    if talk.status is ConversationStatus.PLANNED:
        service.schedule(talk.id, held, at=held - timedelta(days=1))
    service.record_held(talk.id, at=held)
    return service


def _service(store: Store, design: str) -> ConversationService:
    return ConversationService(store, FixedClock(T0), design=_DESIGNS[design], state_changes=True)


def _history(
    store: Store, design: str, people: list[Person], steps: list[_Step]
) -> ConversationService:
    service = _service(store, design)
    for person in people:
        service.hire(person)
    service.materialise(date(2025, 9, 1), date(2026, 6, 30))
    for step in steps:
        service = _step(service, people, step)
    return service


def _stored(store: Store, people: list[Person]) -> tuple[object, ...]:
    with store.unit_of_work() as uow:
        talks = [uow.conversations.by_employee(person.id) for person in people]
    messages = store.claim_due(
        "test", now=T0 + timedelta(days=3650), limit=10_000, lease_seconds=60
    )
    return tuple(talks), sorted((m.key, m.notification) for m in messages)


def _both(
    make: Callable[[str], Store], design: str, people: list[Person], steps: list[_Step]
) -> tuple[Store, Store, ConversationService, ConversationService]:
    fast, slow = make("fast"), make("slow")
    return fast, slow, _history(fast, design, people, steps), _history(slow, design, people, steps)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hires=st.lists(
        st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 1)), min_size=1, max_size=4
    ),
    design=st.sampled_from(sorted(_DESIGNS)),
    steps=_steps,
    start=st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 1)),
    days=st.integers(0, 400),
    sqlite=st.booleans(),
)
def test_materialise_on_states_equals_materialise_on_whole_conversations(
    hires: list[date],
    design: str,
    steps: list[_Step],
    start: date,
    days: int,
    sqlite: bool,
) -> None:
    people = _people(hires)
    end = start + timedelta(days=days)
    with tempfile.TemporaryDirectory() as folder:

        def make(name: str) -> Store:
            return open_sqlite_store(Path(folder) / f"{name}.db") if sqlite else MemoryStore()

        fast, slow, on_states, whole = _both(make, design, people, steps)
        try:
            assert _stored(fast, people) == _stored(slow, people)
            assert on_states.materialise(start, end, at=T0) == _reference(whole, start, end)
            assert _stored(fast, people) == _stored(slow, people)
        finally:
            fast.close()
            slow.close()
