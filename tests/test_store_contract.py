"""The store contract, run against every adapter in this repository.

A further adapter joins with one entry in ``STORES`` (for instance a PostgreSQL factory
marked ``pytest.mark.postgres``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.ports.store import Store
from gesprekscyclus.testing.contract import StoreContract

from .postgres_support import postgres_factory

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


class TestStoreContract(StoreContract):
    """Every contract test, once per adapter."""
