"""Migration 9: follow-up ids of the old, ever longer form become short, on a real SQLite file
and on PostgreSQL, with every reference following.

The store is filled by the service itself while the planner still writes the old form of
follow-up occurrences (``follow-up:<id it follows>:<question>``, as releases before this
migration did), through every path that names a conversation: reminders enqueued and sent,
a report, an action item, the access log. The store's schema version is then set back to
8 and the store opened again, as an upgrade would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import AnswerTrigger, Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.reminders import reminder_key
from gesprekscyclus.errors import NotFoundError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.planner import conversation_id, follow_ups
from gesprekscyclus.planning.planner.ids import follow_up_occurrence, short_follow_up_id
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import AccessLogEntry, Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher

from . import postgres_support as pg

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="follow-up chains",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="check_in",
            cadence=(Interval(every=1, unit="months", anchor="cycle_start"),),
            follow_ups=(
                AnswerTrigger(
                    "check_in", "considering_leaving", "equals", True, "stay_interview", 14
                ),
            ),
        ),
        TypeRule(
            type="stay_interview",
            follow_ups=(
                AnswerTrigger(
                    "stay_interview", "considering_leaving", "equals", True, "stay_interview", 14
                ),
            ),
        ),
    ),
)
HORIZON = (date(2026, 1, 1), date(2026, 3, 31))


def _old_occurrence(parent_id: str, question_key: str) -> str:
    return f"follow-up:{parent_id}:{question_key}"


class _Place:
    """Where a store lives, so it can be opened again and set back to an older version."""

    def __init__(self, open_: Callable[[], Store], downgrade: Callable[[], None]):
        self.open = open_
        self.downgrade = downgrade


@pytest.fixture(params=["sqlite", "postgres"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Place]:
    if request.param == "sqlite":
        path = tmp_path / "old.db"

        def downgrade_file() -> None:
            with sqlite3.connect(path) as connection:
                connection.execute("DELETE FROM schema_version WHERE version = 9")
            connection.close()

        yield _Place(lambda: open_sqlite_store(path), downgrade_file)
        return
    pg.require_postgres()
    schema = pg.new_schema_name()

    def downgrade_schema() -> None:
        with pg.psycopg.connect(pg.dsn(), autocommit=True) as connection:
            connection.execute(
                pg.sql.SQL("DELETE FROM {}.schema_version WHERE version = 9").format(
                    pg.sql.Identifier(schema)
                )
            )

    yield _Place(lambda: pg.open_store(schema), downgrade_schema)
    pg.drop_schema(schema)


def _staff() -> list[Person]:
    return [
        Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)),
        Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"),
    ]


def _stays(service: ConversationService) -> list[str]:
    views = service.conversations_of("e-1", reader="e-1")
    return [view.id for view in views if view.type_key == "stay_interview"]


def _hold(service: ConversationService, clock: FixedClock, talk_id: str, at: datetime) -> None:
    service.schedule(talk_id, at)
    service.record_answers(talk_id, "e-1", {"considering_leaving": True})
    clock.set(at.replace(hour=at.hour + 1))
    service.record_held(talk_id)


def _fill_the_old_way(store: Store, clock: FixedClock) -> tuple[str, str]:
    """A check-in, its stay interview and that one's stay interview, with reminders,
    a report, an action item and an access log entry; returns the two follow-up ids."""
    service = ConversationService(store, clock, design=DESIGN)
    for person in _staff():
        service.hire(person)
    service.materialise(*HORIZON)
    check_in = next(
        v.id for v in service.conversations_of("e-1", reader="e-1") if v.type_key == "check_in"
    )
    _hold(service, clock, check_in, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    service.materialise(*HORIZON)
    (first,) = _stays(service)
    dispatcher = Dispatcher(store, RecordingNotifier(), clock, owner="t")
    _hold(service, clock, first, datetime(2026, 1, 8, 9, 0, tzinfo=UTC))
    service.enqueue_due_reminders(clock.now())
    dispatcher.run_once()
    service.create_report(first, "Goed gesprek", author_id="m-1")
    service.create_action_item(first, "Opleiding zoeken", owner_id="e-1")
    service.materialise(*HORIZON)
    second = next(key for key in _stays(service) if key != first)
    service.schedule(second, datetime(2026, 1, 12, 9, 0, tzinfo=UTC))  # invitations
    service.enqueue_due_reminders(clock.now())  # a preparation reminder, among others
    dispatcher.run_once()
    with store.unit_of_work() as uow:
        uow.access_log.append(
            [
                AccessLogEntry(
                    at=clock.now(),
                    reader_id="m-1",
                    subject_id="e-1",
                    record_kind="conversation",
                    record_id=second,
                    sensitivity="confidential",
                )
            ]
        )
    return first, second


def test_migration_9_shortens_follow_up_chains_and_every_reference(
    place: _Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(T0)
    with monkeypatch.context() as old_release:
        old_release.setattr(follow_ups, "follow_up_occurrence", _old_occurrence)
        store = place.open()
        old_first, old_second = _fill_the_old_way(store, clock)
        stats_before = store.outbox_stats()
        store.close()
    assert old_first in old_second  # the old form: the chain's ids grow
    place.downgrade()

    store = place.open()
    try:
        service = ConversationService(store, clock, design=DESIGN)
        first, second = short_follow_up_id(old_first), short_follow_up_id(old_second)
        assert _stays(service) == [first, second]
        check_in = old_first.split("-follow-up:")[1].rsplit(":", 1)[0]
        assert first == conversation_id(
            "e-1", "stay_interview", follow_up_occurrence(check_in, "considering_leaving")
        )
        assert second == conversation_id(
            "e-1", "stay_interview", follow_up_occurrence(first, "considering_leaving")
        )
        assert len(first) == len(second) < 60
        assert all(c not in first + second for c in "/:%?#")
        # The planner finds what it planned: nothing is planned twice.
        assert service.materialise(*HORIZON).added == 0
        assert _stays(service) == [first, second]
        # The report, the action item and the access log follow.
        assert service.report(first, reader="m-1").summary == "Goed gesprek"
        with store.unit_of_work() as uow:
            (item,) = uow.action_items.from_conversations([first])
            assert item.title == "Opleiding zoeken"
            assert uow.action_items.from_conversations([old_first]) == []
            entries = uow.access_log.about("e-1")
            assert [e.record_id for e in entries if e.record_kind == "conversation"] == [second]
        with pytest.raises(NotFoundError):
            service.conversation(old_second, reader="e-1")
        # Sent reminders keep their keys under the new ids: none is sent again.
        assert store.outbox_stats() == stats_before
        assert service.enqueue_due_reminders(clock.now()).enqueued == 0
        with store.unit_of_work() as uow:
            invitation = uow.outbox.by_key(reminder_key("scheduled", second, "e-1", 0))
        assert invitation is not None
        assert invitation.notification is not None
        assert invitation.notification.conversation is not None
        assert invitation.notification.conversation.id == second
    finally:
        store.close()


def test_migration_9_leaves_a_store_without_old_follow_ups_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    store = open_sqlite_store(path)
    service = ConversationService(store, FixedClock(T0), design=DESIGN)
    for person in _staff():
        service.hire(person)
    service.materialise(*HORIZON)
    before = service.conversations_of("e-1", reader="e-1")
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM schema_version WHERE version = 9")
    connection.close()
    store = open_sqlite_store(path)
    try:
        again = ConversationService(store, FixedClock(T0), design=DESIGN)
        assert again.conversations_of("e-1", reader="e-1") == before
    finally:
        store.close()
