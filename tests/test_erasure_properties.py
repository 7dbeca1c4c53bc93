"""Properties of erasure on random small histories (memory store)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus, Note
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.pseudonyms import mentions, placeholder_for
from gesprekscyclus.errors import NotFoundError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="p",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
        ),
    ),
)

#: (employee index, whether the manager writes it, private) per note.
notes = st.lists(st.tuples(st.integers(0, 4), st.booleans(), st.booleans()), max_size=10)


def _world(
    size: int, written: list[tuple[int, bool, bool]]
) -> tuple[MemoryStore, ConversationService]:
    store = MemoryStore()
    clock = FixedClock(T0)
    service = ConversationService(store, clock, design=DESIGN)
    service.hire(Person(id="m-1", name="Mila", hire_date=date(2019, 1, 1), email="m@x.org"))
    service.hire(Person(id="h-1", name="Henk", hire_date=date(2019, 1, 1)))
    for n in range(size):
        service.hire(
            Person(id=f"e-{n}", name=f"Emp {n}", hire_date=date(2024, 1, 1), manager_id="m-1")
        )
    service.materialise(date(2026, 1, 1), date(2026, 3, 31))
    for index, (who, by_manager, private) in enumerate(written):
        employee = f"e-{who % size}"
        talk = service.administration.conversations_of(employee)[0]
        author = "m-1" if by_manager else employee
        service.add_note(talk.id, author, f"note {index} by {author}", private=private)
        if index % 3 == 0 and talk.status is ConversationStatus.PLANNED:
            service.schedule(talk.id, T0 + timedelta(days=1))
            service.create_action_item(talk.id, f"item {index}", owner_id="m-1")
    service.enqueue_due_reminders(T0 + timedelta(hours=12))
    Dispatcher(store, RecordingNotifier(), clock, owner="p").run_once()
    return store, service


def _stored(store: MemoryStore) -> list[object]:
    with store.unit_of_work() as uow:
        talks = uow.conversations.by_status(list(ConversationStatus))
        ids = [talk.id for talk in talks]
        reports = [r for r in (uow.reports.find(i) for i in ids) if r is not None]
        values: list[object] = [*uow.people.all(), *uow.events.all(), *talks, *reports]
        values += uow.action_items.from_conversations(ids)
        for person in uow.absence_records.people():
            values += uow.absence_records.for_person(person)
    stats = store.outbox_stats()
    total = stats.pending + stats.sent + stats.dead
    found, message_id = 0, 1
    while found < total:
        try:
            values.append(store.outbox_message(message_id).notification)
            found += 1
        except NotFoundError:
            pass
        message_id += 1
    return values


def _others_notes(store: MemoryStore, gone: str) -> dict[str, list[tuple[str, str, bool]]]:
    with store.unit_of_work() as uow:
        talks = uow.conversations.by_status(list(ConversationStatus))
    return {
        talk.id: sorted(
            (n.author_id, n.text, n.private)
            for n in _notes(talk)
            if n.author_id not in (gone, placeholder_for(gone))
        )
        for talk in talks
        if talk.employee_id != gone
    }


def _notes(talk: Conversation) -> tuple[Note, ...]:
    """Every note, private ones included (what the store keeps)."""
    return talk._notes


@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 4), written=notes, target=st.integers(0, 4))
def test_after_erasure_nothing_stored_names_the_employee(
    size: int, written: list[tuple[int, bool, bool]], target: int
) -> None:
    store, service = _world(size, written)
    gone = f"e-{target % size}"
    before = _others_notes(store, gone)
    service.erase_person(gone, reason="request")
    assert not any(mentions(value, gone) for value in _stored(store))
    assert _others_notes(store, gone) == before  # the others' files are untouched


@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 4), written=notes)
def test_an_erased_manager_leaves_no_trace_and_no_private_note(
    size: int, written: list[tuple[int, bool, bool]]
) -> None:
    store, service = _world(size, written)
    for n in range(size):
        service.change_manager(f"e-{n}", "h-1", on=date(2026, 1, 5))
    shared = sum(1 for _who, by_manager, private in written if by_manager and not private)
    service.erase_person("m-1", reason="left")
    values = _stored(store)
    assert not any(mentions(value, "m-1") for value in values)
    placeholder = placeholder_for("m-1")
    kept = [
        n
        for value in values
        if isinstance(value, Conversation)
        for n in _notes(value)
        if n.author_id == placeholder
    ]
    assert not any(n.private for n in kept)
    assert len(kept) == shared  # the shared notes stay, in the employees' files
