"""Reading outbox rows in both SQL stores, so that one bad payload cannot stall the outbox.

A payload is decoded row by row. One that no longer reads as a
:class:`~gesprekscyclus.ports.notifier.Notification` (damaged by hand, written by a version
that stored another shape, its key changed) gives a message with ``notification=None`` and a
reason; a claim turns exactly those rows into dead letters and hands out the rest.

>>> from gesprekscyclus.serialization import dumps
>>> from gesprekscyclus.testing.contract import make_notification
>>> decode_notification("k-1", dumps(make_notification("k-1")))[0].key
'k-1'
>>> decode_notification("k-1", "{not json")
(None, 'undecodable payload: Notification: not JSON: ... at line 1 column 2')
>>> decode_notification("k-2", dumps(make_notification("k-1")))
(None, "undecodable payload: its notification has key 'k-1', the row has 'k-2'")
"""

from __future__ import annotations

import logging

from gesprekscyclus.errors import GesprekscyclusError
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.serialization import loads_compiled

__all__ = [
    "DEAD_ON_CLAIM",
    "MAX_REASON",
    "NEXT_SEQUENCE",
    "decode_notification",
    "log_dead_on_claim",
    "read_targets",
    "write_targets",
]

log = logging.getLogger("gesprekscyclus.outbox")

#: The longest decoding reason kept in ``last_error``.
MAX_REASON = 1000

#: Turns one claimed row into a dead letter: parameters ``(reason, now, id)``, ``%s``
#: style. A dead letter's ``due_at`` is when it died, which its retention counts from.
DEAD_ON_CLAIM = (
    "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = %s,"
    " due_at = %s, lease_owner = NULL, lease_until = NULL WHERE id = %s"
)


#: Counts one more state change of a stream and returns its number (``%s`` style).
NEXT_SEQUENCE = (
    "INSERT INTO event_sequences (stream, last) VALUES (%s, 1) ON CONFLICT (stream)"
    " DO UPDATE SET last = event_sequences.last + 1 RETURNING last"
)


def write_targets(targets: frozenset[str]) -> str:
    """The ``delivered`` column for ``targets``: the names, sorted, one per line.

    >>> write_targets(frozenset({"webhook", "mail"}))
    'mail\\nwebhook'
    """
    return "\n".join(sorted(targets))


def read_targets(column: str | None) -> frozenset[str]:
    """The target names of a ``delivered`` column.

    >>> sorted(read_targets("mail\\nwebhook")), read_targets("")
    (['mail', 'webhook'], frozenset())
    """
    return frozenset(name for name in (column or "").split("\n") if name)


def decode_notification(key: str, payload: str | bytes) -> tuple[Notification | None, str | None]:
    """The notification stored in ``payload`` for the row with ``key``, or ``None`` and why.

    It reads as :func:`~gesprekscyclus.serialization.loads` does (same notification, same
    reasons), through the reader compiled for :class:`Notification`: this runs for every
    claimed row.
    """
    try:
        notification = loads_compiled(Notification, payload)
    except (GesprekscyclusError, ValueError, TypeError, RecursionError) as error:
        reason = f"undecodable payload: {error}"
        return None, reason[:MAX_REASON]
    if notification.key != key:
        return None, (
            f"undecodable payload: its notification has key {notification.key!r},"
            f" the row has {key!r}"
        )[:MAX_REASON]
    return notification, None


def log_dead_on_claim(message_id: int, key: str, reason: str) -> None:
    """Log that a claim made message ``message_id`` a dead letter for ``reason``."""
    log.warning("outbox message %d (key %r) is a dead letter: %s", message_id, key, reason)
