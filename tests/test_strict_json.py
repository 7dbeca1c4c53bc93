"""JSON documents are read strictly: a key twice in one object and a ``schema_version`` that is
not a whole number are refused, by ``loads``, ``loads_compiled`` and the stores' own readers
(rows and migration 9), with the key, its path and, in a store, the table and row."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import SerializationError
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.serialization import dumps, loads, loads_compiled
from gesprekscyclus.testing.contract import make_notification

Reader = Callable[[type[Any], str | bytes], Any]
READERS: list[Reader] = [loads, loads_compiled]


def _envelope(data: str, version: str = "1", kind: str = "LocalizedText") -> str:
    return f'{{"schema_version": {version}, "type": "{kind}", "data": {data}}}'


@pytest.mark.parametrize("read", READERS)
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (_envelope('{"nl": "a", "nl": "b"}'), "the key 'nl' appears twice in one object @ $.data"),
        (
            '{"schema_version": 1, "type": "X", "type": "LocalizedText", "data": {"nl": "a"}}',
            "the key 'type' appears twice in one object @ $",
        ),
        (
            _envelope('{"nl": "a"}').replace('"data"', '"schema_version": 1, "data"'),
            "the key 'schema_version' appears twice in one object @ $",
        ),
    ],
    ids=["in data", "type", "schema_version"],
)
def test_a_key_twice_is_refused_naming_it_and_its_path(
    read: Reader, text: str, problem: str
) -> None:
    with pytest.raises(SerializationError) as caught:
        read(LocalizedText, text)
    assert caught.value.problems == (problem,)


@pytest.mark.parametrize("read", READERS)
def test_a_key_twice_deep_in_a_notification_names_its_path(read: Reader) -> None:
    text = dumps(make_notification("k-1"))
    damaged = text.replace(
        '"participants": [{"id": "e-1",', '"participants": [{"id": "e-1", "id": "x",'
    )
    assert damaged != text
    with pytest.raises(SerializationError) as caught:
        read(Notification, damaged)
    assert caught.value.problems == (
        "the key 'id' appears twice in one object @ $.data.conversation.participants[0]",
    )
    for encoded in (damaged.encode("utf-8"), bytearray(damaged.encode("utf-16"))):
        with pytest.raises(SerializationError):
            read(Notification, encoded)
    assert read(Notification, text.encode("utf-8")) == make_notification("k-1")


@pytest.mark.parametrize("read", READERS)
@pytest.mark.parametrize(
    ("version", "shown"),
    [("true", "a boolean true"), ("1.0", "a number 1.0"), ('"1"', "a string '1'")],
)
def test_schema_version_must_be_a_whole_number(read: Reader, version: str, shown: str) -> None:
    with pytest.raises(SerializationError) as caught:
        read(LocalizedText, _envelope('{"nl": "a"}', version=version))
    assert caught.value.problems == (
        f"schema_version must be a whole number, got {shown} (allowed: 1) @ $.schema_version",
    )
    assert read(LocalizedText, _envelope('{"nl": "a"}')) == LocalizedText(nl="a")


def test_a_byte_order_mark_is_refused_as_json_loads_refuses_it() -> None:
    with pytest.raises(SerializationError, match="Unexpected UTF-8 BOM"):
        loads(LocalizedText, "\ufeff" + _envelope('{"nl": "a"}'))


def _damage(path: Path, query: str, *params: object) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        assert connection.execute(query, params).rowcount == 1


def test_a_stored_document_with_a_key_twice_names_its_table_and_row(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = open_sqlite_store(path)
    with store.unit_of_work() as uow:
        uow.people.upsert(Person(id="p-1", name="Anna", hire_date=date(2020, 1, 1)))
    store.close()
    _damage(path, """UPDATE people SET data = '{"id": "p-1", "name": "A", "name": "B"}'""")
    store = open_sqlite_store(path)
    try:
        for read in (lambda uow: uow.people.get("p-1"), lambda uow: uow.people.all()):
            with store.unit_of_work() as uow, pytest.raises(SerializationError) as caught:
                read(uow)
            assert caught.value.problems == (
                "people row 'p-1': the stored document has the key 'name' twice @ $",
            )
    finally:
        store.close()


def test_migration_9_names_a_damaged_action_item_row_and_changes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    open_sqlite_store(path).close()
    damaged = '{"origin_conversation_id": "c-1-follow-up:x", "carried_to": [}'
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "INSERT INTO action_items (id, employee_id, owner_id, status, version, data)"
            " VALUES ('a-7', 'e-1', 'e-1', 'open', 1, ?)",
            (damaged,),
        )
        connection.execute("DELETE FROM schema_version WHERE version = 9")  # as before 9
    before = path.read_bytes()
    for _ in range(2):  # the same answer each time
        with pytest.raises(SerializationError) as caught:
            open_sqlite_store(path)
        (problem,) = caught.value.problems
        assert problem.startswith("action_items row 'a-7': the stored document is not JSON: ")
        assert path.read_bytes() == before
    duplicated = (
        json.dumps({"origin_conversation_id": "c-1-follow-up:x"})[:-1] + ', "id": 1, "id": 2}'
    )
    _damage(path, "UPDATE action_items SET data = ? WHERE id = 'a-7'", duplicated)
    with pytest.raises(SerializationError) as caught:
        open_sqlite_store(path)
    assert caught.value.problems == (
        "action_items row 'a-7': the stored document has the key 'id' twice @ $",
    )
