"""Opening a SQLite file: what is refused is left byte for byte as it was, and
``create=False`` makes nothing."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.schema import MIGRATIONS
from gesprekscyclus.errors import StoreError, StoreRefusedError

LATEST = MIGRATIONS[-1][0]


def _journal_mode(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def _foreign(path: Path, *tables: str) -> None:
    """Another application's database, in the default rollback journal mode."""
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        for table in tables:
            connection.execute(f"CREATE TABLE {table} (x TEXT)")
            connection.execute(f"INSERT INTO {table} VALUES ('kept')")


def _state(path: Path) -> tuple[bytes, list[str]]:
    """The file's bytes and every file beside it (a -wal or -shm would show)."""
    return path.read_bytes(), sorted(os.listdir(path.parent))


def test_another_applications_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _foreign(path, "foo", "bar")
    before = _state(path)
    with pytest.raises(StoreRefusedError) as caught:
        open_sqlite_store(path)
    message = str(caught.value)
    assert message.startswith(f"sqlite store {str(path)!r}: refused: the file is not a")
    assert "another application's tables (bar, foo)" in message
    assert "table_prefix" in message
    assert _state(path) == before
    assert _journal_mode(path) == "delete"
    # The same input, the same answer.
    with pytest.raises(StoreError) as again:
        open_sqlite_store(path)
    assert str(again.value) == message
    assert _state(path) == before


def test_a_store_of_a_later_release_is_refused_before_its_journal_mode_changes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "later.db"
    open_sqlite_store(path).close()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
        with connection:
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST + 1,))
    before = _state(path)
    with pytest.raises(StoreRefusedError) as caught:
        open_sqlite_store(path)
    message = str(caught.value)
    assert message.startswith(f"sqlite store {str(path)!r}: refused: the store's schema is at")
    assert f"version {LATEST + 1}, newer than" in message
    assert _state(path) == before
    assert _journal_mode(path) == "delete"


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(bytes(range(256)) * 16)
    before = _state(path)
    with pytest.raises(StoreRefusedError) as caught:
        open_sqlite_store(path)
    assert str(caught.value).startswith(
        f"sqlite store {str(path)!r}: refused: the file is not a SQLite database"
    )
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert _state(path) == before


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "touched.db"
    path.write_bytes(b"")
    store = open_sqlite_store(path)
    assert store.schema_version == LATEST
    store.close()
    assert _journal_mode(path) == "wal"


def test_with_a_prefix_the_hosts_tables_may_be_there_but_not_the_stores_names(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared.db"
    _foreign(shared, "people")
    store = open_sqlite_store(shared, table_prefix="cycle_")
    assert store.schema_version == LATEST
    store.close()
    open_sqlite_store(shared, table_prefix="cycle_").close()  # and again, now a store

    clash = tmp_path / "clash.db"
    _foreign(clash, "cycle_people")
    before = _state(clash)
    with pytest.raises(StoreError, match=r"tables named like the store's \(cycle_people\)"):
        open_sqlite_store(clash, table_prefix="cycle_")
    assert _state(clash) == before
    assert _journal_mode(clash) == "delete"


def test_without_create_a_missing_file_is_refused_and_not_made(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with pytest.raises(StoreRefusedError) as caught:
        open_sqlite_store(path, create=False)
    assert str(caught.value).startswith(f"sqlite store {str(path)!r}: the file does not exist")
    assert os.listdir(tmp_path) == []


def test_without_create_an_existing_store_opens_and_works(tmp_path: Path) -> None:
    path = tmp_path / "odd ?#name%.db"  # characters a URI must escape
    open_sqlite_store(path).close()
    store = open_sqlite_store(path, create=False)
    assert store.schema_version == LATEST
    assert store.outbox_stats().pending == 0
    store.close()
    assert sorted(os.listdir(tmp_path)) == [path.name]


def test_without_create_a_nul_in_the_path_is_still_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="the path contains a NUL character"):
        open_sqlite_store(f"{tmp_path}/a\0b.db", create=False)
