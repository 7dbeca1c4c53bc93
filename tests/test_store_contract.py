"""The store contract, run against every adapter in this repository.

A further adapter joins with one entry in ``STORES`` (for instance a PostgreSQL factory
marked ``pytest.mark.postgres``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.store import SQLiteStore
from gesprekscyclus.ports.store import Store
from gesprekscyclus.testing.contract import CorruptPayload, StoreContract

from .postgres_support import (
    corrupt_in_host_transaction,
    corrupt_postgres_payload,
    host_pool_factory,
    host_transaction_factory,
    pgbouncer_factory,
    postgres_factory,
)

StoreFactory = Callable[[], Store]


def _memory(_tmp_path: Path) -> StoreFactory:
    return MemoryStore


def _sqlite(tmp_path: Path) -> StoreFactory:
    return lambda: open_sqlite_store(tmp_path / "contract.db")


def _sqlite_prefixed(tmp_path: Path) -> StoreFactory:
    return lambda: open_sqlite_store(tmp_path / "contract.db", table_prefix="cycle_")


def _sqlite_host_connection(tmp_path: Path) -> StoreFactory:
    """The host's own connection (Python's default transaction handling), with the host's
    own table beside the store's prefixed ones."""

    def make() -> Store:
        connection = sqlite3.connect(tmp_path / "host.db", check_same_thread=False)
        connection.execute("CREATE TABLE IF NOT EXISTS employees (id TEXT PRIMARY KEY)")
        connection.commit()
        store = open_sqlite_store(connection=connection, table_prefix="gc_")
        close = store.close

        def close_both() -> None:
            close()
            connection.close()

        store.close = close_both  # type: ignore[method-assign]
        return store

    return make


STORES = [
    pytest.param(_memory, id="memory"),
    pytest.param(_sqlite, id="sqlite"),
    pytest.param(_sqlite_prefixed, id="sqlite-prefix"),
    pytest.param(_sqlite_host_connection, id="sqlite-host-connection"),
    pytest.param(postgres_factory, id="postgres", marks=pytest.mark.postgres),
    pytest.param(pgbouncer_factory, id="postgres-pgbouncer", marks=pytest.mark.postgres),
    pytest.param(host_pool_factory, id="postgres-host-pool", marks=pytest.mark.postgres),
    pytest.param(
        host_transaction_factory, id="postgres-host-transaction", marks=pytest.mark.postgres
    ),
]


@pytest.fixture(params=STORES)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    make: Callable[[Path], StoreFactory] = request.param
    return make(tmp_path)


def corrupt_sqlite_payload(store: SQLiteStore, message_id: int, payload: str) -> None:
    """Overwrite one stored payload behind the store's back."""
    table = f'"{store.table_prefix}outbox"'
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            f"UPDATE {table} SET payload = ? WHERE id = ?",
            (payload, message_id),
        )
    connection.close()


class TestStoreContract(StoreContract):
    """Every contract test, once per adapter."""

    @pytest.fixture
    def corrupt_payload(self, request: pytest.FixtureRequest) -> CorruptPayload | None:
        kind = request.node.callspec.params["store_factory"]
        return {
            _sqlite: corrupt_sqlite_payload,
            _sqlite_prefixed: corrupt_sqlite_payload,
            _sqlite_host_connection: corrupt_sqlite_payload,
            postgres_factory: corrupt_postgres_payload,
            pgbouncer_factory: corrupt_postgres_payload,
            host_pool_factory: corrupt_postgres_payload,
            host_transaction_factory: corrupt_in_host_transaction,
        }.get(kind)
