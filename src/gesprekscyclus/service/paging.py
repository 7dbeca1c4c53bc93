"""Pages of views an application can walk through, with opaque cursors.

The service's list queries (``list_conversations``, ``list_action_items`` and
``list_reports`` of :class:`~gesprekscyclus.service.app.ConversationService`) read one
page of the store's paged query (:mod:`gesprekscyclus.ports.queries`) and hand back a
:class:`Page` of the reader's views.
Order is fixed (conversations by target day, then id; action items by id; reports by
conversation id), so walking the pages visits every match once, even while other records
are added.

The cursor is opaque text safe in a URL: it names the query it belongs to and the key of
the last record read. A cursor of another query, or one that was altered, raises
:class:`~gesprekscyclus.errors.InvalidValueError` naming ``cursor``; a limit outside 1 to
:data:`~gesprekscyclus.ports.queries.MAX_PAGE` one naming ``limit``.

Records the reader may not see are left out of their page, so a page can hold fewer views
than ``limit`` (even none) while ``next_cursor`` still points further: the end is reached
when ``next_cursor`` is ``None`` (a full page always has one, so the last page may be
empty). A page never reads more than ``limit`` records.

>>> from gesprekscyclus.ports.queries import ConversationQuery
>>> query = ConversationQuery(employee_id="e-1")
>>> cursor = encode_cursor(query, ["2026-03-02", "c-1"])
>>> decode_cursor(query, cursor)
['2026-03-02', 'c-1']
>>> decode_cursor(ConversationQuery(employee_id="e-2"), cursor)
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: cursor: is not a cursor of this query (start again \
without one)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Generic, TypeVar

import attrs
from attrs import frozen

from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.queries import (
    ActionItemQuery,
    ConversationKey,
    ConversationQuery,
    ReportQuery,
    check_limit,
)
from gesprekscyclus.ports.store import UnitOfWork
from gesprekscyclus.service.reading import Reading
from gesprekscyclus.service.views import ActionItemView, ConversationView, ReportView

__all__ = [
    "Page",
    "action_item_page",
    "conversation_page",
    "decode_cursor",
    "encode_cursor",
    "report_page",
]

_T = TypeVar("_T")

Query = ConversationQuery | ActionItemQuery | ReportQuery


@frozen
class Page(Generic[_T]):
    """One page of views, and the cursor of the next page (``None``: this was the last)."""

    items: tuple[_T, ...] = ()
    next_cursor: str | None = None


def _plain(value: object) -> object:
    if isinstance(value, frozenset):
        return sorted(_plain(item) for item in value)  # type: ignore[type-var]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fingerprint(query: Query) -> str:
    fields = {key: _plain(value) for key, value in attrs.asdict(query, recurse=False).items()}
    text = json.dumps([type(query).__name__, fields], sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def encode_cursor(query: Query, key: Sequence[str]) -> str:
    """The cursor of the page after ``key`` (the last record's sort key, as text)."""
    text = json.dumps([_fingerprint(query), *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(query: Query, cursor: str) -> list[str]:
    """The key a cursor of ``query`` holds; :class:`InvalidValueError` for any other."""
    refused = _refused()
    if not isinstance(cursor, str) or len(cursor) > 4096:
        raise refused
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise refused from None
    if (
        not isinstance(decoded, list)
        or len(decoded) < 2
        or not all(isinstance(part, str) for part in decoded)
        or decoded[0] != _fingerprint(query)
    ):
        raise refused
    return decoded[1:]


def _refused() -> InvalidValueError:
    return InvalidValueError("cursor", "is not a cursor of this query (start again without one)")


def _one_key(query: Query, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    key = decode_cursor(query, cursor)
    if len(key) != 1:
        raise _refused()
    return key[0]


def conversation_page(
    uow: UnitOfWork,
    read: Reading,
    query: ConversationQuery,
    *,
    cursor: str | None,
    limit: int,
) -> Page[ConversationView]:
    """The reader's views of one page of ``query``, after ``cursor``."""
    check_limit(limit)
    after: ConversationKey | None = None
    if cursor is not None:
        key = decode_cursor(query, cursor)
        try:
            after = (date.fromisoformat(key[0]), key[1])
        except (ValueError, IndexError):
            raise _refused() from None
        if len(key) != 2:
            raise _refused()
    rows = uow.conversations.page(query, after=after, limit=limit)
    views = (read.conversation(talk) for talk in rows)
    last = rows[-1] if len(rows) == limit else None
    return Page(
        tuple(view for view in views if view is not None),
        None if last is None else encode_cursor(query, [last.window.target.isoformat(), last.id]),
    )


def action_item_page(
    uow: UnitOfWork, read: Reading, query: ActionItemQuery, *, cursor: str | None, limit: int
) -> Page[ActionItemView]:
    """The reader's views of one page of ``query``, after ``cursor``."""
    check_limit(limit)
    rows = uow.action_items.page(query, after=_one_key(query, cursor), limit=limit)
    origins = {
        talk.id: talk
        for talk in uow.conversations.by_ids({item.origin_conversation_id for item in rows})
    }
    views = (read.item(item, origins.get(item.origin_conversation_id)) for item in rows)
    return Page(
        tuple(view for view in views if view is not None),
        encode_cursor(query, [rows[-1].id]) if len(rows) == limit else None,
    )


def report_page(
    uow: UnitOfWork, read: Reading, query: ReportQuery, *, cursor: str | None, limit: int
) -> Page[ReportView]:
    """The reader's views of one page of ``query``, after ``cursor`` (a report whose
    conversation is not stored is left out: without it no one's standing can be told)."""
    check_limit(limit)
    rows = uow.reports.page(query, after=_one_key(query, cursor), limit=limit)
    talks = {talk.id: talk for talk in uow.conversations.by_ids({r.conversation_id for r in rows})}
    views = (
        read.report(report, talks[report.conversation_id])
        for report in rows
        if report.conversation_id in talks
    )
    return Page(
        tuple(view for view in views if view is not None),
        encode_cursor(query, [rows[-1].conversation_id]) if len(rows) == limit else None,
    )
