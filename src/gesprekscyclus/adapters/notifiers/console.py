"""Notifiers that print or log one readable line per notification.

>>> import io
>>> from datetime import date
>>> from gesprekscyclus.ports.notifier import ActionItemInfo, Notification, Recipient
>>> out = io.StringIO()
>>> item = ActionItemInfo(id="a-1", title="Book a course", owner_id="e-1", due=date(2026, 9, 1))
>>> ConsoleNotifier(out).send(Notification(
...     key="k-7", kind="action_item_due",
...     recipient=Recipient(id="e-1", name="Anna", role="employee", email="anna@example.org"),
...     action_item=item))
>>> print(out.getvalue(), end="")
action_item_due -> Anna <anna@example.org> [nl]: Actiepunt: Book a course (uiterlijk ...) (key k-7)
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from gesprekscyclus.adapters.notifiers.templates import Templates, render
from gesprekscyclus.ports.notifier import Notification

__all__ = ["ConsoleNotifier", "LoggingNotifier", "describe"]


def describe(notification: Notification, templates: Templates | None = None) -> str:
    """One line: kind, recipient, language, rendered subject and key."""
    recipient = notification.recipient
    address = f" <{recipient.email}>" if recipient.email else ""
    subject = render(notification, templates).subject
    return (
        f"{notification.kind.value} -> {recipient.name}{address} [{recipient.locale.value}]: "
        f"{subject} (key {notification.key})"
    )


class ConsoleNotifier:
    """Writes :func:`describe` of each notification to ``stream`` (standard output by default)."""

    def __init__(self, stream: TextIO | None = None, *, templates: Templates | None = None):
        self._stream = stream
        self._templates = templates

    def send(self, notification: Notification) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(describe(notification, self._templates) + "\n")
        stream.flush()


class LoggingNotifier:
    """Logs :func:`describe` of each notification; the key is in the record's ``extra``."""

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        level: int = logging.INFO,
        templates: Templates | None = None,
    ):
        self._logger = logger or logging.getLogger("gesprekscyclus.notifications")
        self._level = level
        self._templates = templates

    def send(self, notification: Notification) -> None:
        self._logger.log(
            self._level,
            "%s",
            describe(notification, self._templates),
            extra={"notification_key": notification.key, "notification_kind": notification.kind},
        )
