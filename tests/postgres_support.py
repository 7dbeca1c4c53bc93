"""Helpers for tests against a real PostgreSQL server.

The server is named by ``GESPREKSCYCLUS_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``). When it cannot be reached, or psycopg is not
installed, the tests skip with the reason, except under ``CI=true``, where they fail: CI must
not pass by skipping.

Every store a test opens lives in a schema of its own (``gc_test_<random>``), created on open
and dropped with ``CASCADE`` when the store is closed. This module imports without psycopg.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.postgres import open_postgres_store
from gesprekscyclus.ports.store import Store

try:
    import psycopg
    from psycopg import sql
except ModuleNotFoundError as missing:  # the 'postgres' extra is not installed
    psycopg = None  # type: ignore[assignment]
    _MISSING: str | None = f"psycopg is not installed (the 'postgres' extra): {missing}"
else:
    _MISSING = None

ENV = "GESPREKSCYCLUS_TEST_POSTGRES"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def dsn() -> str:
    """The test server's DSN, from the environment or the default."""
    return os.environ.get(ENV) or DEFAULT_DSN


@cache
def _unreachable_reason() -> str | None:
    if psycopg is None:
        return _MISSING
    try:
        with psycopg.connect(dsn(), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL at {ENV}={dsn()!r} is unreachable: {error}".strip()
    return None


def require_postgres() -> str:
    """The DSN; skips the test when the server is down (fails it under ``CI=true``)."""
    reason = _unreachable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return dsn()


def new_schema_name() -> str:
    """A fresh schema name, unique across processes and runs."""
    return f"gc_test_{uuid.uuid4().hex[:16]}"


def drop_schema(schema: str) -> None:
    """Drop ``schema`` and everything in it (no error when it is gone)."""
    with psycopg.connect(dsn(), autocommit=True, connect_timeout=3) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


def open_store(schema: str, **options: Any) -> Any:
    """A store on the test server in ``schema`` (created if missing; not dropped on close)."""
    return open_postgres_store(require_postgres(), schema=schema, **options)


def disposable_store(**options: Any) -> Any:
    """A store in a new schema of its own, which its ``close`` drops."""
    store = open_store(new_schema_name(), **options)
    close = store.close

    def close_and_drop() -> None:
        close()
        drop_schema(store.schema)

    store.close = close_and_drop
    return store


def postgres_factory(_tmp_path: Path) -> Callable[[], Store]:
    """A contract-suite factory: each call opens a store in a new, empty schema."""
    require_postgres()
    return disposable_store


def corrupt_postgres_payload(store: Any, message_id: int, payload: str) -> None:
    """Overwrite one stored payload in ``store``'s schema behind the store's back."""
    with psycopg.connect(dsn(), autocommit=True, connect_timeout=3) as connection:
        connection.execute(
            sql.SQL("UPDATE {}.outbox SET payload = %s WHERE id = %s").format(
                sql.Identifier(store.schema)
            ),
            (payload, message_id),
        )


def _dropping(store: Any, *, before: Callable[[], object] = lambda: None) -> Any:
    """``store`` whose ``close`` also runs ``before`` and then drops its schema."""
    close = store.close

    def close_and_drop() -> None:
        close()
        before()
        drop_schema(store.schema)

    store.close = close_and_drop
    return store


def pgbouncer_factory(_tmp_path: Path) -> Callable[[], Store]:
    """A contract-suite factory: stores in new schemas, through pgbouncer (transaction mode)."""
    from .pgbouncer_support import shared_pgbouncer  # noqa: PLC0415 - starts on first use

    bouncer = shared_pgbouncer()
    return lambda: _dropping(open_postgres_store(bouncer.dsn, schema=new_schema_name()))


def host_pool_factory(_tmp_path: Path) -> Callable[[], Store]:
    """A contract-suite factory: stores in new schemas on a pool the host owns (psycopg's
    defaults: not autocommit, statements prepared after five runs)."""
    from psycopg_pool import ConnectionPool  # noqa: PLC0415 - the postgres extra

    target = require_postgres()

    def make() -> Store:
        pool: ConnectionPool[Any] = ConnectionPool(target, min_size=1, max_size=4, open=True)
        return _dropping(
            open_postgres_store(pool=pool, schema=new_schema_name()), before=pool.close
        )

    return make


def host_transaction_factory(_tmp_path: Path) -> Callable[[], Store]:
    """A contract-suite factory: stores on the host's connection, inside a transaction the
    host opened and rolls back when the store is closed (nothing reaches the database)."""
    target = require_postgres()

    def make() -> Store:
        connection = psycopg.connect(target)  # not autocommit: the host's transaction
        connection.execute("SELECT 1")  # the transaction is open
        assert connection.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS

        def end() -> None:
            connection.rollback()
            connection.close()

        return _dropping(
            open_postgres_store(connection=connection, schema=new_schema_name()), before=end
        )

    return make


def corrupt_in_host_transaction(store: Any, message_id: int, payload: str) -> None:
    """Overwrite one stored payload on the host's connection (the row is not committed)."""
    store._host_connection.execute(
        sql.SQL("UPDATE {}.outbox SET payload = %s WHERE id = %s").format(
            sql.Identifier(store.schema)
        ),
        (payload, message_id),
    )
