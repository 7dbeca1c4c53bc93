"""Withdrawing outbox messages in SQL stores: a cheap ``LIKE`` pre-filter on the payload text,
then the exact test on the decoded notification.

>>> from gesprekscyclus.ports.store import Withdrawal
>>> like_pattern(Withdrawal(conversation_id="c_1%", kinds=["preparation"], reason="held"))
'%"c\\\\_1\\\\%"%'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from gesprekscyclus.errors import SerializationError
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import Withdrawal
from gesprekscyclus.serialization import loads

__all__ = ["LIKE_ESCAPE", "like_pattern", "selected_ids"]

#: The escape character of :func:`like_pattern` (``LIKE ? ESCAPE '\'``).
LIKE_ESCAPE = "\\"


def like_pattern(about: Withdrawal) -> str:
    """A ``LIKE`` pattern matching every payload that names ``about``'s id as a JSON string."""
    text = json.dumps(about.id, ensure_ascii=False)
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


def selected_ids(rows: Iterable[Sequence[Any]], about: Withdrawal) -> list[int]:
    """The ids among ``(id, payload)`` rows whose notification ``about`` selects; payloads
    that cannot be read are left alone (the dispatcher deals with them)."""
    found: list[int] = []
    for message_id, payload in rows:
        try:
            notification = loads(Notification, payload)
        except SerializationError:
            continue
        if about.selects(notification):
            found.append(int(message_id))
    return found
