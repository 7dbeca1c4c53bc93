"""PostgreSQL specifics: migrations, connection settings, driver errors, bulk paths, threads."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from gesprekscyclus.adapters.postgres import open_postgres_store
from gesprekscyclus.adapters.postgres.schema import MIGRATIONS, check_schema_name, lock_key
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import ConflictError, InvalidValueError, StoreError, StoreRefusedError
from gesprekscyclus.ports.store import OutboxStats, Store
from gesprekscyclus.testing.contract import HOSTILE_TEXTS, T0, make_notification

from .postgres_support import (
    disposable_store,
    drop_schema,
    new_schema_name,
    open_store,
    require_postgres,
)

pytestmark = pytest.mark.postgres

# Without the driver the contract suite's PostgreSQL entry reports the reason (and fails
# under CI=true); these adapter-specific tests just need it importable.
psycopg = pytest.importorskip("psycopg", reason="the 'postgres' extra is not installed")
pg_store = pytest.importorskip("gesprekscyclus.adapters.postgres.store")
sql = psycopg.sql

LATEST = MIGRATIONS[-1][0]


class _CrashError(Exception):
    pass


@pytest.fixture
def store() -> Iterator[Any]:
    made = disposable_store()
    yield made
    made.close()


@pytest.fixture
def schema() -> Iterator[str]:
    require_postgres()
    name = new_schema_name()
    yield name
    drop_schema(name)


def _conversations(count: int, start: int = 0) -> list[Conversation]:
    made = []
    for i in range(start, start + count):
        target = date(2026, 1, 1) + timedelta(days=i % 365)
        made.append(
            Conversation.plan(
                id=f"c-{i:06d}",
                type_key="check_in",
                employee_id=f"e-{i // 4:05d}",
                manager_id="m-1",
                window=Window(target - timedelta(days=7), target, target + timedelta(days=7)),
            )
        )
    return made


def _in_schema(uow: Any, schema: str | None) -> Any:
    """The unit's connection, looking into ``schema`` for the rest of the transaction (the
    store itself names its tables with the schema and sets no search path)."""
    if schema is not None:
        uow.connection.execute(
            sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema))
        )
    return uow.connection


def _scalar(store: Any, query: str) -> Any:
    with store.unit_of_work() as uow:
        return _in_schema(uow, store.schema).execute(query).fetchone()[0]


# -- opening and migrations -------------------------------------------------------------------


def test_opening_twice_applies_each_migration_once(schema: str) -> None:
    first = open_store(schema)
    second = open_store(schema)
    assert first.schema_version == second.schema_version == LATEST
    with first.unit_of_work() as uow:
        query = "SELECT version FROM schema_version"
        versions = [row[0] for row in _in_schema(uow, schema).execute(query)]
    assert versions == [number for number, _ in MIGRATIONS]
    first.close()
    second.close()


def test_concurrent_first_opens_agree(schema: str) -> None:
    opened: list[Any] = []
    failures: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(open_store(schema, pool_size=1))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert [s.schema_version for s in opened] == [LATEST] * 6
    assert _scalar(opened[0], "SELECT count(*) FROM schema_version") == len(MIGRATIONS)
    for each in opened:
        each.close()


def test_an_older_schema_is_migrated_forward_keeping_its_data(schema: str) -> None:
    with psycopg.connect(require_postgres(), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        connection.execute(
            "CREATE TABLE schema_version (version integer PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for statement in MIGRATIONS[0][1]:
            connection.execute(statement.encode())
        connection.execute("INSERT INTO schema_version (version) VALUES (1)")
        connection.execute("INSERT INTO outbox (key, payload, due_at) VALUES ('k', '{}', now())")
    store = open_store(schema)
    assert store.schema_version == LATEST
    assert store.outbox_stats() == OutboxStats(pending=1)
    store.close()


def test_units_of_work_get_an_idle_timeout_and_leave_the_session_alone() -> None:
    store = disposable_store(idle_in_transaction_timeout=7.5)
    try:
        with store.unit_of_work() as uow:
            shown = uow.connection.execute("SHOW idle_in_transaction_session_timeout")
            assert shown.fetchone()[0] == "7500ms"
            # No search path: every statement names its tables with the schema.
            assert uow.connection.execute("SELECT current_schema()").fetchone()[0] == "public"
        with store._connection("check") as db:  # the setting ended with the transaction
            shown = db.connection.execute("SHOW idle_in_transaction_session_timeout")
            assert shown.fetchone()[0] != "7500ms"
    finally:
        store.close()


def test_instants_read_back_in_utc_whatever_the_session_time_zone(schema: str) -> None:
    with psycopg.connect(require_postgres(), autocommit=True) as connection:
        connection.execute("SET TimeZone = 'Asia/Tokyo'")
        store = open_postgres_store(connection=connection, schema=schema)
        due = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        with store.unit_of_work() as uow:
            uow.outbox.enqueue([make_notification("k-1")], due_at=due)
        message = store.claim_due("w", now=due, limit=1, lease_seconds=30)[0]
        assert message.due_at.utcoffset() == timedelta(0)
        assert message.due_at == due
        assert message.lease_until is not None
        assert message.lease_until.utcoffset() == timedelta(0)
        store.close()


def _outbox_options(schema: str) -> list[str] | None:
    with psycopg.connect(require_postgres(), autocommit=True) as connection:
        row = connection.execute(
            "SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = 'outbox'",
            (schema,),
        ).fetchone()
    assert row is not None
    options: list[str] | None = row[0]
    return options


def test_a_new_schema_leaves_room_on_outbox_pages(schema: str) -> None:
    open_store(schema).close()
    assert _outbox_options(schema) == ["fillfactor=60"]


def test_the_fillfactor_migration_applies_to_an_existing_outbox(schema: str) -> None:
    """A database at version 14 (before migration 15) with messages in its outbox gets the
    setting, keeps its messages and records the version."""
    with psycopg.connect(require_postgres(), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    older = MIGRATIONS[:-1]
    assert older[-1][0] == 14
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("gesprekscyclus.adapters.postgres.schema.MIGRATIONS", older)
        before = open_store(schema)
        assert before.schema_version == 14
        with before.unit_of_work() as uow:
            uow.outbox.enqueue([make_notification("k-1"), make_notification("k-2")], due_at=T0)
        before.close()
    assert _outbox_options(schema) is None
    store = open_store(schema)
    assert store.schema_version == LATEST == 15
    assert store.outbox_stats() == OutboxStats(pending=2)
    assert [m.key for m in store.claim_due("w", now=T0, limit=5, lease_seconds=60)] == [
        "k-1",
        "k-2",
    ]
    store.close()
    assert _outbox_options(schema) == ["fillfactor=60"]


def test_the_migration_lock_key_is_stable_and_per_schema() -> None:
    assert lock_key("a") == lock_key("a")
    assert lock_key("a") != lock_key("b") != lock_key(None)
    assert -(2**63) <= lock_key("a") < 2**63


@pytest.mark.parametrize("name", ["", "1abc", "a-b", 'x"; DROP SCHEMA public;--', "a" * 64])
def test_schema_names_must_be_plain_identifiers(name: str) -> None:
    with pytest.raises(InvalidValueError, match="schema"):
        check_schema_name(name)
    with pytest.raises(InvalidValueError, match="schema"):
        open_postgres_store("postgresql://127.0.0.1:1/none", schema=name)


# -- driver errors ----------------------------------------------------------------------------


def test_an_unreachable_server_is_a_store_error_with_the_cause() -> None:
    with pytest.raises(StoreError, match="cannot connect") as caught:
        open_postgres_store("postgresql://postgres@127.0.0.1:1/test", connect_timeout=1)
    assert isinstance(caught.value.__cause__, psycopg.Error)


def _write_a_nul_past_the_validators(store: Any) -> None:
    # The value objects refuse a NUL and lookups with one find nothing; a value forced past
    # its validators still reaches the driver, which refuses it.
    forced = Person(id="e-2", name="x", hire_date=date(2020, 1, 1))
    object.__setattr__(forced, "id", "nul\x00")
    with store.unit_of_work() as uow:
        uow.people.upsert(Person(id="e-1", name="x", hire_date=date(2020, 1, 1)))
        uow.people.upsert(forced)


def test_a_driver_error_inside_a_unit_of_work_is_a_store_error(store: Any) -> None:
    with pytest.raises(StoreError) as caught:
        _write_a_nul_past_the_validators(store)
    assert isinstance(caught.value.__cause__, psycopg.Error)
    with store.unit_of_work() as uow:
        assert uow.people.all() == []


def test_a_closed_store_refuses_work(store: Any) -> None:
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.outbox_stats()


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    package = sys.modules["gesprekscyclus.adapters.postgres"]
    monkeypatch.delitem(sys.modules, "gesprekscyclus.adapters.postgres.store")
    monkeypatch.delattr(package, "store")
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StoreError, match=r"gesprekscyclus\[postgres\]"):
        open_postgres_store("postgresql://127.0.0.1:1/none")


# -- units of work and bulk paths -------------------------------------------------------------


@pytest.mark.parametrize("copy_threshold", [1, 10_000], ids=["copy", "executemany"])
def test_bulk_add_either_way_stores_the_same_conversations(copy_threshold: int) -> None:
    store = disposable_store(copy_threshold=copy_threshold)
    talks = _conversations(1200)
    try:
        with store.unit_of_work() as uow:
            assert uow.conversations.add_many(talks) == 1200
            # a second bulk add in the same transaction sees an empty staging table
            assert uow.conversations.add_many(_conversations(10, start=1200)) == 10
        with store.unit_of_work() as uow:
            assert uow.conversations.get("c-000123") == talks[123]
            assert len(uow.conversations.by_manager("m-1")) == 1210
            assert (
                uow.conversations.add_many(talks[:5] + _conversations(2, 5000), skip_existing=True)
                == 2
            )
    finally:
        store.close()


@pytest.mark.parametrize("copy_threshold", [1, 10_000], ids=["copy", "executemany"])
def test_a_bulk_conflict_names_the_ids_and_leaves_the_unit_usable(copy_threshold: int) -> None:
    store = disposable_store(copy_threshold=copy_threshold)
    try:
        with store.unit_of_work() as uow:
            uow.conversations.add_many(_conversations(3))
        with store.unit_of_work() as uow:
            with pytest.raises(ConflictError, match="c-000001") as caught:
                uow.conversations.add_many(_conversations(600, start=1))
            assert "2 of 600" in str(caught.value)
            # the failed call left nothing behind, and the transaction goes on
            uow.people.upsert(Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1)))
        with store.unit_of_work() as uow:
            assert len(uow.conversations.by_manager("m-1")) == 3
            assert uow.people.get("e-1").name == "Anna"
            with pytest.raises(ConflictError, match="given twice: 'c-000009'"):
                uow.conversations.add_many(_conversations(1, 9) * 2)
    finally:
        store.close()


def _staged(uow: Any) -> bool:
    """Whether this transaction made the staging table of bulk conversation inserts."""
    found = uow.connection.execute("SELECT to_regclass('pg_temp._load_conversations')")
    return found.fetchone()[0] is not None


def test_new_conversations_are_copied_straight_in_unless_one_is_there() -> None:
    store = disposable_store(copy_threshold=1)
    try:
        with store.unit_of_work() as uow:
            assert uow.conversations.add_many(_conversations(300), skip_existing=True) == 300
            assert not _staged(uow)  # straight into the table
        with store.unit_of_work() as uow:
            # One of them is there already: undone, then skipped through the staging table.
            again = _conversations(50, start=299)
            assert uow.conversations.add_many(again, skip_existing=True) == 49
            assert _staged(uow)
            # Twice in one call: the same.
            twice = _conversations(1, start=400) * 2
            assert uow.conversations.add_many(twice, skip_existing=True) == 1
        with store.unit_of_work() as uow:
            assert len(uow.conversations.by_manager("m-1")) == 350
            assert uow.conversations.get("c-000320") == _conversations(1, start=320)[0]
    finally:
        store.close()


def _bulk_writes_then_crash(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.conversations.add_many(_conversations(2000))
        uow.outbox.enqueue([make_notification(f"k-{i}") for i in range(1000)], due_at=T0)
        uow.people.upsert(Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1)))
        raise _CrashError


def test_a_crash_after_bulk_writes_leaves_nothing(store: Any) -> None:
    with pytest.raises(_CrashError):
        _bulk_writes_then_crash(store)
    with store.unit_of_work() as uow:
        assert uow.conversations.by_manager("m-1") == []
        assert uow.people.all() == []
    assert store.outbox_stats() == OutboxStats()


def test_large_enqueues_are_idempotent_on_the_key(store: Any) -> None:
    first = [make_notification(f"k-{i:04d}") for i in range(1500)]
    with store.unit_of_work() as uow:
        assert uow.outbox.enqueue(first + first[:100], due_at=T0) == 1500
    again = [make_notification(f"k-{i:04d}") for i in range(1000, 2000)]
    with store.unit_of_work() as uow:
        assert uow.outbox.enqueue(again, due_at=T0 + timedelta(days=1)) == 500
        assert uow.outbox.by_key("k-1000").due_at == T0
    assert store.outbox_stats() == OutboxStats(pending=2000)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_survives_the_copy_path(text: str) -> None:
    store = disposable_store(copy_threshold=1)
    try:
        notification = make_notification(text[:300], name=text)
        talk = _conversations(1)[0].add_note("m-1", text, private=False, at=T0)
        with store.unit_of_work() as uow:
            uow.outbox.enqueue([notification], due_at=T0)
            uow.conversations.add_many([talk])
        with store.unit_of_work() as uow:
            stored = uow.outbox.by_key(notification.key)
            assert uow.conversations.get(talk.id) == talk
        assert stored is not None
        assert stored.notification == notification
    finally:
        store.close()


def test_threads_sharing_one_store_claim_each_message_once(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification(f"k-{i}") for i in range(400)], due_at=T0)
    claimed: list[str] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        while batch := store.claim_due(owner, now=T0, limit=7, lease_seconds=60):
            for message in batch:
                assert store.mark_sent(owner, message.id, now=T0)
            with lock:
                claimed.extend(message.key for message in batch)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Counter(claimed) == Counter(f"k-{i}" for i in range(400))
    assert store.outbox_stats() == OutboxStats(sent=400)


def test_returned_times_are_utc(store: Any) -> None:
    at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification("k-1")], due_at=at)
    (message,) = store.claim_due("w1", now=at, limit=1, lease_seconds=1.5)
    assert message.due_at.tzinfo is UTC
    assert message.lease_until == at + timedelta(seconds=1.5)


def test_the_store_satisfies_the_protocol(store: Any) -> None:
    assert isinstance(store, Store)


def test_without_an_idle_timeout_a_unit_of_work_leaves_the_servers_setting() -> None:
    store = disposable_store(idle_in_transaction_timeout=None)
    try:
        with store.unit_of_work() as uow:
            shown = uow.connection.execute("SHOW idle_in_transaction_session_timeout")
            assert shown.fetchone()[0] != "7500ms"
            uow.people.upsert(Person(id="e-1", name="x", hire_date=date(2020, 1, 1)))
    finally:
        store.close()


def test_a_claim_walks_the_pending_index_in_order_whatever_the_statistics() -> None:
    # A burst of messages the statistics do not know yet: without the transaction's planner
    # settings the claim read and sorted every pending row, for every batch.
    store = disposable_store()
    try:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [make_notification(f"k-{i}") for i in range(2000)], due_at=T0 - timedelta(days=1)
            )
        with store._transaction("check", queue=True) as db:
            plan = "\n".join(
                row[0] for row in db.rows("EXPLAIN " + pg_store._CLAIM, ("w", T0, T0, T0, 100))
            )
        assert "Index Scan using outbox_pending" in plan
        assert "Sort" not in plan
        with store._connection("check") as db:  # the settings ended with the transaction
            assert db.connection.execute("SHOW enable_sort").fetchone()[0] == "on"
    finally:
        store.close()


def test_a_claim_in_the_hosts_transaction_leaves_its_planner_settings_alone(schema: str) -> None:
    with psycopg.connect(require_postgres()) as connection:  # a transaction is open
        store = open_postgres_store(connection=connection, schema=schema)
        with store.unit_of_work() as uow:
            uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
        assert len(store.claim_due("w", now=T0, limit=5, lease_seconds=30)) == 1
        assert connection.execute("SHOW enable_sort").fetchone()[0] == "on"
        connection.rollback()
        store.close()


def test_a_schema_written_by_a_later_release_is_refused_and_left_as_it_is(schema: str) -> None:
    open_store(schema).close()
    newer = LATEST + 1
    with psycopg.connect(require_postgres(), autocommit=True) as connection:
        connection.execute(
            sql.SQL("INSERT INTO {}.schema_version (version) VALUES (%s)").format(
                sql.Identifier(schema)
            ),
            (newer,),
        )
    newer_schema = f"^the store's schema is at version {newer}, newer"
    with pytest.raises(StoreRefusedError, match=newer_schema):
        open_store(schema)
    with psycopg.connect(require_postgres(), autocommit=True) as connection:
        found = connection.execute(
            sql.SQL("SELECT max(version) FROM {}.schema_version").format(sql.Identifier(schema))
        ).fetchone()
    assert found == (newer,)


def test_a_batch_delivery_is_planned_by_an_index_in_its_one_statement() -> None:
    # mark_sent_many sets the planner settings in the same message as its UPDATE (one
    # implicit transaction): they must reach the UPDATE's plan and end with it.
    store = disposable_store()
    try:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [make_notification(f"k-{i}") for i in range(2000)], due_at=T0 - timedelta(days=1)
            )
        with store._connection("check") as db:
            params = (T0, list(range(1, 101)), "w", T0)
            explained = db.rows_after(
                pg_store._QUEUE_PLAN, "EXPLAIN " + pg_store._MARK_SENT_MANY, params
            )
            plan = "\n".join(row[0] for row in explained)
            assert "Index Scan using outbox_" in plan
            assert "Bitmap" not in plan
            assert "Seq Scan" not in plan
            assert db.connection.execute("SHOW enable_sort").fetchone()[0] == "on"
            assert db.connection.execute("SHOW enable_bitmapscan").fetchone()[0] == "on"
    finally:
        store.close()


def test_the_merged_claim_plan_walks_the_pending_index() -> None:
    store = disposable_store()
    try:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [make_notification(f"k-{i}") for i in range(2000)], due_at=T0 - timedelta(days=1)
            )
        with store._unset_transaction("check", queue=True) as (db, settings):
            explained = db.rows_after(
                settings, "EXPLAIN " + pg_store._CLAIM, ("w", T0, T0, T0, 100)
            )
            assert db.connection.execute("SHOW enable_sort").fetchone()[0] == "off"
            idle = db.connection.execute("SHOW idle_in_transaction_session_timeout").fetchone()
        plan = "\n".join(row[0] for row in explained)
        assert "Index Scan using outbox_pending" in plan
        assert "Sort" not in plan
        assert idle[0] != "0"
        with store._connection("check") as db:
            assert db.connection.execute("SHOW enable_sort").fetchone()[0] == "on"
    finally:
        store.close()


@pytest.mark.parametrize("owner", ["w'1", "w\\1", "w%s1", "w'); DROP TABLE outbox; --", "wörker ✓"])
def test_owners_with_quotes_and_placeholders_claim_and_deliver(store: Any, owner: str) -> None:
    # claims and batch deliveries bind their parameters on the client side (one message)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification("k-1"), make_notification("k-2")], due_at=T0)
    claimed = store.claim_due(owner, now=T0, limit=5, lease_seconds=60)
    assert [m.lease_owner for m in claimed] == [owner, owner]
    assert store.mark_sent_many("someone else", [m.id for m in claimed], now=T0) == set()
    assert store.mark_sent_many(owner, [m.id for m in claimed], now=T0) == {m.id for m in claimed}
    assert store.outbox_stats() == OutboxStats(sent=2)


def test_a_failed_batch_delivery_leaves_nothing_half_done(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
    (message,) = store.claim_due("w", now=T0, limit=5, lease_seconds=60)
    with pytest.raises(StoreError):  # an id beyond bigint fails the one message
        store.mark_sent_many("w", [message.id, 2**70], now=T0)
    assert store.outbox_stats() == OutboxStats(pending=1, leased=1)
    assert store.mark_sent_many("w", [message.id], now=T0) == {message.id}
