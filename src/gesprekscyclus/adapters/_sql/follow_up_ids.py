"""Migration 9 of both SQL stores: short follow-up ids, everywhere they are named.

Before, a follow-up's id held the whole id of the conversation it followed, so chains of
follow-ups grew without bound. The planner now writes the short form
(:func:`~gesprekscyclus.planning.planner.ids.short_follow_up_id`); this step renames every
stored conversation with an id of the old form and every reference to it, in the same
transaction as the rest of the migration:

- ``conversations.id`` (and its document);
- ``reports.conversation_id`` and the report's document;
- action items' documents (the conversation they came from, the ones they were carried to);
- outbox payloads, and the idempotency keys derived from the id (in the column and in the
  payload): a key is recomputed only when it is the digest of the old id, so a reminder
  already sent is not sent again under the new id (a redacted message names no
  conversation, so it keeps its old key);
- the access log's ``record_id`` of reads of those conversations and their reports.

The old ids are gathered from the conversations, reports, action items, outbox payloads and
access log themselves, and every text is rewritten longest id first, so an id inside a
longer one is never half replaced. Nothing else changes, and a store without follow-ups of
the old form is left as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from gesprekscyclus.adapters._sql.rows import parse_stored
from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.reminders import ReminderKind, reminder_key
from gesprekscyclus.planning.planner.ids import short_follow_up_id
from gesprekscyclus.serialization import parse_json

__all__ = ["MigrationSql", "shorten_follow_up_ids"]

#: Matches text holding an id of the old form (``-`` and ``:`` are no ``LIKE`` wildcards).
_OLD = "%-follow-up:%"


class MigrationSql(Protocol):
    """The connection a Python migration step runs ``%s`` statements on."""

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a query."""
        ...

    def execute(self, query: str, params: Sequence[Any] = ()) -> object:
        """Run one statement."""
        ...


def _payload_ids(payload: str) -> tuple[str | None, str | None, str | None, int]:
    """The kind, recipient id, conversation id and sequence a stored payload names."""
    try:
        data = parse_json(payload)["data"]
        conversation = data.get("conversation") or {}
        return (
            data.get("kind"),
            (data.get("recipient") or {}).get("id"),
            conversation.get("id"),
            int(conversation.get("sequence", 0)),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None, None, None, 0


def _new_key(key: str, payload: str, renamed: Mapping[str, str]) -> str:
    """``key`` recomputed for the renamed conversation of ``payload``, when it is the digest
    of the old id (in any of the part orders the reminders use); else ``key`` itself."""
    kind, recipient, old, sequence = _payload_ids(payload)
    if kind is None or recipient is None or old is None or old not in renamed:
        return key
    try:
        reminder = ReminderKind(kind)
    except ValueError:
        return key
    new = renamed[old]
    for parts in ((old, recipient), (old, sequence, recipient), (old, recipient, sequence)):
        if reminder_key(reminder, *parts) == key:
            return reminder_key(reminder, *(new if part == old else part for part in parts))
    return key


def _old_ids(sql: MigrationSql) -> set[str]:
    found: set[str] = set()
    for query in (
        "SELECT id FROM conversations WHERE id LIKE %s",
        "SELECT conversation_id FROM reports WHERE conversation_id LIKE %s",
        "SELECT record_id FROM access_log WHERE record_id LIKE %s",
    ):
        found.update(row[0] for row in sql.rows(query, (_OLD,)))
    for key, data in sql.rows("SELECT id, data FROM action_items WHERE data LIKE %s", (_OLD,)):
        item = parse_stored(data, "ActionItem", f"action_items row {shown(key)}")
        found.add(item.get("origin_conversation_id", ""))
        found.update(item.get("carried_to", ()))
    for (payload,) in sql.rows("SELECT payload FROM outbox WHERE payload LIKE %s", (_OLD,)):
        found.add(_payload_ids(payload)[2] or "")
    return {key for key in found if key and short_follow_up_id(key) != key}


def _rewriter(renamed: Mapping[str, str]) -> Callable[[str], str]:
    ordered = sorted(renamed, key=len, reverse=True)

    def rewrite(text: str) -> str:
        for old in ordered:
            if old in text:
                text = text.replace(old, renamed[old])
        return text

    return rewrite


def shorten_follow_up_ids(sql: MigrationSql) -> None:
    """Rename the follow-ups of the old form and every reference to them; see above."""
    renamed = {old: short_follow_up_id(old) for old in _old_ids(sql)}
    if not renamed:
        return
    rewrite = _rewriter(renamed)
    for key, data in sql.rows("SELECT id, data FROM conversations WHERE id LIKE %s", (_OLD,)):
        sql.execute(
            "UPDATE conversations SET id = %s, data = %s WHERE id = %s",
            (rewrite(key), rewrite(data), key),
        )
    for key, data in sql.rows(
        "SELECT conversation_id, data FROM reports WHERE conversation_id LIKE %s OR data LIKE %s",
        (_OLD, _OLD),
    ):
        sql.execute(
            "UPDATE reports SET conversation_id = %s, data = %s WHERE conversation_id = %s",
            (rewrite(key), rewrite(data), key),
        )
    for key, data in sql.rows("SELECT id, data FROM action_items WHERE data LIKE %s", (_OLD,)):
        sql.execute("UPDATE action_items SET data = %s WHERE id = %s", (rewrite(data), key))
    for number, key, payload in sql.rows(
        "SELECT id, key, payload FROM outbox WHERE payload LIKE %s", (_OLD,)
    ):
        new_key = _new_key(key, payload, renamed)
        # The payload names its own key too.
        text = rewrite(payload).replace(json.dumps(key), json.dumps(new_key))
        sql.execute(
            "UPDATE outbox SET key = %s, payload = %s WHERE id = %s", (new_key, text, number)
        )
    for old, new in sorted(renamed.items()):
        sql.execute("UPDATE access_log SET record_id = %s WHERE record_id = %s", (new, old))
