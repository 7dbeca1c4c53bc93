"""State changes handed to a function in the same process, for applications that mirror
the library's state in their own tables.

:class:`SubscriberNotifier` calls ``handle(change)`` for every
:class:`~gesprekscyclus.domain.state_changes.StateChange` the dispatcher delivers (and takes
no reminders). Delivery is at least once: a handler that raises is called again later with
the same change. :func:`in_order` makes a handler see each aggregate's changes exactly once
and in sequence: it skips what was applied already and holds back a change whose predecessor
has not been applied yet (raising a transient error, so the dispatcher tries again), given
the last applied sequence number per aggregate, which the application keeps in its own
tables, written in the same transaction as the mirrored state.

>>> from datetime import UTC, datetime
>>> from gesprekscyclus.domain.state_changes import StateChange
>>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
>>> last: dict[str, int] = {}
>>> def apply(change):
...     last[change.stream] = change.sequence
...     print("applied", change.kind.value, change.sequence)
>>> handle = in_order(apply, lambda stream: last.get(stream, 0))
>>> first = StateChange.of("person.hired", "e-1", sequence=1, occurred_at=at)
>>> second = StateChange.of("person.changed", "e-1", sequence=2, occurred_at=at)
>>> handle(second)
Traceback (most recent call last):
...
gesprekscyclus.ports.notifier.TransientNotificationError: person/e-1: change 2 waits for 1
>>> handle(first); handle(second); handle(first)
applied person.hired 1
applied person.changed 2
"""

from __future__ import annotations

from collections.abc import Callable

from gesprekscyclus.domain.state_changes import StateChange
from gesprekscyclus.ports.notifier import (
    Notification,
    NotificationError,
    TransientNotificationError,
)

__all__ = ["SubscriberNotifier", "in_order"]

Handler = Callable[[StateChange], None]


class SubscriberNotifier:
    """Hands each state change to ``handle``; see the module docstring.

    A :class:`~gesprekscyclus.ports.notifier.NotificationError` from ``handle`` passes
    through (a permanent one makes the change a dead letter); any other exception counts as
    transient, so the change is offered again.
    """

    def __init__(self, handle: Handler):
        if not callable(handle):
            raise TypeError("SubscriberNotifier needs a callable handle(change)")
        self.handle = handle

    def accepts(self, notification: Notification) -> bool:
        """State changes only."""
        return notification.is_state_change

    def send(self, notification: Notification) -> None:
        """Call ``handle`` with the notification's state change."""
        if notification.event is None:
            return
        try:
            self.handle(notification.event)
        except NotificationError:
            raise
        except Exception as error:
            raise TransientNotificationError(
                f"subscriber: {type(error).__name__}: {error}"
            ) from error


def in_order(apply: Handler, last_applied: Callable[[str], int]) -> Handler:
    """A handler that calls ``apply`` once per change, in sequence per aggregate.

    ``last_applied(stream)`` gives the sequence number last applied to the aggregate
    ``stream`` (``conversation/c-1``; 0 for none); ``apply`` must record the change's
    ``sequence`` along with what it mirrors. A repeat is skipped; a change that comes early
    raises :class:`~gesprekscyclus.ports.notifier.TransientNotificationError`, so the
    dispatcher offers it again after its predecessor.
    """

    def handle(change: StateChange) -> None:
        last = last_applied(change.stream)
        if change.sequence <= last:
            return
        if change.sequence > last + 1:
            raise TransientNotificationError(
                f"{change.stream}: change {change.sequence} waits for {last + 1}"
            )
        apply(change)

    return handle
