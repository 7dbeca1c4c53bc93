"""The composition root: store URLs, lazy PostgreSQL, and building the service."""

from __future__ import annotations

import subprocess
import sys
import types
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import SQLiteStore
from gesprekscyclus.bootstrap import ALLOWED_URLS, build_service, open_store
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError, StoreError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock, SystemClock

DESIGN = CycleDesign(name="boot", cycle_start=date(2026, 1, 1))
POSTGRES_MODULE = "gesprekscyclus.adapters.postgres"


def test_memory_url() -> None:
    store = open_store("memory:")
    assert isinstance(store, MemoryStore)
    store.close()


def test_sqlite_url_with_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    store = open_store("sqlite:///data/cycle.db")
    assert isinstance(store, SQLiteStore)
    store.close()
    assert (tmp_path / "data" / "cycle.db").exists()


def test_sqlite_url_with_an_absolute_path(tmp_path: Path) -> None:
    target = tmp_path / "abs.db"
    store = open_store(f"sqlite:///{target}")  # the path itself starts with "/"
    assert isinstance(store, SQLiteStore)
    assert Path(store.path) == target
    store.close()
    assert target.exists()


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://relative.db", "sqlite:"])
def test_sqlite_url_without_a_path_is_refused(url: str) -> None:
    with pytest.raises(InvalidValueError, match="SQLite URL"):
        open_store(url)


@pytest.mark.parametrize("url", ["mysql://localhost/db", "memory", "", "  ", "file:///x.db"])
def test_unknown_urls_list_the_allowed_forms(url: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        open_store(url)
    assert caught.value.allowed == ALLOWED_URLS


def test_postgres_without_the_adapter_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, POSTGRES_MODULE, None)  # makes the import fail
    with pytest.raises(StoreError, match=r"gesprekscyclus\[postgres\]"):
        open_store("postgresql://user@localhost/cycle")


def test_postgres_adapter_without_an_opener_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, POSTGRES_MODULE, types.ModuleType(POSTGRES_MODULE))
    with pytest.raises(StoreError, match="open_postgres_store"):
        open_store("postgres://localhost/cycle")


def test_postgres_url_is_passed_to_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType(POSTGRES_MODULE)
    opened: list[tuple[str, str | None]] = []

    def open_postgres_store(url: str, *, schema: str | None = None) -> MemoryStore:
        opened.append((url, schema))
        return MemoryStore()

    fake.open_postgres_store = open_postgres_store  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, POSTGRES_MODULE, fake)
    store = open_store("postgresql://user@localhost/cycle")
    assert isinstance(store, MemoryStore)
    open_store("postgresql://user@localhost/cycle", schema="hr_cycle")
    assert opened == [
        ("postgresql://user@localhost/cycle", None),
        ("postgresql://user@localhost/cycle", "hr_cycle"),
    ]


def test_importing_opens_nothing_and_loads_no_driver() -> None:
    code = (
        "import sys, gesprekscyclus.bootstrap; "
        "print('psycopg' in sys.modules, 'gesprekscyclus.adapters.postgres' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_build_service_on_sqlite(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    service = build_service(f"sqlite:///{tmp_path / 's.db'}", design=DESIGN, clock=clock)
    assert service.clock is clock
    service.hire(Person(id="e-1", name="Eva", hire_date=date(2020, 1, 1)))
    service.store.close()
    reopened = build_service(f"sqlite:///{tmp_path / 's.db'}", design=DESIGN)
    assert isinstance(reopened.clock, SystemClock)
    assert reopened.person("e-1").name == "Eva"
    reopened.store.close()


def test_build_service_passes_the_hr_contact() -> None:
    service = build_service("memory:", design=DESIGN, hr_contact_id="h-1")
    assert service.hr_contact_id == "h-1"
    assert "check_in" in service.catalog
