"""Any person, conversation, report and action item the domain strategies make survives
PostgreSQL, through both bulk paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.testing.contract import T0

from . import strategies as gs
from .postgres_support import disposable_store

pytestmark = [
    pytest.mark.postgres,
    # The connection pool's maintenance thread draws from the global `random` module while
    # Hypothesis generates data in the main thread; Hypothesis then blames our strategies.
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
]

pytest.importorskip("psycopg", reason="the 'postgres' extra is not installed")

from psycopg import sql  # noqa: E402 - needs psycopg

from gesprekscyclus.adapters.postgres.store import (  # noqa: E402 - needs psycopg
    conversation_from_row,
    conversation_row,
)


@pytest.fixture(scope="module")
def store() -> Iterator[Any]:
    made = disposable_store()
    yield made
    made.close()


def _wipe(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.connection.execute(
            sql.SQL(
                "TRUNCATE {0}.people, {0}.conversations, {0}.reports, {0}.action_items,"
                " {0}.outbox RESTART IDENTITY"
            ).format(sql.Identifier(store.schema))
        )


@settings(max_examples=40)
@given(gs.conversations())
def test_any_conversation_survives_the_row_codec(conversation: Conversation) -> None:
    assert conversation_from_row(conversation_row(conversation)) == conversation


@settings(max_examples=25)
@given(
    person=gs.people(),
    conversation=gs.conversations(),
    report=gs.reports(),
    item=gs.action_items(),
    by_copy=st.booleans(),
)
def test_any_aggregate_survives_the_store(
    store: Any,
    person: Person,
    conversation: Conversation,
    report: Report,
    item: ActionItem,
    by_copy: bool,
) -> None:
    store.copy_threshold = 1 if by_copy else 10_000
    try:
        with store.unit_of_work() as uow:
            uow.people.upsert(person)
            assert uow.conversations.add_many([conversation]) == 1
            uow.reports.add(report)
            assert uow.action_items.add_many([item]) == 1
        with store.unit_of_work() as uow:
            assert uow.people.get(person.id) == person
            assert uow.conversations.get(conversation.id) == conversation
            assert uow.reports.get(report.conversation_id) == report
            assert uow.action_items.get(item.id) == item
    finally:
        _wipe(store)


@settings(max_examples=25)
@given(notification=gs.notifications, by_copy=st.booleans())
def test_any_notification_survives_the_outbox(
    store: Any, notification: Notification, by_copy: bool
) -> None:
    store.copy_threshold = 1 if by_copy else 10_000
    try:
        with store.unit_of_work() as uow:
            assert uow.outbox.enqueue([notification], due_at=T0) == 1
        with store.unit_of_work() as uow:
            stored = uow.outbox.by_key(notification.key)
        assert stored is not None
        assert stored.notification == notification
    finally:
        _wipe(store)
