"""Notifiers that only remember what they were asked to send; for tests and demos.

>>> from gesprekscyclus.ports.notifier import Notification, Recipient, TransientNotificationError
>>> bob = Recipient(id="m-1", name="Bob", role="manager")
>>> notifier = RecordingNotifier()
>>> notifier.fail_with(TransientNotificationError("mail server busy"), times=1)
>>> notifier.send(Notification(key="k-1", kind="report_due", recipient=bob))
Traceback (most recent call last):
...
gesprekscyclus.ports.notifier.TransientNotificationError: mail server busy
>>> notifier.send(Notification(key="k-1", kind="report_due", recipient=bob))
>>> notifier.keys
('k-1',)
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import Notification, NotificationError
from gesprekscyclus.serialization import from_data, to_data

__all__ = ["FileRecordingNotifier", "RecordingNotifier"]


class _Failures:
    """A countdown of errors to raise instead of sending; shared by both recorders."""

    def __init__(self) -> None:
        self._error: NotificationError | None = None
        self._left = 0

    def arm(self, error: NotificationError, times: int) -> None:
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise InvalidValueError("fail_with.times", f"must be at least 1, got {shown(times)}")
        self._error, self._left = error, times

    def take(self) -> NotificationError | None:
        if self._left < 1 or self._error is None:
            return None
        self._left -= 1
        return self._error


class RecordingNotifier:
    """Keeps every delivered notification in memory, in order; safe to share between threads.

    A key sent twice is recorded twice, so a test can see duplicates with :meth:`count`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[Notification] = []
        self._failures = _Failures()

    def send(self, notification: Notification) -> None:
        """Record ``notification``, or raise the error armed with :meth:`fail_with`."""
        with self._lock:
            error = self._failures.take()
            if error is not None:
                raise error
            self._sent.append(notification)

    def fail_with(self, error: NotificationError, *, times: int = 1) -> None:
        """Raise ``error`` from the next ``times`` calls to :meth:`send` instead of recording."""
        with self._lock:
            self._failures.arm(error, times)

    @property
    def sent(self) -> tuple[Notification, ...]:
        """Everything delivered so far, oldest first."""
        with self._lock:
            return tuple(self._sent)

    @property
    def keys(self) -> tuple[str, ...]:
        """The idempotency keys of :attr:`sent`, in the same order."""
        return tuple(notification.key for notification in self.sent)

    def count(self, key: str) -> int:
        """How often a notification with ``key`` was delivered."""
        return self.keys.count(key)

    def clear(self) -> None:
        """Forget everything recorded (armed failures stay armed)."""
        with self._lock:
            self._sent.clear()


class FileRecordingNotifier:
    """Appends one JSON line per delivered notification to ``path``.

    Each line is written with a single ``O_APPEND`` write, so several processes can share one
    file and a test can count deliveries across all of them. A line holds ``key`` and the
    ``notification`` as :func:`~gesprekscyclus.serialization.to_data` gives it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path: Path = Path(path)
        self._lock = threading.Lock()
        self._failures = _Failures()

    def send(self, notification: Notification) -> None:
        """Append ``notification`` to the file, or raise the error armed with :meth:`fail_with`."""
        line = json.dumps(
            {"key": notification.key, "notification": to_data(notification)},
            ensure_ascii=False,
            sort_keys=True,
        )
        with self._lock:
            error = self._failures.take()
            if error is not None:
                raise error
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, (line + "\n").encode("utf-8"))
            finally:
                os.close(descriptor)

    def fail_with(self, error: NotificationError, *, times: int = 1) -> None:
        """Raise ``error`` from the next ``times`` calls to :meth:`send` in this process."""
        with self._lock:
            self._failures.arm(error, times)

    def entries(self) -> list[dict[str, Any]]:
        """Every line written so far (by any process), parsed; a line another process is
        still writing (no newline yet) is left for the next read."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.endswith("\n") and line.strip()]

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of every recorded delivery, in file order."""
        return tuple(str(entry["key"]) for entry in self.entries())

    @property
    def sent(self) -> tuple[Notification, ...]:
        """The recorded notifications, read back from the file."""
        return tuple(from_data(Notification, entry["notification"]) for entry in self.entries())
