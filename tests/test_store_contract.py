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

from .postgres_support import corrupt_postgres_payload, postgres_factory

StoreFactory = Callable[[], Store]


def _memory(_tmp_path: Path) -> StoreFactory:
    return MemoryStore


def _sqlite(tmp_path: Path) -> StoreFactory:
    return lambda: open_sqlite_store(tmp_path / "contract.db")


STORES = [
    pytest.param(_memory, id="memory"),
    pytest.param(_sqlite, id="sqlite"),
    pytest.param(postgres_factory, id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORES)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    make: Callable[[Path], StoreFactory] = request.param
    return make(tmp_path)


def corrupt_sqlite_payload(store: SQLiteStore, message_id: int, payload: str) -> None:
    """Overwrite one stored payload behind the store's back."""
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE outbox SET payload = ? WHERE id = ?", (payload, message_id))
    connection.close()


class TestStoreContract(StoreContract):
    """Every contract test, once per adapter."""

    @pytest.fixture
    def corrupt_payload(self, request: pytest.FixtureRequest) -> CorruptPayload | None:
        kind = request.node.callspec.params["store_factory"]
        return {
            _sqlite: corrupt_sqlite_payload,
            postgres_factory: corrupt_postgres_payload,
        }.get(kind)
