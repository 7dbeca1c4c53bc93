"""Any conversation and report, as the domain strategies make them, survives SQLite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings

from gesprekscyclus.adapters._sql.rows import ConversationReader, strict_conversation
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.store import (
    _instant,
    conversation_from_row,
    conversation_row,
)
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.errors import InvalidValueError

from . import strategies as gs


@settings(max_examples=40)
@given(gs.conversations())
def test_any_conversation_survives_the_row_codec(conversation: Conversation) -> None:
    assert conversation_from_row(conversation_row(conversation)) == conversation


@settings(max_examples=25)
@given(conversation=gs.conversations(), report=gs.reports())
def test_any_conversation_and_report_survive_the_store(
    tmp_path_factory: pytest.TempPathFactory, conversation: Conversation, report: Report
) -> None:
    store = open_sqlite_store(tmp_path_factory.mktemp("rt") / "s.db")
    with store.unit_of_work() as uow:
        uow.conversations.add_many([conversation])
        uow.reports.add(report)
    with store.unit_of_work() as uow:
        assert uow.conversations.get(conversation.id) == conversation
        assert uow.reports.get(report.conversation_id) == report
    store.close()


@settings(max_examples=25)
@given(item=gs.action_items())
def test_any_action_item_survives_the_store(
    tmp_path_factory: pytest.TempPathFactory, item: ActionItem
) -> None:
    store = open_sqlite_store(tmp_path_factory.mktemp("ai") / "s.db")
    with store.unit_of_work() as uow:
        uow.action_items.add_many([item])
    with store.unit_of_work() as uow:
        assert uow.action_items.get(item.id) == item
    store.close()


def _read_row(conversation: Conversation) -> tuple[object, ...]:
    row = conversation_row(conversation)
    return (*row[:13], row[14])  # the columns a read selects: all but the version


@settings(max_examples=40)
@given(gs.conversations())
def test_the_trusted_reader_builds_what_the_validating_constructor_builds(
    conversation: Conversation,
) -> None:
    row = _read_row(conversation)
    reader = ConversationReader(parse_day=date.fromisoformat, parse_instant=_instant)
    fast = reader.build(row)
    assert fast == conversation
    assert fast == strict_conversation(row, date.fromisoformat, _instant)
    assert reader.build(row) == fast  # the second read comes from the reader's caches
    assert hash(fast) == hash(conversation)


def _planned_row(**changes: object) -> tuple[object, ...]:
    talk = Conversation.plan(
        id="c-1",
        type_key="check_in",
        employee_id="e-1",
        manager_id="m-1",
        window=Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31)),
    )
    row = list(_read_row(talk))
    columns = {"earliest": 4, "status": 7, "data": 13}
    for name, value in changes.items():
        row[columns[name]] = value
    return tuple(row)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "vanished"}, "vanished"),
        ({"earliest": "2026-04-01"}, "earliest <= target"),
        ({"data": '{"p":[["e-1","employee"],["m-1","boss"]]}'}, "boss"),
        ({"data": '{"p":[["e-1","employee"]]}'}, "manager"),
        ({"data": '{"p":[["e-1","employee"],["m-1","manager"]],"h":[{"action":"x"}]}'}, "h"),
    ],
)
def test_rows_the_store_did_not_write_are_validated(
    changes: dict[str, object], message: str
) -> None:
    reader = ConversationReader(parse_day=date.fromisoformat, parse_instant=_instant)
    with pytest.raises(InvalidValueError, match=message):
        reader.build(_planned_row(**changes))


def test_a_store_with_a_corrupt_row_reports_it(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "s.db")
    with store.unit_of_work() as uow:
        uow.conversations.add_many(
            [
                Conversation.plan(
                    id="c-1",
                    type_key="check_in",
                    employee_id="e-1",
                    manager_id="m-1",
                    window=Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31)),
                )
            ]
        )
        uow.connection.execute("UPDATE conversations SET status = 'lost'")
    with pytest.raises(InvalidValueError, match="lost"), store.unit_of_work() as uow:
        uow.conversations.get("c-1")
    store.close()
