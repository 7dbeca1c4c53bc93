"""The conversation service's commands and queries, against the memory store and SQLite."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.action_items import Decision
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import (
    AccessDeniedError,
    AgreementNotConcreteError,
    ConflictError,
    InvalidTransitionError,
    InvalidValueError,
    NotFoundError,
)
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import TransientNotificationError
from gesprekscyclus.ports.store import Store
from gesprekscyclus.serialization import from_data, to_data
from gesprekscyclus.service.app import (
    AgendaEntry,
    CarryOverResult,
    ConversationService,
    ManagerChange,
    TickReport,
)
from gesprekscyclus.service.dispatch import Backoff, Dispatcher
from gesprekscyclus.service.views import ConversationView

from . import strategies as gs

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday
MONTHLY = Interval(every=1, unit="months", anchor="cycle_start")
YEARLY = Interval(every=1, unit="years", anchor="cycle_start")
DESIGN = CycleDesign(
    name="service tests",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(type="check_in", cadence=(MONTHLY,)),
        TypeRule(type="growth_review", cadence=(YEARLY,), question_set_version=1),
    ),
    carry_over_limit=1,
)
HORIZON = (date(2026, 1, 1), date(2026, 3, 31))


def _staff() -> list[Person]:
    return [
        Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)),
        Person(id="m-2", name="Max", hire_date=date(2016, 1, 1), locale="en"),
        Person(id="h-1", name="Hanna HR", hire_date=date(2017, 1, 1)),
        Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"),
        Person(id="e-2", name="Ed", hire_date=date(2021, 6, 1), manager_id="m-1", locale="en"),
    ]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = (
        MemoryStore() if request.param == "memory" else open_sqlite_store(tmp_path / "s.db")
    )
    yield made
    made.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(store: Store, clock: FixedClock) -> ConversationService:
    made = ConversationService(store, clock, design=DESIGN, hr_contact_id="h-1")
    for person in _staff():
        made.hire(person)
    made.materialise(*HORIZON)
    return made


def _first(
    service: ConversationService, employee: str, type_key: str, *, reader: str = "h-1"
) -> ConversationView:
    return next(
        c for c in service.conversations_of(employee, reader=reader) if c.type_key == type_key
    )


def _held_check_in(service: ConversationService, clock: FixedClock) -> ConversationView:
    talk = _first(service, "e-1", "check_in")
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 1, 6, 10, 0, tzinfo=UTC))
    return service.record_held(talk.id)


# --- conversation lifecycle -----------------------------------------------------------------


def test_schedule_reschedule_and_cancel_notify_every_participant(
    service: ConversationService, store: Store
) -> None:
    talk = _first(service, "e-1", "check_in")
    scheduled = service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    assert scheduled.status.value == "scheduled"
    assert store.outbox_stats().pending == 2  # employee and manager
    moved = service.reschedule(talk.id, datetime(2026, 1, 7, 9, 0, tzinfo=UTC), reason="Ziek")
    assert moved.sequence == 1
    # A new sequence means new keys; the unsent invitations to the old time are withdrawn.
    assert store.outbox_stats().pending == 2
    assert store.outbox_stats().expired == 2
    service.cancel(talk.id, reason="Vertrekt")
    assert (store.outbox_stats().pending, store.outbox_stats().expired) == (2, 4)
    notifier = RecordingNotifier()
    Dispatcher(store, notifier, FixedClock(T0), owner="t").run_once()
    kinds = sorted(n.kind.value for n in notifier.sent)
    assert kinds == ["cancelled", "cancelled"]
    cancelled = [n for n in notifier.sent if n.kind.value == "cancelled"]
    assert all(n.conversation is not None and n.conversation.cancelled for n in cancelled)


def test_cancelling_a_planned_conversation_sends_nothing(
    service: ConversationService, store: Store
) -> None:
    talk = _first(service, "e-1", "check_in")
    assert service.cancel(talk.id, reason="Niet nodig").status.value == "cancelled"
    assert store.outbox_stats().pending == 0


def test_illegal_transitions_surface_unchanged(service: ConversationService) -> None:
    talk = _first(service, "e-1", "check_in")
    with pytest.raises(InvalidTransitionError) as caught:
        service.record_held(talk.id)
    assert caught.value.current == "planned"
    assert caught.value.requested == "hold"
    assert "schedule" in caught.value.allowed
    with pytest.raises(InvalidTransitionError, match="create_report"):
        service.create_report(talk.id, "Te vroeg", author_id="m-1")
    with pytest.raises(NotFoundError):
        service.schedule("no-such-id", datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    assert service.conversation(talk.id, reader="h-1") == talk


def test_mark_missed_keeps_the_record(service: ConversationService) -> None:
    talk = _first(service, "e-2", "check_in")
    missed = service.mark_missed(talk.id, reason="Vergeten")
    assert missed.status.value == "missed"
    assert (missed.reader_id, missed.notes, missed.history) == (None, (), ())
    assert service.conversation(talk.id, reader="m-1").history[-1].reason == "Vergeten"


def test_answers_are_validated_and_pinned(service: ConversationService, clock: FixedClock) -> None:
    talk = _first(service, "e-1", "growth_review")
    with pytest.raises(InvalidValueError) as caught:
        service.record_answers(talk.id, "e-1", {"no_such_question": "x"})
    assert caught.value.path == "growth_review@1.answers.no_such_question"
    answered = service.record_answers(talk.id, "e-1", {"successes": "Project X"})
    assert str(answered.question_set) == "growth_review@1"
    with pytest.raises(AccessDeniedError):
        service.record_answers(talk.id, "m-2", {"successes": "niet van mij"})
    assert service.conversation(talk.id, reader="e-1") == answered


def test_notes_keep_private_text_private(service: ConversationService) -> None:
    talk = _first(service, "e-1", "check_in")
    service.add_note(talk.id, "m-1", "Gedeeld", private=False)
    noted = service.add_note(talk.id, "m-1", "Alleen voor mij", private=True)
    assert [n.text for n in noted.notes] == ["Gedeeld", "Alleen voor mij"]
    assert [n.text for n in service.conversation(talk.id, reader="e-1").notes] == ["Gedeeld"]
    assert service.conversation(talk.id, reader="h-1").notes == ()


# --- reports ----------------------------------------------------------------------------------


def test_report_flow_reports_and_closes_the_conversation(
    service: ConversationService, clock: FixedClock
) -> None:
    review = _first(service, "e-1", "growth_review")
    service.schedule(review.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 1, 6, 11, 0, tzinfo=UTC))
    service.record_held(review.id)
    with pytest.raises(AccessDeniedError, match="draft_report"):
        service.create_report(review.id, "Door mij", author_id="e-1")
    report = service.create_report(review.id, "Goed jaar", author_id="m-1", agreements=["Cursus"])
    assert report.requires_sign_off  # growth reviews need sign-off
    assert report.summary == "Goed jaar"
    with pytest.raises(AccessDeniedError, match="draft_report"):
        service.report(review.id, reader="e-1")  # a draft is its author's only
    with pytest.raises(ConflictError):
        service.create_report(review.id, "Nog eens", author_id="m-1")
    service.share_report(review.id, comment_until=date(2026, 1, 13))
    assert service.report(review.id, reader="e-1").summary == "Goed jaar"
    assert service.conversation(review.id, reader="e-1").status.value == "reported"
    assert [r.conversation_id for r in service.pending_sign_offs(reader="e-1")] == [review.id]
    assert service.pending_sign_offs(reader="m-2") == ()
    with pytest.raises(AccessDeniedError, match="comment"):
        service.comment_on_report(review.id, "m-2", "Ik was er niet bij")
    service.comment_on_report(review.id, "e-1", "Mooi samengevat")
    with pytest.raises(AccessDeniedError):
        service.sign_report(review.id, "m-1", kind="agreed")
    service.refuse_sign_off(review.id, "e-1", reason="Niet eens met punt 2")
    service.add_written_view(review.id, "e-1", "Mijn kant")
    with pytest.raises(ConflictError):
        service.add_written_view(review.id, "e-1", "Nog een kant")
    with pytest.raises(AgreementNotConcreteError, match="'Cursus'"):
        service.file_report(review.id)  # growth reviews file only concrete agreements
    service.create_action_item(
        review.id, "Cursus", owner_id="e-1", due=date(2026, 3, 1), agreement=0
    )
    filed = service.file_report(review.id)
    assert filed.status.value == "filed"
    assert filed.written_view is not None
    assert filed.written_view.text == "Mijn kant"
    assert service.conversation(review.id, reader="m-1").status.value == "closed"
    assert service.pending_sign_offs(reader="e-1") == ()


# --- action items -----------------------------------------------------------------------------


def test_action_items_are_carried_until_the_limit(
    service: ConversationService, clock: FixedClock
) -> None:
    held = _held_check_in(service, clock)
    item = service.create_action_item(
        held.id, "Cursus zoeken", owner_id="e-1", due=date(2026, 2, 1)
    )
    with pytest.raises(ConflictError):
        service.create_action_item(held.id, "Cursus zoeken", owner_id="e-1", due=date(2026, 2, 1))
    agenda = service.agenda("e-1", reader="e-1", start=date(2026, 1, 6))
    assert agenda[0].action_items == (item,)
    assert all(entry.action_items == () for entry in agenda[1:])

    first = service.carry_over(held.id)
    assert first.next_conversation_id is not None
    assert [i.carry_count for i in first.carried] == [1]
    again = service.carry_over(held.id)
    assert again.carried == first.carried  # counted once
    assert service.action_item(item.id, reader="m-1").carry_count == 1
    with pytest.raises(AccessDeniedError):
        service.action_item(item.id, reader="m-2")
    with pytest.raises(AccessDeniedError, match="owner_id"):
        service.create_action_item(held.id, "Iets", owner_id="m-2")

    nxt = service.conversation(first.next_conversation_id, reader="m-1")
    service.schedule(nxt.id, datetime(2026, 1, 6, 15, 0, tzinfo=UTC))
    service.record_held(nxt.id)
    limited = service.carry_over(nxt.id)
    assert limited.carried == ()
    assert [d.item.id for d in limited.needs_decision] == [item.id]
    assert limited.needs_decision[0].options == (
        Decision.RESCOPE,
        Decision.CLOSE,
        Decision.ESCALATE,
    )
    rescoped = service.rescope_action_item(item.id, due=date(2026, 3, 1))
    assert rescoped.carry_count == 0
    assert service.carry_over(nxt.id).carried[0].carry_count == 1
    assert service.complete_action_item(item.id).status.value == "done"
    with pytest.raises(InvalidTransitionError):
        service.drop_action_item(item.id, reason="al klaar")


def test_overdue_action_items_and_escalation(
    service: ConversationService, clock: FixedClock
) -> None:
    held = _held_check_in(service, clock)
    late = service.create_action_item(held.id, "Plan", owner_id="m-1", due=date(2026, 1, 10))
    service.create_action_item(held.id, "Later", owner_id="e-1", due=date(2026, 6, 1))
    assert [i.id for i in service.overdue_action_items(date(2026, 1, 11), reader="m-1")] == [
        late.id
    ]
    assert service.overdue_action_items(date(2026, 1, 11), reader="m-2") == ()
    hr_item = service.create_action_item(held.id, "HR regelt het", owner_id="h-1")
    assert hr_item.owner_id == "h-1"  # HR may own items of conversations it is not part of
    escalated = service.escalate_action_item(late.id, to_id="h-1", reason="Blijft liggen")
    assert escalated.escalated_to == "h-1"
    assert service.drop_action_item(late.id, reason="Niet meer nodig").status.value == "dropped"
    assert service.overdue_action_items(date(2026, 1, 11), reader="m-1") == ()


# --- queries ----------------------------------------------------------------------------------


def test_due_and_overdue_conversations(service: ConversationService) -> None:
    due = service.due_conversations(date(2026, 1, 5), reader="h-1")
    assert {c.employee_id for c in due} == {"e-1", "e-2"}
    assert all(c.window.target <= date(2026, 1, 5) for c in due)
    assert {c.employee_id for c in service.due_conversations(date(2026, 1, 5), reader="e-1")} == {
        "e-1"
    }
    assert service.due_conversations(date(2026, 1, 5), reader="m-2") == ()
    overdue = service.overdue_conversations(date(2026, 2, 1), reader="m-1")
    assert overdue
    assert all(c.window.latest < date(2026, 2, 1) for c in overdue)
    later = service.due_conversations(date(2026, 2, 1), reader="h-1")
    assert not {c.id for c in due} & {c.id for c in later}


def test_manager_agenda_lists_upcoming_conversations_in_order(
    service: ConversationService,
) -> None:
    agenda = service.agenda(
        "m-1", reader="m-1", start=date(2026, 1, 20), end=date(2026, 3, 1), role="manager"
    )
    targets = [(e.conversation.window.target, e.conversation.id) for e in agenda]
    assert targets == sorted(targets)
    assert {e.conversation.employee_id for e in agenda} == {"e-1", "e-2"}
    assert all(date(2026, 1, 20) <= e.conversation.window.latest for e in agenda)


# --- manager change ---------------------------------------------------------------------------


def test_manager_change_moves_open_conversations_and_keeps_history(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    held = _held_check_in(service, clock)
    scheduled = next(
        c for c in service.conversations_of("e-1", reader="e-1") if c.status.value == "planned"
    )
    service.schedule(scheduled.id, datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    pending_before = store.outbox_stats().pending
    change = service.change_manager("e-1", "m-2", on=date(2026, 1, 15))
    assert change.old_manager_id == "m-1"
    assert held.id not in change.moved
    assert scheduled.id in change.moved
    by_id = {c.id: c for c in service.administration.conversations_of("e-1")}
    assert by_id[held.id].manager_id == "m-1"
    assert by_id[held.id].status.value == "held"
    assert all(
        c.manager_id == "m-2" for c in by_id.values() if c.status.value in ("planned", "scheduled")
    )
    assert by_id[scheduled.id].participant_ids == {"e-1", "m-2"}
    # the new manager hears about the scheduled one; the old one's unsent invitation is withdrawn
    assert store.outbox_stats().pending == pending_before - 1 + 1
    assert service.person("e-1").manager_id == "m-2"
    # planning again agrees with the move
    assert not service.materialise(*HORIZON).changed
    assert [
        e.conversation.id
        for e in service.agenda("m-1", reader="m-1", start=date(2026, 1, 6), role="manager")
    ]


def test_manager_change_through_a_life_event(service: ConversationService) -> None:
    with pytest.raises(InvalidValueError, match="new manager"):
        service.record_event(
            LifeEvent(on=date(2026, 1, 15), person_id="e-2", kind="manager_change")
        )
    service.record_event(
        LifeEvent(on=date(2026, 1, 15), person_id="e-2", kind="manager_change", detail="m-2")
    )
    assert service.person("e-2").manager_id == "m-2"
    with pytest.raises(NotFoundError):
        service.change_manager("e-2", "nobody", on=date(2026, 1, 16))


# --- consistency ------------------------------------------------------------------------------


class _ExplodingOutbox:
    def __init__(self, inner: Any):
        self._inner = inner

    def enqueue(self, notifications: Any, *, due_at: datetime) -> int:
        self._inner.enqueue(notifications, due_at=due_at)
        raise RuntimeError("disk full")

    def by_key(self, key: str) -> Any:
        return self._inner.by_key(key)


class _ExplodingUnit:
    def __init__(self, inner: Any):
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def outbox(self) -> _ExplodingOutbox:
        return _ExplodingOutbox(self._inner.outbox)


class _ExplodingStore:
    """Wraps a store; while armed, every enqueue fails after writing."""

    def __init__(self, inner: Store):
        self.inner = inner
        self.armed = False

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        with self.inner.unit_of_work() as uow:
            yield _ExplodingUnit(uow) if self.armed else uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failure_inside_a_command_leaves_neither_change_nor_outbox_row(
    store: Store, clock: FixedClock
) -> None:
    exploding = _ExplodingStore(store)
    service = ConversationService(exploding, clock, design=DESIGN)  # type: ignore[arg-type]
    for person in _staff():
        service.hire(person)
    service.materialise(*HORIZON)
    talk = _first(service, "e-1", "check_in", reader="m-1")
    exploding.armed = True
    with pytest.raises(RuntimeError, match="disk full"):
        service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    exploding.armed = False
    assert service.conversation(talk.id, reader="m-1") == _first(
        service, "e-1", "check_in", reader="m-1"
    )
    assert service.conversation(talk.id, reader="m-1").status.value == "planned"
    assert store.outbox_stats().pending == 0
    # a domain error part-way leaves nothing either
    with pytest.raises(InvalidValueError):
        service.schedule(talk.id, datetime(2026, 1, 6, 9, 0))  # naive
    assert service.conversation(talk.id, reader="m-1").status.value == "planned"
    assert store.outbox_stats().pending == 0


def test_a_failing_notifier_keeps_the_change_and_retries_the_row(
    service: ConversationService, store: Store, clock: FixedClock
) -> None:
    talk = _first(service, "e-1", "check_in")
    scheduled = service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    notifier.fail_with(TransientNotificationError("mail server busy"), times=2)
    dispatcher = Dispatcher(
        store, notifier, clock, owner="t", backoff=Backoff(base_seconds=1, jitter=0)
    )
    report = dispatcher.run_once()
    assert report.retried == 2
    assert report.sent == 0
    assert service.conversation(talk.id, reader="h-1").starts_at == scheduled.starts_at
    assert store.outbox_stats().pending == 2
    clock.advance(minutes=5)
    assert dispatcher.run_once().sent == 2
    assert all(notifier.count(key) == 1 for key in notifier.keys)


# --- hostile text -----------------------------------------------------------------------------

HOSTILE = [
    "Robert'); DROP TABLE people;--",
    "<script>alert('x')</script> & \"quotes\"",
    "regel 1\nregel 2\r\n\tingesprongen",
    "Zoë \u202e omgekeerd \u202e 北京 🎉 \u200b",
    "${recipient_name} $$ %s {0}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_round_trips_through_the_service(
    store: Store, clock: FixedClock, text: str
) -> None:
    _hostile_round_trip(store, clock, text)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(text=gs.texts)
def test_any_text_round_trips_through_sqlite(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_sqlite_store(Path(folder) / "h.db")
        try:
            _hostile_round_trip(store, FixedClock(T0), text)
        finally:
            store.close()


def _hostile_round_trip(store: Store, clock: FixedClock, text: str) -> None:
    design = CycleDesign(
        name="hostile", cycle_start=date(2026, 1, 1), types=(TypeRule("check_in", (MONTHLY,)),)
    )
    service = ConversationService(store, clock, design=design)
    service.hire(Person(id="m-1", name=text, hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name=text, hire_date=date(2020, 1, 1), manager_id="m-1"))
    service.materialise(date(2026, 1, 1), date(2026, 1, 31))
    talk = service.conversations_of("e-1", reader="e-1")[0]
    service.add_note(talk.id, "m-1", text, private=True)
    service.record_answers(talk.id, "e-1", {"on_your_mind": text})
    item = service.create_action_item(talk.id, text, owner_id="e-1")
    service.schedule(talk.id, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    service.record_held(talk.id)
    service.create_report(talk.id, text, author_id="m-1", agreements=[text])
    assert service.person("e-1").name == text
    stored = service.conversation(talk.id, reader="m-1")
    assert [n.text for n in stored.notes] == [text]
    assert [(a.author_id, a.value) for a in stored.answers] == [("e-1", text)]
    assert service.action_item(item.id, reader="e-1").title == text
    report = service.report(talk.id, reader="m-1")
    assert (report.summary, report.agreements) == (text, (text,))


# --- values -----------------------------------------------------------------------------------


@given(gs.agenda_entries, gs.carry_over_results, gs.manager_changes, gs.tick_reports)
def test_service_values_round_trip(
    entry: AgendaEntry, carried: CarryOverResult, change: ManagerChange, tick: TickReport
) -> None:
    public = attrs.evolve(
        entry.conversation, notes=tuple(n for n in entry.conversation.notes if not n.private)
    )  # private notes never leave through to_data, not even the reader's own
    assert from_data(AgendaEntry, to_data(entry)) == attrs.evolve(entry, conversation=public)
    assert from_data(CarryOverResult, to_data(carried)) == carried
    assert from_data(ManagerChange, to_data(change)) == change
    assert from_data(TickReport, to_data(tick)) == tick


def test_hr_contact_must_not_be_blank(store: Store, clock: FixedClock) -> None:
    with pytest.raises(InvalidValueError, match="hr_contact_id"):
        ConversationService(store, clock, design=DESIGN, hr_contact_id="  ")


def test_event_for_an_unknown_person_is_refused(service: ConversationService) -> None:
    with pytest.raises(NotFoundError):
        service.record_sick_report("ghost", on=date(2026, 1, 5))
    assert service.record_sick_report("e-1", on=date(2026, 1, 5)).recorded is True
    assert service.record_sick_report("e-1", on=date(2026, 1, 5)).recorded is False
    service.record_recovery("e-1", on=date(2026, 1, 12))
    service.record_leave("e-2", start=date(2026, 2, 1), end=date(2026, 2, 20))
    with service.store.unit_of_work() as uow:
        assert [e.kind.value for e in uow.events.for_person("e-1")][-2:] == [
            "sick_report",
            "recovery",
        ]
        assert [e.kind.value for e in uow.events.for_person("e-2")][-2:] == [
            "leave_started",
            "leave_ended",
        ]
