"""Filters for the paged queries of the store port.

A query value says which conversations, action items or reports an application lists;
:meth:`matches` is its one definition (the memory store filters with it, the SQL stores
translate it and keep to it). Every filter that is ``None`` or empty selects everything.
The stores return matches in a fixed order, keyset-paged: conversations by
``(window.target, id)``, action items by ``id``, reports by ``conversation_id``; a page
starts after the key of the last row of the page before. :data:`MAX_PAGE` bounds a page.

>>> from datetime import date
>>> query = ConversationQuery(participant_id="hr-1", statuses=["planned"],
...                           start=date(2026, 1, 1))
>>> sorted(status.value for status in query.statuses)
['planned']
>>> ConversationQuery(statuses=["later"])
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: ConversationQuery.statuses: unknown status 'later' \
(allowed: cancelled, closed, held, missed, planned, reported, scheduled)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from attrs import field, frozen

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.reports import Report, ReportStatus
from gesprekscyclus.errors import InvalidValueError

__all__ = [
    "MAX_PAGE",
    "ActionItemQuery",
    "ConversationKey",
    "ConversationQuery",
    "ReportQuery",
    "check_limit",
]

#: The most rows one page may hold.
MAX_PAGE = 500

#: Where a page of conversations starts after: the ``(window.target, id)`` of the last row.
ConversationKey = tuple[date, str]

_E = TypeVar("_E", bound=Enum)


def check_limit(limit: object) -> int:
    """``limit`` if it is a whole number from 1 to :data:`MAX_PAGE`.

    >>> check_limit(0)
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: limit: must be a whole number from 1 to 500, got 0
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidValueError(
            "limit", f"must be a whole number from 1 to {MAX_PAGE}, got {shown(limit)}"
        )
    return limit


def _closed(values: Iterable[Any], kind: type[_E], path: str) -> frozenset[_E]:
    if isinstance(values, str | kind):
        values = [values]
    found: set[_E] = set()
    for value in values:
        try:
            found.add(kind(value))
        except ValueError:
            raise InvalidValueError(
                path, f"unknown status {shown(value)}", allowed=sorted(m.value for m in kind)
            ) from None
    return frozenset(found)


def _conversation_statuses(values: Iterable[Any]) -> frozenset[ConversationStatus]:
    return _closed(values, ConversationStatus, "ConversationQuery.statuses")


def _item_statuses(values: Iterable[Any]) -> frozenset[ActionItemStatus]:
    return _closed(values, ActionItemStatus, "ActionItemQuery.statuses")


def _report_statuses(values: Iterable[Any]) -> frozenset[ReportStatus]:
    return _closed(values, ReportStatus, "ReportQuery.statuses")


def _type_keys(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    found = frozenset(values)
    for value in found:
        if not isinstance(value, str) or not value.strip():
            raise InvalidValueError("type_key", f"must be non-blank text, got {shown(value)}")
    return found


def _person(path: str) -> Callable[[object, Any, str | None], None]:
    def check(_instance: object, _attribute: Any, value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidValueError(path, f"must be a person id, got {shown(value)}")

    return check


def _day(path: str) -> Callable[[object, Any, date | None], None]:
    def check(_instance: object, _attribute: Any, value: date | None) -> None:
        if value is not None and not isinstance(value, date):
            raise InvalidValueError(path, f"must be a date, got {shown(value)}")

    return check


def _in_range(day: date | None, start: date | None, end: date | None) -> bool:
    if start is None and end is None:
        return True
    if day is None:
        return False
    return (start is None or start <= day) and (end is None or day <= end)


def _check_range(path: str, start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidValueError(path, f"end {end} lies before start {start}")


@frozen
class ConversationQuery:
    """Conversations of ``employee_id``, led by ``manager_id``, in which
    ``participant_id`` takes part (in any role), of one of ``type_keys``, in one of
    ``statuses``, whose target day lies from ``start`` to ``end`` (inclusive)."""

    employee_id: str | None = field(default=None, validator=_person("employee_id"))
    manager_id: str | None = field(default=None, validator=_person("manager_id"))
    participant_id: str | None = field(default=None, validator=_person("participant_id"))
    type_keys: frozenset[str] = field(default=frozenset(), converter=_type_keys)
    statuses: frozenset[ConversationStatus] = field(
        default=frozenset(), converter=_conversation_statuses
    )
    start: date | None = field(default=None, validator=_day("start"))
    end: date | None = field(default=None, validator=_day("end"))

    def __attrs_post_init__(self) -> None:
        _check_range("end", self.start, self.end)

    def matches(self, talk: Conversation) -> bool:
        """Whether ``talk`` is one of the conversations this query lists."""
        return (
            (self.employee_id is None or talk.employee_id == self.employee_id)
            and (self.manager_id is None or talk.manager_id == self.manager_id)
            and (self.participant_id is None or talk.role_of(self.participant_id) is not None)
            and (not self.type_keys or talk.type_key in self.type_keys)
            and (not self.statuses or talk.status in self.statuses)
            and _in_range(talk.window.target, self.start, self.end)
        )


@frozen
class ActionItemQuery:
    """Action items of the pair's ``employee_id`` and ``manager_id``, owned by
    ``owner_id``, in one of ``statuses``, due from ``start`` to ``end`` (inclusive; with a
    range, items without a due date are left out)."""

    employee_id: str | None = field(default=None, validator=_person("employee_id"))
    manager_id: str | None = field(default=None, validator=_person("manager_id"))
    owner_id: str | None = field(default=None, validator=_person("owner_id"))
    statuses: frozenset[ActionItemStatus] = field(default=frozenset(), converter=_item_statuses)
    start: date | None = field(default=None, validator=_day("start"))
    end: date | None = field(default=None, validator=_day("end"))

    def __attrs_post_init__(self) -> None:
        _check_range("end", self.start, self.end)

    def matches(self, item: ActionItem) -> bool:
        """Whether ``item`` is one of the items this query lists."""
        return (
            (self.employee_id is None or item.employee_id == self.employee_id)
            and (self.manager_id is None or item.manager_id == self.manager_id)
            and (self.owner_id is None or item.owner_id == self.owner_id)
            and (not self.statuses or item.status in self.statuses)
            and _in_range(item.due, self.start, self.end)
        )


@frozen
class ReportQuery:
    """Reports of ``employee_id``, in one of ``statuses``, of conversations led by
    ``manager_id``, of one of ``type_keys``, whose target day lies from ``start`` to
    ``end`` (the conversation filters leave out reports whose conversation is not
    stored)."""

    employee_id: str | None = field(default=None, validator=_person("employee_id"))
    manager_id: str | None = field(default=None, validator=_person("manager_id"))
    type_keys: frozenset[str] = field(default=frozenset(), converter=_type_keys)
    statuses: frozenset[ReportStatus] = field(default=frozenset(), converter=_report_statuses)
    start: date | None = field(default=None, validator=_day("start"))
    end: date | None = field(default=None, validator=_day("end"))

    def __attrs_post_init__(self) -> None:
        _check_range("end", self.start, self.end)

    @property
    def needs_conversation(self) -> bool:
        """Whether the query filters on the report's conversation."""
        return bool(
            self.manager_id is not None
            or self.type_keys
            or self.start is not None
            or self.end is not None
        )

    def matches(self, report: Report, talk: Conversation | None) -> bool:
        """Whether ``report`` (of the stored conversation ``talk``) is listed."""
        if self.employee_id is not None and report.employee_id != self.employee_id:
            return False
        if self.statuses and report.status not in self.statuses:
            return False
        if not self.needs_conversation:
            return True
        return (
            talk is not None
            and (self.manager_id is None or talk.manager_id == self.manager_id)
            and (not self.type_keys or talk.type_key in self.type_keys)
            and _in_range(talk.window.target, self.start, self.end)
        )
