"""Erasure verified where the data lives: the bytes of the SQLite files, PostgreSQL's rows.

Both run on a store with a realistic history: a year of monthly check-ins for a department of
two dozen (hundreds of conversations), notes on every held one, and the reminders sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.absence_records import SickReportRecord
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.conversations import ConversationStatus
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service import privacy
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher

from .postgres_support import postgres_factory

NAME = "Zwaantje Onvindbaar"
EMAIL = "zwaantje.onvindbaar@example.org"
NOTE = "Zwaantje vertelde over haar plannen met kenmerk 4471-QX"
PRIVATE = "Privé indruk van het gesprek, kenmerk 9182-ZK"
TARGET = "zw-1"
SECRETS = (NAME, EMAIL, NOTE, PRIVATE, "kenmerk", "0612 345 678")

DESIGN = CycleDesign(
    name="history",
    cycle_start=date(2025, 1, 1),
    types=(
        TypeRule(
            type="check_in",
            cadence=(Interval(every=1, unit="months", anchor="cycle_start"),),
            window_before=3,
            window_after=10,
        ),
    ),
)


def _history(store: Store) -> ConversationService:
    clock = FixedClock(datetime(2025, 1, 1, 7, 0, tzinfo=UTC))
    service = ConversationService(store, clock, design=DESIGN, state_changes=True)
    managers = [
        Person(id=f"m-{n}", name=f"Manager {n}", hire_date=date(2015, 1, 1), email=f"m{n}@x.org")
        for n in range(3)
    ]
    staff = [
        Person(
            id=f"e-{n:02}",
            name=f"Medewerker {n}",
            hire_date=date(2020, 1, 1),
            manager_id=f"m-{n % 3}",
            email=f"e{n}@x.org",
        )
        for n in range(27)
    ]
    target = Person(id=TARGET, name=NAME, hire_date=date(2019, 6, 1), manager_id="m-0", email=EMAIL)
    for person in [*managers, *staff, target]:
        service.hire(person)
    service.record_absence(
        SickReportRecord(
            person_id=TARGET,
            first_sick_day=date(2025, 2, 3),
            contact_phone="0612 345 678",
            expected_duration="days",
        )
    )
    service.record_recovery(TARGET, on=date(2025, 2, 7))
    service.materialise(date(2025, 1, 1), date(2025, 12, 31))
    dispatcher = Dispatcher(store, RecordingNotifier(), clock, owner="history")
    for month in range(1, 13):
        now = datetime(2025, month, 1, 7, 0, tzinfo=UTC)
        clock.set(now)
        service.enqueue_due_reminders(now)
        dispatcher.run_once()
        for person in [*staff[:12], target]:
            talks = [
                t
                for t in service.administration.conversations_of(person.id)
                if t.status is ConversationStatus.PLANNED and t.window.target.month == month
            ]
            for talk in talks:
                service.schedule(talk.id, now + timedelta(days=2))
                clock.set(now + timedelta(days=1))
                service.enqueue_due_reminders(clock.now())
                dispatcher.run_once()
                mine = person.id == TARGET
                service.add_note(talk.id, talk.manager_id or "", NOTE if mine else "Goed gesprek")
                service.add_note(
                    talk.id, talk.manager_id or "", PRIVATE if mine else "x", private=True
                )
                service.add_note(talk.id, person.id, f"{NAME} zelf" if mine else "eigen notitie")
                service.record_held(talk.id)
                clock.set(now)
    return service


def _files(path: Path) -> dict[str, bytes]:
    found = {}
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            found[part.name] = part.read_bytes()
    return found


def test_sqlite_files_hold_no_trace_of_an_erased_person(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    store = open_sqlite_store(path)
    try:
        service = _history(store)
        with store.unit_of_work() as uow:
            conversations = len(uow.conversations.by_status(list(ConversationStatus)))
        assert conversations >= 300
        assert store.outbox_stats().sent >= 100
        before = b"".join(_files(path).values())
        for secret in SECRETS:
            assert secret.encode() in before  # the history really holds them
        assert f"person/{TARGET}".encode() in before  # and their state changes

        report = service.erase_person(TARGET, reason="request under AVG art. 17")
        assert report.removed["conversations"] == 12
        assert report.removed["outbox_messages"] > 0

        files = _files(path)  # the store is still open: every file it keeps is there
        assert set(files) >= {"history.sqlite"}
        for name, data in files.items():
            for secret in SECRETS:
                assert secret.encode() not in data, f"{secret!r} found in {name}"
            assert f'"{TARGET}"'.encode() not in data, name
            assert f"person/{TARGET}".encode() not in data, name  # no state-change counter
        assert b"Medewerker 7" in files["history.sqlite"]  # the others' data stays
    finally:
        store.close()
    for name, data in _files(path).items():
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret!r} found in {name} after closing"


@pytest.fixture
def postgres_store(tmp_path: Path) -> Iterator[Store]:
    store = postgres_factory(tmp_path)()
    yield store
    store.close()


@pytest.mark.postgres
def test_no_postgres_row_mentions_an_erased_person(postgres_store: Store) -> None:
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql  # noqa: PLC0415

    service = _history(postgres_store)
    service.erase_person(TARGET, reason="request under AVG art. 17")
    schema = getattr(postgres_store, "schema", None)
    assert schema
    from .postgres_support import dsn  # noqa: PLC0415

    tables = (
        "people",
        "life_events",
        "absence_records",
        "conversations",
        "reports",
        "action_items",
        "outbox",
        "event_sequences",
    )
    with psycopg.connect(dsn(), application_name="gesprekscyclus-erasure-test") as connection:
        for table in tables:
            name = sql.Identifier(schema, table)
            total = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(name)).fetchone()
            for needle in (*SECRETS, f'"{TARGET}"', TARGET):
                found = connection.execute(
                    sql.SQL("SELECT count(*) FROM {} AS t WHERE t::text LIKE %s").format(name),
                    (f"%{needle}%",),
                ).fetchone()
                assert found == (0,), f"{needle!r} in {table}"
            if table in ("people", "conversations", "outbox"):
                assert total is not None
                assert total[0] > 0  # the other people's rows are still there


def test_deleting_alone_leaves_bytes_in_the_log_that_compact_removes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    store = open_sqlite_store(path)
    try:
        _history(store)
        with store.unit_of_work() as uow:
            privacy.erase_person(uow, TARGET, reason="request", at=datetime(2026, 1, 5, tzinfo=UTC))
        left = b"".join(_files(path).values())
        assert NAME.encode() in left  # the write-ahead log still holds the old pages
        store.compact()
        files = _files(path)
        assert files["history.sqlite-wal"] == b""
        assert not any(NAME.encode() in data for data in files.values())
    finally:
        store.close()


def test_an_erasure_that_cannot_compact_says_so_and_compact_finishes_later(
    tmp_path: Path,
) -> None:
    path = tmp_path / "busy.sqlite"
    store = open_sqlite_store(path, busy_timeout=0.2)
    try:
        service = ConversationService(
            store, FixedClock(datetime(2026, 1, 5, tzinfo=UTC)), design=DESIGN
        )
        service.hire(Person(id=TARGET, name=NAME, hire_date=date(2020, 1, 1), email=EMAIL))
        service.hire(Person(id="e-1", name="Medewerker 1", hire_date=date(2020, 1, 1)))
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM people").fetchone()  # holds a read snapshot
        report = service.erase_person(TARGET, reason="request")
        assert report.removed["people"] == 1
        assert not report.compacted
        assert report.compact_problem is not None
        assert "sqlite store" in report.compact_problem
        reader.rollback()
        reader.close()
        service.compact()
        assert not any(NAME.encode() in data for data in _files(path).values())
    finally:
        store.close()


def test_a_purge_that_cannot_compact_says_so_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    store = open_sqlite_store(path, busy_timeout=0.2)
    try:
        service = ConversationService(
            store, FixedClock(datetime(2026, 1, 5, tzinfo=UTC)), design=DESIGN
        )
        leaver = Person(
            id=TARGET, name=NAME, hire_date=date(2020, 1, 1), end_date=date(2021, 6, 30)
        )
        service.hire(leaver)
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM people").fetchone()
        report = service.purge(datetime(2026, 1, 5, tzinfo=UTC))
        reader.rollback()
        reader.close()
        assert report.removed["people"] == 1
        assert not report.compacted
        assert report.compact_problem is not None
        assert service.purge(datetime(2026, 1, 5, tzinfo=UTC)).removed.total == 0
    finally:
        store.close()
