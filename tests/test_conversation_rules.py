"""The conversation rules: follow-ups from either side's answers, when a conversation was held,
manager changes on their date, carry-over tracks and reminders that expire.

Every scenario runs against the memory store and a real SQLite file; state is read straight
from the store's repositories.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.postgres.schema import MIGRATIONS as POSTGRES_MIGRATIONS
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.schema import MIGRATIONS as SQLITE_MIGRATIONS
from gesprekscyclus.domain.cadence import AnswerTrigger, Interval
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import ConflictError, InvalidTransitionError, InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.design_file import dump_design, parse_design, validate_design_text
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import OutboxMessage, OutboxStats, OutboxStatus, Store, Withdrawal
from gesprekscyclus.serialization import dumps
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.testing.contract import make_notification

from .postgres_support import drop_schema, new_schema_name, open_store, require_postgres

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
    clock.set(datetime(2026, 1, 12, 12, 0, tzinfo=UTC))  # recorded days later
    with pytest.raises(InvalidValueError, match=r"held_at.*future"):
        service.record_held(talk.id, at=datetime(2026, 1, 12, 12, 1, tzinfo=UTC))
    with pytest.raises(InvalidValueError, match=r"held_at.*before .* was scheduled"):
        service.record_held(talk.id, at=T0 - timedelta(minutes=1))
    with pytest.raises(InvalidValueError, match=r"at.*time zone"):
        service.record_held(talk.id, at=datetime(2026, 1, 6, 9, 0))
    stored = _get(store, talk.id)
    assert (stored.status.value, stored.held_at) == ("scheduled", None)
    # Held earlier than planned, but after it was scheduled: it counts.
    early = service.record_held(talk.id, at=T0 + timedelta(hours=2))
    assert _get(store, talk.id).held_at == early.held_at == T0 + timedelta(hours=2)


def test_a_conversation_scheduled_after_the_fact_is_held_from_its_day(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 1, 12, 12, 0, tzinfo=UTC))
    talk = _first(store, "e-1", "check_in")
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))  # entered late
    # 23:00 on 5 January in Amsterdam: before it was scheduled and before its day.
    with pytest.raises(InvalidValueError, match=r"held_at.*\(2026-01-06\)"):
        service.record_held(talk.id, at=datetime(2026, 1, 5, 22, 0, tzinfo=UTC))
    held = service.record_held(talk.id, at=datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    assert _get(store, talk.id).held_at == held.held_at


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
    agenda = service.agenda("e-1", start=date(2026, 1, 12), reader="e-1")
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
        e.conversation.id: e for e in service.agenda("e-1", start=date(2026, 1, 13), reader="e-1")
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


# --- manager change on its date ---------------------------------------------------------------


def _check_ins(store: Store) -> dict[date, Conversation]:
    return {c.window.target: c for c in _stored(store, "e-1") if c.type_key == "check_in"}


def test_a_later_manager_change_moves_only_the_conversations_from_its_date(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    before = _check_ins(store)
    service.schedule(before[date(2026, 3, 2)].id, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    change = service.change_manager("e-1", "m-2", on=date(2026, 2, 15))
    assert change.old_manager_id == "m-1"
    after = _check_ins(store)
    assert after[date(2026, 1, 2)].manager_id == "m-1"
    assert after[date(2026, 2, 2)].manager_id == "m-1"
    assert after[date(2026, 3, 2)].manager_id == "m-2"
    assert after[date(2026, 3, 2)].participant_ids == {"e-1", "m-2"}
    assert change.moved == (before[date(2026, 3, 2)].id,)
    assert service.manager_on("e-1", date(2026, 2, 14)) == "m-1"
    assert service.manager_on("e-1", date(2026, 2, 15)) == "m-2"
    # Planning again agrees, now and once the date has come.
    assert not service.materialise(*HORIZON).changed
    clock.set(datetime(2026, 2, 20, 8, 0, tzinfo=UTC))
    assert not service.materialise(*HORIZON).changed
    assert _check_ins(store)[date(2026, 2, 2)].manager_id == "m-1"


def test_a_manager_change_in_the_past_keeps_earlier_conversations(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 1, 20, 8, 0, tzinfo=UTC))
    service.change_manager("e-1", "m-2", on=date(2026, 1, 10))
    after = _check_ins(store)
    assert after[date(2026, 1, 2)].manager_id == "m-1"
    assert after[date(2026, 2, 2)].manager_id == "m-2"
    assert after[date(2026, 3, 2)].manager_id == "m-2"
    assert not service.materialise(*HORIZON).changed


def test_open_items_move_to_the_new_pair_when_the_change_takes_effect(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    _january, item_id = _held_with_item(service, store, clock)
    service.change_manager("e-1", "m-2", on=date(2026, 2, 15))
    with store.unit_of_work() as uow:
        assert uow.action_items.get(item_id).manager_id == "m-1"  # not in force yet
    old_agenda = service.agenda("m-1", start=date(2026, 1, 20), reader="m-1", role="manager")
    assert [i.id for e in old_agenda for i in e.action_items] == [item_id]
    assert service.apply_manager_changes(datetime(2026, 2, 14, 12, 0, tzinfo=UTC)) == 0
    assert service.apply_manager_changes(datetime(2026, 2, 15, 8, 0, tzinfo=UTC)) == 1
    assert service.apply_manager_changes(datetime(2026, 2, 16, 8, 0, tzinfo=UTC)) == 0
    with store.unit_of_work() as uow:
        moved = uow.action_items.get(item_id)
    assert (moved.employee_id, moved.manager_id) == ("e-1", "m-2")
    assert moved.history[-1].action.value == "hand_over"
    new_agenda = service.agenda("m-2", start=date(2026, 2, 16), reader="m-2", role="manager")
    assert [i.id for e in new_agenda for i in e.action_items] == [item_id]
    assert not [
        i
        for e in service.agenda("m-1", start=date(2026, 2, 16), reader="m-1", role="manager")
        for i in e.action_items
    ]


def test_items_move_at_once_for_a_change_already_in_force(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    _, item_id = _held_with_item(service, store, clock)
    service.change_manager("e-1", "m-2", on=date(2026, 1, 6))
    with store.unit_of_work() as uow:
        assert uow.action_items.get(item_id).manager_id == "m-2"
    result = service.carry_over(_check_ins(store)[date(2026, 1, 2)].id)
    assert result.next_conversation_id is None  # the January talk was led by m-1
    feb = _check_ins(store)[date(2026, 2, 2)]
    assert [
        i.id
        for i in next(
            e
            for e in service.agenda("m-2", start=date(2026, 1, 7), reader="m-2", role="manager")
            if e.conversation.id == feb.id
        ).action_items
    ] == [item_id]


def test_recording_a_manager_change_again_changes_nothing(
    service: ConversationService, store: Store
) -> None:
    assert service.change_manager("e-1", "m-2", on=date(2026, 2, 15)).recorded
    again = service.change_manager("e-1", "m-2", on=date(2026, 2, 15))
    assert again.moved == ()
    assert again.old_manager_id == "m-1"
    assert not again.recorded
    event = LifeEvent(on=date(2026, 2, 15), person_id="e-1", kind="manager_change", detail="m-2")
    assert not service.record_event(event).recorded  # so an import run twice reports nothing new
    with pytest.raises(ConflictError, match="m-2"):
        service.change_manager("e-1", "h-1", on=date(2026, 2, 15))
    with pytest.raises(InvalidValueError, match="own manager"):
        service.change_manager("e-1", "e-1", on=date(2026, 3, 1))
    with store.unit_of_work() as uow:
        changes = [e for e in uow.events.for_person("e-1") if e.kind.value == "manager_change"]
    assert [(e.on, e.detail, e.previous) for e in changes] == [(date(2026, 2, 15), "m-2", "m-1")]


def test_a_second_change_hands_over_from_the_first(
    service: ConversationService, store: Store
) -> None:
    service.change_manager("e-1", "m-2", on=date(2026, 2, 1))
    change = service.change_manager("e-1", "h-1", on=date(2026, 3, 1))
    assert change.old_manager_id == "m-2"
    with store.unit_of_work() as uow:
        assert uow.people.get("e-1").manager_id == "h-1"
    managers = {day: c.manager_id for day, c in _check_ins(store).items()}
    assert managers == {date(2026, 1, 2): "m-1", date(2026, 2, 2): "m-2", date(2026, 3, 2): "h-1"}
    assert not service.materialise(*HORIZON).changed


# --- reminders expire -------------------------------------------------------------------------


def _pending(store: Store, now: datetime) -> list[OutboxMessage]:
    """Every pending message due by ``now``, read through a lease that is given back."""
    claimed = store.claim_due("probe", now=now, limit=10_000, lease_seconds=1)
    store.release("probe", [m.id for m in claimed])
    return claimed


def _about(messages: list[OutboxMessage], conversation_id: str) -> list[OutboxMessage]:
    return [
        m
        for m in messages
        if m.notification.conversation is not None
        and m.notification.conversation.id == conversation_id
    ]


def _by_key(store: Store, key: str) -> OutboxMessage:
    with store.unit_of_work() as uow:
        found = uow.outbox.by_key(key)
    assert found is not None
    return found


def test_a_preparation_reminder_is_withdrawn_once_the_conversation_is_held(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    february = _check_ins(store)[date(2026, 2, 2)]
    swept = datetime(2026, 1, 27, 7, 0, tzinfo=UTC)
    service.enqueue_due_reminders(swept)
    preparation = _about(_pending(store, swept), february.id)
    assert {m.notification.kind.value for m in preparation} == {"preparation"}
    assert {m.notification.recipient.id for m in preparation} == {"e-1", "m-1"}
    clock.set(datetime(2026, 1, 28, 8, 0, tzinfo=UTC))
    service.schedule(february.id, datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 2, 2, 11, 0, tzinfo=UTC))
    service.record_held(february.id)  # no worker ran in between
    service.create_report(february.id, "Goed gesprek", author_id="m-1")
    service.share_report(february.id, comment_until=date(2026, 2, 3))
    clock.set(datetime(2026, 2, 5, 11, 0, tzinfo=UTC))
    service.file_report(february.id)
    assert _get(store, february.id).status.value == "closed"
    for message in preparation:
        withdrawn = _by_key(store, message.key)
        assert withdrawn.status is OutboxStatus.EXPIRED
        assert withdrawn.last_error is not None
        assert "held" in withdrawn.last_error
    march = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    notifier = RecordingNotifier()
    Dispatcher(store, notifier, FixedClock(march), owner="w", batch_size=500).run_once()
    sent = [n for n in notifier.sent if n.conversation and n.conversation.id == february.id]
    assert sorted(n.kind.value for n in sent) == []  # the invitations had expired too
    assert store.dead_letters() == []


def test_a_reminder_whose_moment_passed_is_expired_by_the_dispatcher(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    february = _check_ins(store)[date(2026, 2, 2)]
    service.schedule(february.id, datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    Dispatcher(store, RecordingNotifier(), clock, owner="w").run_once()  # the invitations
    service.enqueue_due_reminders(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    pending = _about(_pending(store, datetime(2026, 2, 1, 9, 0, tzinfo=UTC)), february.id)
    assert sorted(m.notification.kind.value for m in pending) == [
        "day_before",
        "day_before",
        "preparation",
        "preparation",
    ]
    stored = _get(store, february.id)
    assert {m.notification.expires_at for m in pending} == {stored.starts_at}
    # The worker was down until after the conversation began (it was never recorded held).
    late = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)
    notifier = RecordingNotifier()
    report = Dispatcher(store, notifier, FixedClock(late), owner="w", batch_size=500).run_once()
    assert not [n for n in notifier.sent if n.conversation and n.conversation.id == february.id]
    assert report.expired >= 4
    assert report.dead == 0
    assert store.dead_letters() == []
    reasons = {_by_key(store, m.key).last_error for m in pending}
    assert all(r is not None and r.startswith("expired") for r in reasons)


def test_rescheduling_withdraws_the_day_before_reminder_for_the_old_time(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    february = _check_ins(store)[date(2026, 2, 2)]
    service.schedule(february.id, datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    Dispatcher(store, RecordingNotifier(), clock, owner="w").run_once()  # the invitations
    service.enqueue_due_reminders(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 2, 1, 10, 0, tzinfo=UTC))
    service.reschedule(february.id, datetime(2026, 2, 4, 9, 0, tzinfo=UTC), reason="Ziek")
    pending = _about(_pending(store, datetime(2026, 2, 1, 10, 0, tzinfo=UTC)), february.id)
    kinds = sorted(
        (m.notification.kind.value, m.notification.conversation.sequence)
        for m in pending
        if m.notification.conversation
    )
    # The first invitations were sent; the day-before reminders for 2 February are withdrawn.
    assert kinds == [("preparation", 0), ("preparation", 0), ("scheduled", 1), ("scheduled", 1)]


def test_action_item_reminders_are_withdrawn_when_the_item_is_done(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    talk = _first(store, "e-1", "check_in")
    _hold(service, clock, talk, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    item = service.create_action_item(talk.id, "Cursus", owner_id="e-1", due=date(2026, 1, 20))
    service.enqueue_due_reminders(datetime(2026, 1, 19, 9, 0, tzinfo=UTC))
    (due,) = [
        m
        for m in _pending(store, datetime(2026, 1, 19, 9, 0, tzinfo=UTC))
        if m.notification.action_item is not None
    ]
    assert due.notification.expires_at == datetime(2026, 1, 20, 23, 0, tzinfo=UTC)
    service.complete_action_item(item.id)
    assert _by_key(store, due.key).status is OutboxStatus.EXPIRED


def test_an_escalation_about_hrs_own_conversation_goes_to_hrs_manager(
    store: Store, clock: FixedClock
) -> None:
    service = _service(store, clock)
    service.hire(Person(id="e-2", name="Ed", hire_date=date(2021, 1, 1), manager_id="h-1"))
    service.materialise(*HORIZON)
    late = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)  # January's check-ins are weeks overdue
    service.enqueue_due_reminders(late)
    escalations = {
        (m.notification.conversation.employee_id, m.notification.recipient.id)
        for m in _pending(store, late)
        if m.notification.kind.value == "escalation" and m.notification.conversation is not None
    }
    assert ("e-1", "h-1") in escalations  # someone else's: HR
    assert ("h-1", "d-1") in escalations  # HR's own check-in: HR's manager
    assert ("e-2", "d-1") in escalations  # HR leads it: HR's manager
    assert not any(recipient == "h-1" and who in ("h-1", "e-2") for who, recipient in escalations)


# --- the invariant ----------------------------------------------------------------------------

# The employee's check on how a held conversation went serves until it is answered or expires.
_STILL_SERVING = {
    "held": {"report_due", "sign_off_pending", "voice_check"},
    "reported": {"sign_off_pending", "voice_check"},
    "closed": {"voice_check"},
    "cancelled": {"cancelled"},
    "missed": set(),
}
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["schedule", "reschedule", "hold", "cancel", "miss", "report", "advance"]),
        st.integers(0, 40),
    ),
    min_size=1,
    max_size=30,
)


def _step(service: ConversationService, clock: FixedClock, action: str, n: int) -> None:
    talks = sorted(
        (c for c in _stored(service.store, "e-1") if c.window.target < date(2026, 3, 1)),
        key=lambda c: c.id,
    )
    talk = talks[n % len(talks)]
    now = clock.now()
    starts_at = now + timedelta(hours=1 + n)
    commands = {
        "schedule": lambda: service.schedule(talk.id, starts_at),
        "reschedule": lambda: service.reschedule(talk.id, starts_at, reason="Anders"),
        "hold": lambda: service.record_held(talk.id),
        "cancel": lambda: service.cancel(talk.id, reason="Vervalt"),
        "miss": lambda: service.mark_missed(talk.id, reason="Niet gelukt"),
        "report": lambda: (
            service.create_report(talk.id, "Verslag", author_id="m-1"),
            service.share_report(talk.id, comment_until=now.date()),
        ),
        "advance": lambda: clock.set(now + timedelta(days=1 + n % 10)),
    }
    with contextlib.suppress(InvalidTransitionError, InvalidValueError, ConflictError):
        commands[action]()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=_STEPS)
def test_no_pending_reminder_refers_to_a_conversation_that_moved_on(
    kind: str, steps: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = MemoryStore() if kind == "memory" else open_sqlite_store(Path(folder) / "p.db")
        try:
            # Preparation reminders for February and escalations for January are due.
            clock = FixedClock(datetime(2026, 1, 27, 8, 0, tzinfo=UTC))
            service = _service(store, clock)
            service.enqueue_due_reminders(clock.now())
            for action, n in steps:
                _step(service, clock, action, n)
                service.enqueue_due_reminders(clock.now())
                with store.unit_of_work() as uow:
                    statuses = {c.id: c.status.value for c in uow.conversations.by_employee("e-1")}
                for message in _pending(store, datetime(2100, 1, 1, tzinfo=UTC)):
                    about = message.notification.conversation
                    if about is None or about.id not in statuses:
                        continue
                    status = statuses[about.id]
                    if status in _STILL_SERVING:
                        assert message.notification.kind.value in _STILL_SERVING[status], (
                            message.key,
                            status,
                        )
        finally:
            store.close()


# --- migration 8 ------------------------------------------------------------------------------


def _old_rows(execute: Callable[..., object], mark: str) -> None:
    payload = dumps(make_notification("k-pending"))
    for key, status, error in (
        ("k-pending", "pending", None),
        ("k-sent", "sent", None),
        ("k-dead", "dead", "550 no such user"),
    ):
        execute(
            f"INSERT INTO outbox (key, payload, due_at, status, last_error) VALUES ({mark},"
            f" {mark}, {'0' if mark == '?' else 'now()'}, {mark}, {mark})",
            (key, payload.replace("k-pending", key), status, error),
        )


def _check_upgraded(store: Store) -> None:
    assert store.outbox_stats() == OutboxStats(pending=1, sent=1, dead=1)
    (dead,) = store.dead_letters()
    assert (dead.key, dead.last_error) == ("k-dead", "550 no such user")
    with store.unit_of_work() as uow:
        assert (
            uow.outbox.withdraw(
                Withdrawal(conversation_id="c-1", kinds=["preparation"], reason="held")
            )
            == 1
        )
    assert store.outbox_stats() == OutboxStats(sent=1, dead=1, expired=1)


def test_migration_8_keeps_every_sqlite_outbox_row(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for number, statements in SQLITE_MIGRATIONS:
        if number < 8:
            for statement in statements:
                connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
    _old_rows(connection.execute, "?")
    connection.close()
    store = open_sqlite_store(path)
    try:
        _check_upgraded(store)
    finally:
        store.close()
    connection = sqlite3.connect(path)
    indexes = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'"
        )
    }
    tables = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    connection.close()
    assert {"outbox_pending", "outbox_dead", "outbox_sent"} <= indexes
    assert "outbox_before_8" not in tables


def test_migration_8_keeps_every_postgres_outbox_row() -> None:
    psycopg = pytest.importorskip("psycopg")
    schema = new_schema_name()
    try:
        with psycopg.connect(require_postgres(), autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
            connection.execute(f'SET search_path TO "{schema}"')
            connection.execute(
                "CREATE TABLE schema_version (version integer PRIMARY KEY,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            for number, statements in POSTGRES_MIGRATIONS:
                if number < 8:
                    for statement in statements:
                        connection.execute(statement.encode())
                    connection.execute(
                        "INSERT INTO schema_version (version) VALUES (%s)", (number,)
                    )
            _old_rows(connection.execute, "%s")
        store = open_store(schema)
        try:
            _check_upgraded(store)
        finally:
            store.close()
    finally:
        drop_schema(schema)


def test_the_old_managers_pending_reminders_go_with_a_moved_conversation(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    march = _check_ins(store)[date(2026, 3, 2)]
    service.schedule(march.id, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # invitations pending
    change = service.change_manager("e-1", "m-2", on=date(2026, 2, 15))
    assert change.moved == (march.id,)
    pending = _about(_pending(store, datetime(2026, 3, 1, tzinfo=UTC)), march.id)
    assert sorted(m.notification.recipient.id for m in pending) == ["e-1", "m-2"]
