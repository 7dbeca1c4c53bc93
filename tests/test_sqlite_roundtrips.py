"""Any conversation and report, as the domain strategies make them, survives SQLite."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.store import conversation_from_row, conversation_row
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.reports import Report

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
