"""A bulk insert of new conversations into an empty SQLite table builds its indexes after the
rows; the table ends with the same indexes, whatever happens inside the unit of work."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.store import _BULK_ROWS
from gesprekscyclus.domain.new_conversations import NewConversation, NewConversations
from gesprekscyclus.errors import ConflictError
from gesprekscyclus.service.materialise import planned_kind

COUNT = _BULK_ROWS + 500


def _new(count: int, first: int = 0) -> list[NewConversation]:
    kind = planned_kind("check_in", time_zone="Europe/Amsterdam")
    making = NewConversations()
    day = date(2026, 1, 5)
    return [
        making.add(
            kind,
            f"c-{index:06}",
            f"e-{index % 700}",
            f"m-{index % 40}",
            day + timedelta(index % 300),
            day + timedelta(index % 300 + 3),
            day + timedelta(index % 300 + 10),
        )
        for index in range(first, first + count)
    ]


def _indexes(path: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name LIKE '%conversations' ORDER BY name"
        ).fetchall()


def _count(path: Path, prefix: str = "") -> int:
    """The conversations stored, once the indexes are checked to agree with the table."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return int(db.execute(f"SELECT count(*) FROM {prefix}conversations").fetchone()[0])


@pytest.mark.parametrize("prefix", ["", "hr_"])
def test_a_bulk_insert_into_an_empty_table_ends_with_the_same_indexes(
    tmp_path: Path, prefix: str
) -> None:
    path = tmp_path / "store.db"
    store = open_sqlite_store(path, table_prefix=prefix)
    before = _indexes(path)
    assert len(before) >= 4
    with store.unit_of_work() as uow:
        assert uow.conversations.add_planned(_new(COUNT)) == COUNT
    with store.unit_of_work() as uow:  # a second batch goes into a table that holds rows
        assert uow.conversations.add_planned(_new(COUNT, COUNT)) == COUNT
    store.close()
    assert _indexes(path) == before
    assert _count(path, prefix) == 2 * COUNT
    with contextlib.closing(sqlite3.connect(path)) as db:
        plan = " ".join(
            str(row[-1])
            for row in db.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM {prefix}conversations"
                " WHERE status IN ('planned', 'scheduled') AND target <= '2026-03-01'"
            )
        )
        assert f"INDEX {prefix}conversations_due" in plan, plan


def test_a_refused_bulk_insert_leaves_the_indexes_in_place(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = open_sqlite_store(path)
    before = _indexes(path)
    rows = _new(COUNT)
    # The host catches the conflict and goes on: its unit of work commits.
    with store.unit_of_work() as uow, pytest.raises(ConflictError):
        uow.conversations.add_planned([*rows, rows[-1]])
    assert _indexes(path) == before
    with contextlib.suppress(RuntimeError), store.unit_of_work() as uow:
        uow.conversations.add_planned(_new(COUNT, COUNT))
        raise RuntimeError("rolled back")
    store.close()
    assert _indexes(path) == before
    assert _count(path) == COUNT  # the rows before the refused one, which the host kept


def test_a_rolled_back_bulk_insert_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = open_sqlite_store(path)
    with contextlib.suppress(RuntimeError), store.unit_of_work() as uow:
        uow.conversations.add_planned(_new(COUNT))
        raise RuntimeError("rolled back")
    store.close()
    assert _count(path) == 0


@pytest.mark.parametrize("commit", [True, False])
def test_a_bulk_insert_in_the_hosts_transaction_keeps_the_indexes_either_way(
    tmp_path: Path, commit: bool
) -> None:
    path = tmp_path / "host.db"
    host = sqlite3.connect(path)
    try:
        store = open_sqlite_store(connection=host, table_prefix="gc_")
        before = _indexes(path)
        host.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
        host.execute("INSERT INTO orders VALUES (1)")  # the host's transaction is open
        assert host.in_transaction
        with store.unit_of_work() as uow:  # a savepoint in it
            uow.conversations.add_planned(_new(COUNT))
        if commit:
            host.commit()
        else:
            host.rollback()
        store.close()
    finally:
        host.close()
    assert _indexes(path) == before
    assert _count(path, "gc_") == (COUNT if commit else 0)
