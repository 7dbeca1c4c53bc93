"""The clock port: the only way the library learns what time it is.

>>> from datetime import datetime, timezone
>>> clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
>>> clock.advance(minutes=30).now().isoformat()
'2026-01-05T09:30:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from gesprekscyclus.errors import InvalidValueError

__all__ = ["Clock", "FixedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Tells the current instant. ``now()`` returns an aware datetime in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, at: datetime):
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> FixedClock:
        """Jump to ``at``; returns the clock for chaining."""
        self._at = _aware(at)
        return self

    def advance(self, **delta: float) -> FixedClock:
        """Move forward by ``timedelta(**delta)``; returns the clock for chaining."""
        self._at += timedelta(**delta)
        return self


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise InvalidValueError("FixedClock.at", "needs a time zone (an aware datetime)")
    return at.astimezone(UTC)
