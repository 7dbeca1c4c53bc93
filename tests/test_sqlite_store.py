"""SQLite specifics: migrations, driver errors, threads; outbox value round-trips."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.schema import MIGRATIONS, current_version
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import StoppedError, StoreError
from gesprekscyclus.ports.store import OutboxMessage, OutboxStats
from gesprekscyclus.serialization import from_data, to_data
from gesprekscyclus.service.dispatch import Backoff, DispatchReport
from gesprekscyclus.testing.contract import T0, make_notification

from . import strategies as gs

LATEST = MIGRATIONS[-1][0]


def test_opening_twice_applies_each_migration_once(tmp_path: Path) -> None:
    first = open_sqlite_store(tmp_path / "s.db")
    second = open_sqlite_store(tmp_path / "s.db")
    assert first.schema_version == second.schema_version == LATEST
    connection = sqlite3.connect(tmp_path / "s.db")
    versions = [row[0] for row in connection.execute("SELECT version FROM schema_version")]
    connection.close()
    assert versions == [number for number, _ in MIGRATIONS]
    first.close()
    second.close()


def test_an_older_file_is_migrated_forward_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for statement in MIGRATIONS[0][1]:
        connection.execute(statement)
    connection.execute("INSERT INTO schema_version (version) VALUES (1)")
    connection.execute("INSERT INTO outbox (key, payload, due_at) VALUES ('k', '{}', 0)")
    assert current_version(connection) == 1
    connection.close()
    store = open_sqlite_store(path)
    assert store.schema_version == LATEST
    assert store.outbox_stats() == OutboxStats(pending=1)
    store.close()


def test_driver_errors_become_store_errors_with_the_cause(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as caught:
        open_sqlite_store(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_units_of_work_do_not_nest(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "s.db")
    with pytest.raises(StoreError), store.unit_of_work(), store.unit_of_work():
        pass  # pragma: no cover - the inner one cannot start
    store.close()


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "s.db")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.outbox_stats()


def test_threads_each_get_their_own_connection(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "s.db")
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for n in range(25):
                with store.unit_of_work() as uow:
                    uow.people.upsert(
                        Person(id=f"p-{thread}-{n}", name="X", hire_date=date(2020, 1, 1))
                    )
                    uow.outbox.enqueue(
                        [make_notification(f"k-{thread}-{n}")], due_at=datetime.now(UTC)
                    )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.unit_of_work() as uow:
        assert len(uow.people.all()) == 100
    assert store.outbox_stats().pending == 100
    store.close()


@given(gs.outbox_messages())
def test_outbox_messages_round_trip(message: OutboxMessage) -> None:
    assert from_data(OutboxMessage, to_data(message)) == message


@given(gs.outbox_stats, gs.dispatch_reports, gs.backoffs)
def test_outbox_values_round_trip(
    stats: OutboxStats, report: DispatchReport, backoff: Backoff
) -> None:
    assert from_data(OutboxStats, to_data(stats)) == stats
    assert from_data(DispatchReport, to_data(report)) == report
    assert from_data(Backoff, to_data(backoff)) == backoff


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (
            "SELECT id FROM conversations WHERE status = 'scheduled' AND starts_at < 0"
            " ORDER BY starts_at, id",
            "conversations_scheduled",
        ),
        ("SELECT id FROM conversations WHERE status = 'held'", "conversations_held"),
        (
            "SELECT id FROM conversations WHERE status IN ('planned', 'scheduled')"
            " AND target <= '2026-01-01' ORDER BY target, id",
            "conversations_due",
        ),
        (
            "SELECT data FROM reports WHERE status = 'shared' ORDER BY conversation_id",
            "reports_shared",
        ),
        (
            "SELECT data FROM action_items WHERE status = 'open' AND due IS NOT NULL"
            " AND due < '2026-01-01' ORDER BY due, id",
            "action_items_open_due",
        ),
    ],
)
def test_the_service_queries_use_their_indexes(tmp_path: Path, query: str, index: str) -> None:
    store = open_sqlite_store(tmp_path / "s.db")
    store.close()
    connection = sqlite3.connect(tmp_path / "s.db")
    plan = " ".join(str(row[-1]) for row in connection.execute(f"EXPLAIN QUERY PLAN {query}"))
    connection.close()
    assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """A second connection that holds the file's write lock until it rolls back."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def _release_after(holder: sqlite3.Connection, seconds: float) -> threading.Thread:
    def release() -> None:
        time.sleep(seconds)
        holder.execute("ROLLBACK")

    thread = threading.Thread(target=release)
    thread.start()
    return thread


@pytest.mark.parametrize("stoppable", [False, True], ids=["no stop", "stop installed"])
def test_a_writer_waits_for_another_one_until_it_is_done(tmp_path: Path, stoppable: bool) -> None:
    store = open_sqlite_store(tmp_path / "s.db", busy_timeout=5)
    if stoppable:
        store.stop_waiting_when(lambda: False)
    holder = _hold_write_lock(tmp_path / "s.db")
    releasing = _release_after(holder, 1.0)
    began = time.monotonic()
    try:
        with store.unit_of_work() as uow:  # waits about 1 s, in several turns with a stop
            uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
        waited = time.monotonic() - began
    finally:
        releasing.join()
        holder.close()
    assert 0.9 <= waited < 4.0
    assert store.outbox_stats().pending == 1
    store.close()


@pytest.mark.parametrize("stoppable", [False, True], ids=["no stop", "stop installed"])
def test_a_writer_gives_up_after_the_busy_timeout_in_total(tmp_path: Path, stoppable: bool) -> None:
    store = open_sqlite_store(tmp_path / "s.db", busy_timeout=1)
    if stoppable:
        store.stop_waiting_when(lambda: False)
    holder = _hold_write_lock(tmp_path / "s.db")
    began = time.monotonic()
    try:
        with pytest.raises(StoreError) as caught:
            store.claim_due("w-1", now=T0, limit=5, lease_seconds=60)
        waited = time.monotonic() - began
    finally:
        holder.close()
    assert 0.95 <= waited < 3.0
    assert str(caught.value).endswith(
        "claim_due (begin) failed: database is locked; another writer held the write lock"
        " longer than the busy timeout (1 s)"
    )
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    with store.unit_of_work() as uow:  # the store works on, its full busy timeout back
        uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
    store.close()


def test_a_stop_ends_a_wait_for_the_write_lock_before_anything_is_done(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "s.db", busy_timeout=30)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
    stop = threading.Event()
    store.stop_waiting_when(stop.is_set)
    holder = _hold_write_lock(tmp_path / "s.db")
    stopping = threading.Timer(0.3, stop.set)
    stopping.start()
    began = time.monotonic()
    try:
        with pytest.raises(StoppedError, match=r"claim_due stopped waiting for the write lock"):
            store.claim_due("w-1", now=T0, limit=5, lease_seconds=60)
        took = time.monotonic() - began
        assert 0.25 <= took < 1.5, f"the wait ended {took:.2f} s after it began"
        with pytest.raises(StoppedError, match=r"unit of work stopped"), store.unit_of_work():
            pass  # pragma: no cover - it does not start
    finally:
        stopping.join()
        holder.close()
    [claimed] = store.claim_due("w-2", now=T0, limit=5, lease_seconds=60)  # nothing was taken
    assert claimed.key == "k-1"
    assert store.outbox_stats() == OutboxStats(pending=1, leased=1, sent=0, dead=0, expired=0)
    store.close()


def test_recording_a_delivery_still_waits_the_whole_busy_timeout(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "s.db", busy_timeout=5)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
    stopping = threading.Event()
    store.stop_waiting_when(stopping.is_set)
    [message] = store.claim_due("w-1", now=T0, limit=5, lease_seconds=60)  # in turns
    stopping.set()
    holder = _hold_write_lock(tmp_path / "s.db")
    releasing = _release_after(holder, 1.0)
    try:
        assert store.mark_sent_many("w-1", [message.id], now=T0) == {message.id}
    finally:
        releasing.join()
        holder.close()
    assert store.outbox_stats().sent == 1
    store.close()
