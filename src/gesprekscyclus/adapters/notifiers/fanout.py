"""A notifier that hands each notification to several named notifiers.

Each target gets what it takes (see :func:`~gesprekscyclus.ports.notifier.accepts`): the
mail notifier reminders, a webhook reminders and (when asked) state changes, a subscriber
state changes. Used by a :class:`~gesprekscyclus.service.dispatch.Dispatcher`, the outcome
is kept per target: the targets that got a message are recorded on its outbox row, so a
retry goes only to those that failed, and the dispatch report counts per target.

>>> from datetime import UTC, datetime
>>> from gesprekscyclus.adapters.memory import MemoryStore
>>> from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
>>> from gesprekscyclus.ports.clock import FixedClock
>>> from gesprekscyclus.ports.notifier import TransientNotificationError
>>> from gesprekscyclus.service.dispatch import Backoff, Dispatcher
>>> from gesprekscyclus.testing.contract import make_notification
>>> mail, hook = RecordingNotifier(), RecordingNotifier()
>>> hook.fail_with(TransientNotificationError("busy"), times=1)
>>> store, clock = MemoryStore(), FixedClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
>>> with store.unit_of_work() as uow:
...     uow.outbox.enqueue([make_notification("k-1")], due_at=clock.now())
1
>>> dispatcher = Dispatcher(store, FanOutNotifier({"mail": mail, "webhook": hook}), clock,
...                         owner="w-1", backoff=Backoff(base_seconds=0, jitter=0))
>>> first = dispatcher.run_once()
>>> first.retried, first.target("mail").sent, first.target("webhook").failed
(1, 1, 1)
>>> second = dispatcher.run_once()
>>> second.sent, second.target("mail").already, second.target("webhook").sent
(1, 1, 1)
>>> mail.keys, hook.keys
(('k-1',), ('k-1',))
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.notifier import (
    Notification,
    NotificationError,
    Notifier,
    PermanentNotificationError,
    TargetOutcome,
    TargetStatus,
    TransientNotificationError,
    accepts,
)
from gesprekscyclus.ports.store import check_targets

__all__ = ["FanOutNotifier"]

log: logging.Logger = logging.getLogger(__name__)


class FanOutNotifier:
    """Sends to every target in ``targets`` (name → notifier) that takes the notification.

    Names are 1–64 letters, digits, ``_``, ``.`` or ``-``; they are what the outbox records
    and the dispatch report counts, so keep them stable. A target that raises something other
    than a :class:`~gesprekscyclus.ports.notifier.NotificationError` counts as a transient
    failure.
    """

    def __init__(self, targets: Mapping[str, Notifier]):
        if not isinstance(targets, Mapping) or not targets:
            raise InvalidValueError("FanOutNotifier.targets", "name at least one notifier")
        check_targets(targets)
        for name, target in targets.items():
            if not callable(getattr(target, "send", None)):
                raise InvalidValueError(
                    f"FanOutNotifier.targets[{name!r}]", "must be a notifier (with send)"
                )
        self.targets: dict[str, Notifier] = dict(sorted(targets.items()))

    def accepts(self, notification: Notification) -> bool:
        """Whether any target takes ``notification``."""
        return any(accepts(target, notification) for target in self.targets.values())

    def send_to_targets(
        self, notification: Notification, *, skip: frozenset[str] = frozenset()
    ) -> tuple[TargetOutcome, ...]:
        """Send to each target that takes ``notification`` and is not in ``skip``, in name
        order; one outcome per target."""
        outcomes: list[TargetOutcome] = []
        for name, target in self.targets.items():
            if not accepts(target, notification):
                outcomes.append(TargetOutcome(name, TargetStatus.NOT_FOR_IT))
            elif name in skip:
                outcomes.append(TargetOutcome(name, TargetStatus.ALREADY))
            else:
                outcomes.append(_send(name, target, notification))
        return tuple(outcomes)

    def send(self, notification: Notification) -> None:
        """Send to every target; raise when any failed (transient if any failure is)."""
        failed = [o for o in self.send_to_targets(notification) if o.status is TargetStatus.FAILED]
        if not failed:
            return
        reason = "; ".join(f"{o.target}: {o.error}" for o in failed)
        if all(isinstance(o.error, PermanentNotificationError) for o in failed):
            raise PermanentNotificationError(reason)
        raise TransientNotificationError(reason)


def _send(name: str, target: Notifier, notification: Notification) -> TargetOutcome:
    try:
        target.send(notification)
    except NotificationError as error:
        return TargetOutcome(name, TargetStatus.FAILED, error)
    except Exception as error:
        log.exception("target %s failed unexpectedly on %r", name, notification.key)
        wrapped = TransientNotificationError(f"unexpected: {type(error).__name__}: {error}")
        return TargetOutcome(name, TargetStatus.FAILED, wrapped)
    return TargetOutcome(name, TargetStatus.SENT)
