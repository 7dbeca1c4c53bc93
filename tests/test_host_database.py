"""The store in the host application's database: schema, table prefix, the host's pool,
connection and transaction, and a real pgbouncer in transaction mode in between.

The contract suite runs against each of these set-ups too (``tests/test_store_contract.py``);
this module checks what the contract cannot see: that the pooler really shares sessions (so
that zero failures mean something), that many concurrent units of work through it all
succeed, and the host's side of the bargain (its transaction, its tables, its settings).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.bootstrap import build_service, open_store
from gesprekscyclus.cli import main
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.examples import directory

from .pgbouncer_support import concurrent_units_of_work, scratch_database, shared_pgbouncer
from .postgres_support import drop_schema, new_schema_name, require_postgres

ANNA = Person(id="e-1", name="Anna", hire_date=date(2020, 1, 1))


def _failing_unit(store: Any) -> None:
    """A unit of work that writes, then fails: only its own write is undone."""

    def write_then_fail() -> None:
        with store.unit_of_work() as uow:
            uow.people.upsert(Person(id="e-2", name="Bob", hire_date=date(2020, 1, 1)))
            raise RuntimeError("the unit fails")

    with pytest.raises(RuntimeError, match="the unit fails"):
        write_then_fail()


def _tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(row[0] for row in rows)


# -- SQLite -----------------------------------------------------------------------------------


def test_a_table_prefix_keeps_every_table_and_index_apart(tmp_path: Path) -> None:
    path = tmp_path / "host.db"
    with sqlite3.connect(path) as host:
        host.execute("CREATE TABLE people (badge TEXT PRIMARY KEY)")  # the host's own table
    host.close()
    store = open_sqlite_store(path, table_prefix="cycle_")
    with store.unit_of_work() as uow:
        uow.people.upsert(ANNA)
    store.close()
    with sqlite3.connect(path) as check:
        names = [row[0] for row in check.execute("SELECT name FROM sqlite_master")]
        assert check.execute("SELECT count(*) FROM people").fetchone() == (0,)
    check.close()
    ours = [name for name in names if not name.startswith("sqlite_") and name != "people"]
    assert ours
    assert all(name.startswith("cycle_") for name in ours), ours
    assert "cycle_outbox_pending" in ours


def test_a_unit_of_work_on_the_hosts_open_transaction_is_committed_by_the_host(
    tmp_path: Path,
) -> None:
    host = sqlite3.connect(tmp_path / "host.db", isolation_level=None)
    store = open_sqlite_store(connection=host, table_prefix="gc_")
    host.execute("BEGIN")
    host.execute("CREATE TABLE employees (id TEXT PRIMARY KEY)")
    host.execute("INSERT INTO employees VALUES ('e-1')")
    with store.unit_of_work() as uow:
        uow.people.upsert(ANNA)
    _failing_unit(store)
    assert host.in_transaction, "the store neither committed nor rolled back the host"
    host.execute("ROLLBACK")
    with store.unit_of_work() as uow:
        assert uow.people.all() == []
    host.execute("BEGIN")
    with store.unit_of_work() as uow:
        uow.people.upsert(ANNA)
    host.execute("COMMIT")
    other = open_sqlite_store(tmp_path / "host.db", table_prefix="gc_")
    with other.unit_of_work() as uow:
        assert [person.id for person in uow.people.all()] == ["e-1"]
    other.close()
    store.close()
    host.execute("SELECT 1")  # closing the store leaves the host's connection open
    host.close()


def test_build_service_takes_a_table_prefix_or_a_schema(tmp_path: Path) -> None:
    service = build_service(f"sqlite:///{tmp_path / 'cycle.db'}", table_prefix="cycle_")
    service.store.close()
    with sqlite3.connect(tmp_path / "cycle.db") as check:
        assert "cycle_people" in _tables(check)
    check.close()
    with pytest.raises(InvalidValueError, match=r"schema: .*PostgreSQL"):
        open_store("sqlite:///x.db", schema="cycle")
    with pytest.raises(InvalidValueError, match=r"table_prefix: .*SQLite"):
        open_store("postgresql://127.0.0.1:1/none", table_prefix="cycle_")
    with pytest.raises(InvalidValueError, match="table_prefix: must be a letter"):
        open_store("sqlite:///x.db", table_prefix="a-b")


# -- PostgreSQL behind pgbouncer --------------------------------------------------------------


@pytest.fixture
def bouncer() -> Any:
    require_postgres()
    return shared_pgbouncer()


@pytest.mark.postgres
def test_the_pooler_shares_one_server_session_among_clients(bouncer: Any) -> None:
    """The control: session state set by one client shows up for another, and statements
    prepared by one collide with another's, so the tests below mean something."""
    import psycopg  # noqa: PLC0415 - the postgres extra
    from psycopg import errors  # noqa: PLC0415

    from .pgbouncer_support import start_pgbouncer  # noqa: PLC0415

    single = start_pgbouncer(pool_size=1)
    try:
        with (
            psycopg.connect(single.dsn, autocommit=True) as one,
            psycopg.connect(single.dsn, autocommit=True) as two,
        ):
            one.execute("SET search_path TO somewhere_else")
            assert two.execute("SHOW search_path").fetchone() == ("somewhere_else",)
            one.execute("SELECT 1", prepare=True)
            with pytest.raises(errors.DuplicatePreparedStatement):
                two.execute("SELECT 1", prepare=True)
    finally:
        single.stop()


@pytest.mark.postgres
def test_many_concurrent_units_of_work_through_pgbouncer_with_a_schema_all_succeed(
    bouncer: Any,
) -> None:
    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    schema = new_schema_name()
    store = open_postgres_store(bouncer.dsn, schema=schema)
    try:
        failures = concurrent_units_of_work(store, units=240, threads=8)
    finally:
        store.close()
        drop_schema(schema)
    assert failures == {}


@pytest.mark.postgres
def test_many_concurrent_units_of_work_through_pgbouncer_without_a_schema_all_succeed(
    bouncer: Any,
) -> None:
    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    with scratch_database() as database:
        store = open_postgres_store(bouncer.dsn_for(database))
        try:
            failures = concurrent_units_of_work(store, units=240, threads=8)
        finally:
            store.close()
    assert failures == {}


@pytest.mark.postgres
def test_a_host_pool_through_pgbouncer_keeps_its_own_prepare_setting(bouncer: Any) -> None:
    """The host's pool prepares after five runs (psycopg's default); the store never
    prepares on it, and gives the host its setting back."""
    from psycopg_pool import ConnectionPool  # noqa: PLC0415

    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    schema = new_schema_name()
    with ConnectionPool(bouncer.dsn, min_size=2, max_size=4) as pool:
        store = open_postgres_store(pool=pool, schema=schema)
        try:
            failures = concurrent_units_of_work(store, units=120, threads=6)
        finally:
            store.close()
        with pool.connection() as connection:
            assert connection.prepare_threshold == 5
            connection.execute("SELECT 1")  # the pool is still the host's, and open
    drop_schema(schema)
    assert failures == {}


# -- PostgreSQL: the host's connection and transaction -----------------------------------------


@pytest.mark.postgres
def test_units_of_work_join_the_hosts_transaction_and_the_host_commits() -> None:
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    schema = new_schema_name()
    dsn = require_postgres()
    try:
        with psycopg.connect(dsn, autocommit=True) as setup:
            open_postgres_store(connection=setup, schema=schema).close()
        with psycopg.connect(dsn) as host:
            store = open_postgres_store(connection=host, schema=schema)
            with host.transaction():  # the host's own transaction
                with store.unit_of_work() as uow:
                    uow.people.upsert(ANNA)
                _failing_unit(store)
                with psycopg.connect(dsn) as other:  # nothing is visible before the commit
                    query = sql.SQL("SELECT count(*) FROM {}.people").format(sql.Identifier(schema))
                    assert other.execute(query).fetchone() == (0,)
            with psycopg.connect(dsn) as other:
                assert other.execute(query).fetchone() == (1,)
            # A store for one request, on the host's connection: no migration, nothing opened.
            request = store.using(host)
            with host.transaction(), request.unit_of_work() as uow:
                assert [person.id for person in uow.people.all()] == ["e-1"]
            request.close()
            store.close()
            host.execute("SELECT 1")  # the host's connection stays open
    finally:
        drop_schema(schema)


@pytest.mark.postgres
def test_one_host_connection_serves_threads_one_unit_at_a_time() -> None:
    import psycopg  # noqa: PLC0415

    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    schema = new_schema_name()
    try:
        with psycopg.connect(require_postgres(), autocommit=True) as host:
            store = open_postgres_store(connection=host, schema=schema)
            failures = concurrent_units_of_work(store, units=60, threads=4)
            store.close()
    finally:
        drop_schema(schema)
    assert failures == {}


def test_exactly_one_of_dsn_pool_and_connection() -> None:
    pytest.importorskip("psycopg")
    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    with pytest.raises(InvalidValueError, match="exactly one of dsn, pool and connection"):
        open_postgres_store()
    with pytest.raises(InvalidValueError, match="got dsn and connection"):
        open_postgres_store("postgresql://x/y", connection=object())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"expected a psycopg_pool\.ConnectionPool"):
        open_postgres_store(pool=object())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="prepare_threshold"):
        open_postgres_store("postgresql://x/y", prepare_threshold=-1)


def test_the_command_line_places_the_store_by_option_or_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    design = str(directory() / "reference-design.toml")
    db = f"sqlite:///{tmp_path / 'hr.db'}"
    assert main(["design", "apply", design, "--db", db, "--table-prefix", "gc_"]) == 0
    monkeypatch.setenv("GESPREKSCYCLUS_DB", db)
    monkeypatch.setenv("GESPREKSCYCLUS_DB_TABLE_PREFIX", "gc_")
    assert main(["tick", "--now", "2027-01-04T09:00"]) == 0
    assert "materialised:" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "hr.db") as check:
        tables = _tables(check)
    check.close()
    assert "gc_design_versions" in tables
    assert "design_versions" not in tables


@pytest.mark.postgres
def test_the_postgresql_examples_of_the_page_run(bouncer: Any) -> None:
    """The ``python`` blocks of docs/host-database.md, in order, in a database of their
    own (through pgbouncer for the block that says so)."""
    page = (Path(__file__).parent.parent / "docs" / "host-database.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) == 2
    with scratch_database() as database:
        scope: dict[str, Any] = {
            "dsn": require_postgres().rsplit("/", 1)[0] + "/" + database,
            "pgbouncer_dsn": bouncer.dsn_for(database),
        }
        for block in blocks:
            exec(compile(block, "docs/host-database.md", "exec"), scope)
        assert scope["pool"].closed


def test_a_missing_pgbouncer_skips_here_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from . import pgbouncer_support  # noqa: PLC0415

    monkeypatch.setattr(pgbouncer_support, "pgbouncer_binary", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pgbouncer is not installed"):
        pgbouncer_support.require_pgbouncer()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"ensure-pgbouncer\.sh"):
        pgbouncer_support.require_pgbouncer()
