"""The conversation rules: follow-ups from either side's answers, when a conversation was held,
manager changes on their date, carry-over tracks and reminders that expire.

Every scenario runs against the memory store and a real SQLite file; state is read straight
from the store's repositories.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import AnswerTrigger, Interval
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.design_file import dump_design, parse_design, validate_design_text
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.app import ConversationService

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday
MONTHLY = Interval(every=1, unit="months", anchor="cycle_start")
LEAVING = AnswerTrigger("check_in", "considering_leaving", "equals", True, "stay_interview", 14)
DESIGN = CycleDesign(
    name="conversation rules",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(type="check_in", cadence=(MONTHLY,), follow_ups=(LEAVING,)),
        TypeRule(type="stay_interview"),
        TypeRule(type="absence"),
    ),
)
HORIZON = (date(2026, 1, 1), date(2026, 3, 31))


def _staff() -> list[Person]:
    return [
        Person(id="d-1", name="Dirk", hire_date=date(2010, 1, 1)),
        Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1), manager_id="d-1"),
        Person(id="m-2", name="Max", hire_date=date(2016, 1, 1), manager_id="d-1"),
        Person(id="h-1", name="Hanna HR", hire_date=date(2017, 1, 1), manager_id="d-1"),
        Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"),
    ]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = (
        MemoryStore() if request.param == "memory" else open_sqlite_store(tmp_path / "rules.db")
    )
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _service(store: Store, clock: FixedClock, design: CycleDesign = DESIGN) -> ConversationService:
    made = ConversationService(store, clock, design=design, hr_contact_id="h-1")
    for person in _staff():
        made.hire(person)
    made.materialise(*HORIZON)
    return made


@pytest.fixture
def service(store: Store, clock: FixedClock) -> ConversationService:
    return _service(store, clock)


def _stored(store: Store, employee_id: str) -> list[Conversation]:
    with store.unit_of_work() as uow:
        return uow.conversations.by_employee(employee_id)


def _get(store: Store, conversation_id: str) -> Conversation:
    with store.unit_of_work() as uow:
        return uow.conversations.get(conversation_id)


def _first(store: Store, employee_id: str, type_key: str) -> Conversation:
    return next(c for c in _stored(store, employee_id) if c.type_key == type_key)


def _hold(
    service: ConversationService,
    clock: FixedClock,
    talk: Conversation,
    starts_at: datetime,
    *,
    held_at: datetime | None = None,
) -> Conversation:
    service.schedule(talk.id, starts_at)
    clock.set(max(clock.now(), starts_at + timedelta(hours=1)))
    return service.record_held(talk.id, at=held_at)


# --- follow-ups: either side's answer ---------------------------------------------------------


@pytest.mark.parametrize(
    ("employee", "manager", "fires"),
    [(True, False, True), (False, True, True), (True, True, True), (False, False, False)],
)
def test_a_follow_up_fires_when_any_participants_answer_meets_it(
    service: ConversationService,
    store: Store,
    clock: FixedClock,
    employee: bool,
    manager: bool,
    fires: bool,
) -> None:
    talk = _first(store, "e-1", "check_in")
    _hold(service, clock, talk, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    # The employee answers first, the manager last: the last author must not decide alone.
    service.record_answers(talk.id, "e-1", {"considering_leaving": employee})
    service.record_answers(talk.id, "m-1", {"considering_leaving": manager})
    service.materialise(*HORIZON)
    stays = [c for c in _stored(store, "e-1") if c.type_key == "stay_interview"]
    assert len(stays) == (1 if fires else 0)
    if fires:
        assert stays[0].window.earliest == date(2026, 1, 7)
        assert stays[0].window.latest == date(2026, 1, 20)


# --- record_held(at=...) ----------------------------------------------------------------------


def test_record_held_keeps_the_real_time_and_follow_ups_count_from_it(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    talk = _first(store, "e-1", "check_in")
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    service.record_answers(talk.id, "e-1", {"considering_leaving": True})
    clock.set(datetime(2026, 1, 9, 16, 0, tzinfo=UTC))  # recorded three days later
    held_at = datetime(2026, 1, 6, 9, 5, tzinfo=UTC)
    held = service.record_held(talk.id, at=held_at)
    assert held.held_at == held_at
    assert _get(store, talk.id).held_at == held_at  # kept by the store's codec
    service.materialise(*HORIZON)
    (stay,) = [c for c in _stored(store, "e-1") if c.type_key == "stay_interview"]
    assert (stay.window.earliest, stay.window.latest) == (date(2026, 1, 7), date(2026, 1, 20))


def test_record_held_without_a_time_means_now(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    talk = _first(store, "e-1", "check_in")
    held = _hold(service, clock, talk, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    assert held.held_at == clock.now()
    assert _get(store, talk.id).held_at == clock.now()


def test_record_held_refuses_the_future_and_a_time_before_scheduling(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    talk = _first(store, "e-1", "check_in")
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))  # scheduled at T0
    clock.set(datetime(2026, 1, 6, 12, 0, tzinfo=UTC))
    with pytest.raises(InvalidValueError, match=r"held_at.*future"):
        service.record_held(talk.id, at=datetime(2026, 1, 6, 12, 1, tzinfo=UTC))
    with pytest.raises(InvalidValueError, match=r"held_at.*before .* was scheduled"):
        service.record_held(talk.id, at=T0 - timedelta(minutes=1))
    with pytest.raises(InvalidValueError, match=r"at.*time zone"):
        service.record_held(talk.id, at=datetime(2026, 1, 6, 9, 0))
    assert _get(store, talk.id).status.value == "scheduled"
    assert _get(store, talk.id).held_at is None


# --- carry-over tracks ------------------------------------------------------------------------


def _held_with_item(
    service: ConversationService, store: Store, clock: FixedClock
) -> tuple[Conversation, str]:
    talk = _first(store, "e-1", "check_in")
    _hold(service, clock, talk, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    item = service.create_action_item(talk.id, "Improve sales numbers", owner_id="e-1")
    return talk, item.id


def test_carry_over_skips_an_absence_conversation_in_between(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    january, item_id = _held_with_item(service, store, clock)
    service.record_sick_report("e-1", on=date(2026, 1, 12))
    service.materialise(*HORIZON)
    sick = [
        c for c in _stored(store, "e-1") if c.type_key == "absence" and c.status.value == "planned"
    ]
    assert sick
    assert min(c.window.target for c in sick) < date(2026, 2, 2)
    result = service.carry_over(january.id)
    target = _get(store, result.next_conversation_id or "")
    assert target.type_key == "check_in"
    assert target.window.target == date(2026, 2, 2)
    with store.unit_of_work() as uow:
        assert uow.action_items.get(item_id).carried_to == (target.id,)
    agenda = service.agenda_for_person("e-1", today=date(2026, 1, 12))
    for entry in agenda:
        titles = [item.title for item in entry.action_items]
        if entry.conversation.type_key == "absence":
            assert titles == []
        elif entry.conversation.id == target.id:
            assert titles == ["Improve sales numbers"]


def test_items_agreed_in_an_absence_conversation_stay_on_the_absence_track(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    service.record_sick_report("e-1", on=date(2026, 1, 12))
    service.materialise(*HORIZON)
    first, second = sorted(
        (c for c in _stored(store, "e-1") if c.type_key == "absence"),
        key=lambda c: c.window.target,
    )[:2]
    clock.set(datetime(2026, 1, 12, 8, 0, tzinfo=UTC))
    _hold(service, clock, first, datetime(2026, 1, 13, 9, 0, tzinfo=UTC))
    service.create_action_item(first.id, "Bel de bedrijfsarts", owner_id="m-1")
    result = service.carry_over(first.id)
    assert result.next_conversation_id == second.id
    assert [item.title for item in result.carried] == ["Bel de bedrijfsarts"]
    check_in = next(
        c for c in _stored(store, "e-1") if c.type_key == "check_in" and c.status.value == "planned"
    )
    agenda = {
        e.conversation.id: e for e in service.agenda_for_person("e-1", today=date(2026, 1, 13))
    }
    assert agenda[check_in.id].action_items == ()


def test_a_design_can_put_types_on_one_track(store: Store, clock: FixedClock) -> None:
    shared = attrs.evolve(
        DESIGN,
        types=(
            attrs.evolve(DESIGN.rule("check_in"), track="care"),
            DESIGN.rule("stay_interview"),
            attrs.evolve(DESIGN.rule("absence"), track="care"),
        ),
    )
    service = _service(store, clock, shared)
    january, _ = _held_with_item(service, store, clock)
    service.record_sick_report("e-1", on=date(2026, 1, 12))
    service.materialise(*HORIZON)
    result = service.carry_over(january.id)
    assert _get(store, result.next_conversation_id or "").type_key == "absence"


def test_the_design_file_names_tracks() -> None:
    text = """
name = "Tracks"
cycle_start = 2026-01-01
[types.check_in]
track = "care"
[types.wellbeing]
track = "care"
[types.exit_interview]
"""
    design = parse_design(text)
    assert design.track_of("check_in") == design.track_of("wellbeing") == "care"
    assert design.track_of("exit_interview") == "exit_interview"
    assert design.track_of("growth_review") == "regular"
    assert parse_design(dump_design(design)) == design
    (problem,) = validate_design_text(text.replace('track = "care"', 'track = " "', 1))
    assert problem.path.startswith("types.check_in")
    assert "track" in str(problem)
    assert "blank" in str(problem)
