"""Delivering the outbox: claim with a lease, send, record the outcome under the lease.

A :class:`Dispatcher` repeatedly claims due messages for its ``owner``, hands each one (its
idempotency key included) to the notifier and records the result:

- delivered → marked sent, but only while the lease is still held. The deliveries of a batch
  are recorded together, in one guarded statement and one commit, when the batch ends (also
  when it is stopped or ends in an error). If the lease on a message was lost in the
  meantime, that loss is logged and counted per message (the receiver can recognise a repeat
  by key);
- :class:`~gesprekscyclus.ports.notifier.TransientNotificationError` (or any unexpected
  exception) → retried after an exponential backoff with a jitter derived from the key,
  until ``max_attempts`` failures, then a dead letter;
- :class:`~gesprekscyclus.ports.notifier.PermanentNotificationError` → a dead letter at once,
  with the reason;
- a notification whose ``expires_at`` has passed is not sent but marked ``expired``;
- so is one the notifier does not take (see :func:`~gesprekscyclus.ports.notifier.accepts`):
  a state change reaches webhooks and subscribers, never a mail notifier;
- with a notifier of several targets
  (:class:`~gesprekscyclus.ports.notifier.TargetedNotifier`, such as
  :class:`~gesprekscyclus.adapters.notifiers.fanout.FanOutNotifier`), the targets that got
  the message are recorded on it (:attr:`~gesprekscyclus.ports.store.OutboxMessage.delivered`)
  and a retry goes only to the others; :attr:`DispatchReport.targets` counts per target.

The lease is renewed before a send once more than half of it is used, and a message whose
lease has run out is not sent at all. Nothing is dropped silently.

A long-running dispatcher meets dropped connections, database restarts and other passing
trouble. :meth:`Dispatcher.run_forever` logs such an error, waits a pause that grows with
each failure in a row (:data:`RECOVERY`: 1 s doubling up to a minute, with a jitter derived
from the owner, so the same on every run) and carries on; only its stop signal ends it.
Recording a delivery is tried twice, so a connection lost just after a send rarely makes the
message go out again; if it does, it carries the same idempotency key.

>>> from datetime import datetime, timezone
>>> from gesprekscyclus.adapters.memory import MemoryStore
>>> from gesprekscyclus.ports.clock import FixedClock
>>> from gesprekscyclus.testing.contract import make_notification
>>> store, clock = MemoryStore(), FixedClock(datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
>>> with store.unit_of_work() as uow:
...     uow.outbox.enqueue([make_notification("k-1")], due_at=clock.now())
1
>>> class Printer:
...     def send(self, notification):
...         print("sending", notification.key)
>>> Dispatcher(store, Printer(), clock, owner="worker-1").run_once()
sending k-1
DispatchReport(sent=1, retried=0, dead=0, lost_leases=0, expired=0)
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import FrameType

from attrs import field, frozen

from gesprekscyclus.domain._checks import non_blank, positive, shown
from gesprekscyclus.errors import ConflictError, InvalidValueError, StoppedError, StoreError
from gesprekscyclus.ports.clock import Clock
from gesprekscyclus.ports.notifier import (
    Notification,
    NotificationError,
    Notifier,
    PermanentNotificationError,
    TargetedNotifier,
    TargetOutcome,
    TargetStatus,
    TransientNotificationError,
    accepts,
)
from gesprekscyclus.ports.store import OutboxMessage, StoppableWaits, Store

__all__ = [
    "RECOVERY",
    "Backoff",
    "DispatchReport",
    "Dispatcher",
    "Recovery",
    "StopSignal",
    "TargetReport",
    "stop_on_signals",
    "stop_waits",
    "wait_or_stop",
]

log: logging.Logger = logging.getLogger(__name__)

#: What tells a loop to stop: an event that is set, or a function that returns ``True``.
StopSignal = threading.Event | Callable[[], bool]


def _not_negative(instance: object, attribute: object, value: float) -> None:
    if isinstance(value, bool) or value < 0:
        raise InvalidValueError(
            f"Backoff.{getattr(attribute, 'name', '?')}", f"must be 0 or more, got {shown(value)}"
        )


@frozen
class Backoff:
    """Exponential backoff: ``base_seconds * factor ** (attempt - 1)``, capped at
    ``max_seconds``, stretched by up to ``jitter`` (a fraction) by a value derived from the key,
    so retries of many messages spread out yet stay reproducible.

    >>> Backoff(base_seconds=60, factor=2, jitter=0).delay(3, "k-1")
    datetime.timedelta(seconds=240)
    >>> Backoff().delay(1, "k-1") == Backoff().delay(1, "k-1")
    True
    >>> Backoff(max_seconds=60, jitter=0).delay(5000, "k-1")
    datetime.timedelta(seconds=60)
    """

    base_seconds: float = field(default=30.0, validator=_not_negative)
    factor: float = field(default=2.0, validator=_not_negative)
    max_seconds: float = field(default=6 * 3600.0, validator=_not_negative)
    jitter: float = field(default=0.1, validator=_not_negative)

    def delay(self, attempt: int, key: str) -> timedelta:
        """The wait after the ``attempt``-th failure (1 for the first) of message ``key``."""
        try:
            raw = min(self.base_seconds * self.factor ** max(attempt - 1, 0), self.max_seconds)
        except OverflowError:  # thousands of failures in a row: the cap has long been reached
            raw = self.max_seconds
        digest = hashlib.sha256(f"{key}\x00{attempt}".encode()).digest()
        fraction = int.from_bytes(digest[:8], "big") / 2**64
        return timedelta(seconds=raw * (1 + self.jitter * fraction))


@frozen
class TargetReport:
    """What one target of a fan-out notifier did in a round: ``sent``, ``failed``, and
    ``already`` (it had the message from an earlier attempt, so it was not sent again).

    >>> TargetReport("mail", sent=1) + TargetReport("mail", failed=2)
    TargetReport(target='mail', sent=1, failed=2, already=0)
    """

    target: str
    sent: int = 0
    failed: int = 0
    already: int = 0

    def __add__(self, other: TargetReport) -> TargetReport:
        return TargetReport(
            self.target,
            self.sent + other.sent,
            self.failed + other.failed,
            self.already + other.already,
        )


def _merge(
    left: tuple[TargetReport, ...], right: tuple[TargetReport, ...]
) -> tuple[TargetReport, ...]:
    merged: dict[str, TargetReport] = {report.target: report for report in left}
    for report in right:
        merged[report.target] = (
            merged[report.target] + report if report.target in merged else report
        )
    return tuple(merged[name] for name in sorted(merged))


@frozen
class DispatchReport:
    """What one round of dispatching did; ``targets`` counts per target of a fan-out
    notifier (empty for a notifier with one target)."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    lost_leases: int = 0
    expired: int = 0
    targets: tuple[TargetReport, ...] = field(default=(), repr=False)

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.sent + other.sent,
            self.retried + other.retried,
            self.dead + other.dead,
            self.lost_leases + other.lost_leases,
            self.expired + other.expired,
            _merge(self.targets, other.targets),
        )

    def target(self, name: str) -> TargetReport:
        """The counts of target ``name`` (zeros when it did nothing)."""
        return next(
            (report for report in self.targets if report.target == name), TargetReport(name)
        )

    @property
    def handled(self) -> int:
        """How many claimed messages this round dealt with."""
        return self.sent + self.retried + self.dead + self.lost_leases + self.expired


def _should_stop(stop: StopSignal | None) -> bool:
    if stop is None:
        return False
    if isinstance(stop, threading.Event):
        return stop.is_set()
    return bool(stop())


def wait_or_stop(stop: StopSignal | None, seconds: float) -> bool:
    """Wait ``seconds``, waking early when ``stop`` fires; returns whether it fired.

    >>> import threading
    >>> wait_or_stop(threading.Event(), 0.01), wait_or_stop(lambda: True, 60)
    (False, True)
    """
    if isinstance(stop, threading.Event):
        return stop.wait(max(seconds, 0.0))
    deadline = time.monotonic() + max(seconds, 0.0)
    while not _should_stop(stop):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, 0.1))
    return True


@contextmanager
def stop_waits(store: object, stop: StopSignal | None) -> Iterator[None]:
    """Inside the block, ``stop`` also ends the store's waits for a lock (a store that is
    :class:`~gesprekscyclus.ports.store.StoppableWaits`, such as the SQLite store; any other
    is left alone): an operation that waits then raises
    :class:`~gesprekscyclus.errors.StoppedError` before it has done anything.

    >>> from gesprekscyclus.adapters.memory import MemoryStore
    >>> with stop_waits(MemoryStore(), lambda: True):
    ...     pass
    """
    if stop is None or not isinstance(store, StoppableWaits):
        yield
        return
    store.stop_waiting_when(lambda: _should_stop(stop))
    try:
        yield
    finally:
        store.stop_waiting_when(None)


#: How long a worker pauses after failures in a row: 1 s, doubling, at most a minute.
RECOVERY = Backoff(base_seconds=1.0, factor=2.0, max_seconds=60.0, jitter=0.2)


class Recovery:
    """Failures in a row per task, and the pause before each task is tried again.

    Used by :meth:`Dispatcher.run_forever` and the worker loop: a failing task is logged
    (passing trouble such as :class:`~gesprekscyclus.errors.StoreError` as a warning, anything
    else with its traceback) and is not ready again until its pause (``backoff.delay`` of the
    failures in a row, jitter keyed by owner and task) has passed; its first success after
    failures is logged too and starts the count again. ``timer`` gives seconds (monotonic).

    >>> now = [0.0]
    >>> recovery = Recovery("w-1", Backoff(base_seconds=1, jitter=0), timer=lambda: now[0])
    >>> recovery.failed("dispatch", StoreError("connection lost")), recovery.ready("dispatch")
    (1.0, False)
    >>> now[0] = 1.0
    >>> recovery.ready("dispatch"), recovery.failed("dispatch", StoreError("again"))
    (True, 2.0)
    >>> recovery.succeeded("dispatch"); recovery.failures("dispatch")
    0
    """

    def __init__(
        self,
        owner: str,
        backoff: Backoff = RECOVERY,
        *,
        timer: Callable[[], float] = time.monotonic,
    ):
        self.owner = owner
        self.backoff = backoff
        self._timer = timer
        self._failures: dict[str, int] = {}
        self._not_before: dict[str, float] = {}

    def ready(self, task: str) -> bool:
        """Whether ``task``'s pause (if any) is over."""
        return self._timer() >= self._not_before.get(task, float("-inf"))

    def failures(self, task: str) -> int:
        """How many times in a row ``task`` failed."""
        return self._failures.get(task, 0)

    def failed(self, task: str, error: BaseException) -> float:
        """Count and log a failure of ``task``; returns the pause in seconds."""
        count = self._failures.get(task, 0) + 1
        self._failures[task] = count
        pause = self.backoff.delay(count, f"{self.owner}:{task}").total_seconds()
        self._not_before[task] = self._timer() + pause
        passing = isinstance(error, StoreError | ConflictError | OSError)
        log.log(
            logging.WARNING if passing else logging.ERROR,
            "%s: %s failed (%d in a row), next try in %.1f s: %s: %s",
            self.owner,
            task,
            count,
            pause,
            type(error).__name__,
            error,
            exc_info=None if passing else error,
        )
        return pause

    def succeeded(self, task: str) -> None:
        """Note that ``task`` worked; logs the recovery after failures."""
        count = self._failures.pop(task, 0)
        self._not_before.pop(task, None)
        if count:
            log.warning("%s: %s works again after %d failures", self.owner, task, count)


@frozen
class _Settings:
    owner: str = field(validator=non_blank)
    batch_size: int = field(validator=positive)
    lease_seconds: float
    max_attempts: int = field(validator=positive)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.lease_seconds, bool) or not self.lease_seconds > 0:
            raise InvalidValueError(
                "Dispatcher.lease_seconds", f"must be above 0, got {shown(self.lease_seconds)}"
            )


class Dispatcher:
    """Sends what the outbox holds; see the module docstring for the rules."""

    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        clock: Clock,
        *,
        owner: str,
        batch_size: int = 50,
        lease_seconds: float = 60.0,
        max_attempts: int = 8,
        backoff: Backoff | None = None,
    ):
        settings = _Settings(owner, batch_size, lease_seconds, max_attempts)
        self.store = store
        self.notifier = notifier
        self.clock = clock
        self.owner: str = settings.owner
        self.batch_size: int = settings.batch_size
        self.lease_seconds: float = settings.lease_seconds
        self.max_attempts: int = settings.max_attempts
        self.backoff: Backoff = backoff if backoff is not None else Backoff()
        #: What the latest :meth:`run_once` did (so far, while it runs).
        self.last_round: DispatchReport = DispatchReport()

    def run_once(self, stop: StopSignal | None = None) -> DispatchReport:
        """Claim one batch and deal with it.

        When ``stop`` fires between two messages, the rest of the batch is released unsent.
        What the batch did so far is also kept in :attr:`last_round`, so that a caller can
        count it when a store error ends the batch early. (``stop`` ends the store's waits
        for a lock only inside :func:`stop_waits`, as :meth:`run_forever` and the worker
        loop use it; such a wait ends with :class:`~gesprekscyclus.errors.StoppedError`.)
        """
        self.last_round = DispatchReport()
        claimed = self.store.claim_due(
            self.owner,
            now=self.clock.now(),
            limit=self.batch_size,
            lease_seconds=self.lease_seconds,
        )
        if not claimed:
            return DispatchReport()
        lease_until = claimed[0].lease_until
        targeted = self.notifier if isinstance(self.notifier, TargetedNotifier) else None
        done = 0  # claimed[:done] were dealt with, claimed[done:] remain
        delivered: list[OutboxMessage] = []  # sent, their delivery not yet recorded
        try:
            for message in claimed:
                if _should_stop(stop):
                    break
                lease_until = self._keep_lease(claimed, done, delivered, lease_until)
                if lease_until is not None and lease_until <= self.clock.now():
                    self.last_round += self._lost_batch([m.id for m in claimed[done:]])
                    done = len(claimed)
                    break
                sent, outcome = self._deliver(message, lease_until, targeted)
                done += 1
                if sent:
                    delivered.append(message)
                self.last_round += outcome
        finally:
            try:
                if delivered:
                    self.last_round += self._record_sent(delivered)
            finally:
                if done < len(claimed):
                    self._release([message.id for message in claimed[done:]])
        return self.last_round

    def _release(self, ids: list[int]) -> None:
        try:
            self.store.release(self.owner, ids)
        except Exception as error:  # the leases run out by themselves
            log.warning(
                "outbox owner %s could not release %d claims (free again when their lease"
                " ends): %s",
                self.owner,
                len(ids),
                error,
            )

    def _keep_lease(
        self,
        claimed: list[OutboxMessage],
        done: int,
        delivered: list[OutboxMessage],
        lease_until: datetime | None,
    ) -> datetime | None:
        """Renew the lease on the batch's messages still held (``claimed[done:]`` and the
        ``delivered`` ones not yet recorded) once more than half of it is used."""
        now = self.clock.now()
        half = timedelta(seconds=self.lease_seconds / 2)
        if lease_until is None or lease_until - now >= half:
            return lease_until
        remaining = [message.id for message in claimed[done:] + delivered]
        renewed = self.store.renew_lease(
            self.owner, remaining, now=now, lease_seconds=self.lease_seconds
        )
        if renewed < len(remaining):
            log.warning(
                "outbox owner %s: lease renewal kept %d of %d messages",
                self.owner,
                renewed,
                len(remaining),
            )
        return now + timedelta(seconds=self.lease_seconds) if renewed else lease_until

    def _lost_batch(self, remaining: list[int]) -> DispatchReport:
        """The lease on the rest of the batch ran out (a stall, an outage): send none of it."""
        log.error(
            "outbox owner %s lost the lease on the %d unsent messages of its batch (ids %s);"
            " not sent, another owner will",
            self.owner,
            len(remaining),
            ", ".join(map(str, remaining[:10])) + (", …" if len(remaining) > 10 else ""),
        )
        return DispatchReport(lost_leases=len(remaining))

    def _lost(self, message: OutboxMessage, what: str) -> DispatchReport:
        log.error(
            "outbox owner %s lost the lease on message %d (key %r) %s",
            self.owner,
            message.id,
            message.key,
            what,
        )
        return DispatchReport(lost_leases=1)

    def _deliver(
        self,
        message: OutboxMessage,
        lease_until: datetime | None,
        targeted: TargetedNotifier | None,
    ) -> tuple[bool, DispatchReport]:
        """Deal with one message: whether it was sent to every target, its delivery still to
        be recorded (with the rest of the batch, by :meth:`_record_sent`), and what else
        happened to it. ``targeted`` is the notifier when it has several targets."""
        if lease_until is not None and lease_until <= self.clock.now():
            return False, self._lost(message, "before sending; not sent, another owner will")
        return self._deliver_now(message, targeted)

    def _deliver_now(
        self, message: OutboxMessage, targeted: TargetedNotifier | None
    ) -> tuple[bool, DispatchReport]:
        nothing = DispatchReport()
        if message.notification is None:  # a store should not hand these out; never retry
            return False, self._fail(message, "permanent: undecodable payload", retry=False)
        now = self.clock.now()
        if message.notification.has_expired(now):
            reason = f"expired: no longer serves after {message.notification.expires_at}"
            return False, self._expire(message, reason)
        if not accepts(self.notifier, message.notification):
            return False, self._expire(message, _not_taken(message.notification))
        if targeted is not None:
            return self._deliver_to_targets(targeted, message, message.notification)
        try:
            self.notifier.send(message.notification)
        except PermanentNotificationError as error:
            return False, self._fail(message, f"permanent: {error.reason}", retry=False)
        except TransientNotificationError as error:
            return False, self._fail(message, f"transient: {error.reason}", retry=True)
        except Exception as error:
            log.exception("notifier failed unexpectedly on message %d", message.id)
            reason = f"unexpected: {type(error).__name__}: {error}"
            return False, self._fail(message, reason, retry=True)
        return True, nothing

    def _expire(self, message: OutboxMessage, reason: str) -> DispatchReport:
        if self.store.mark_expired(self.owner, message.id, now=self.clock.now(), reason=reason):
            return DispatchReport(expired=1)
        return self._lost(message, "while recording that it expired")

    def _deliver_to_targets(
        self, notifier: TargetedNotifier, message: OutboxMessage, notification: Notification
    ) -> tuple[bool, DispatchReport]:
        outcomes = notifier.send_to_targets(notification, skip=message.delivered)
        counts = _counts(outcomes)
        failed = [o for o in outcomes if o.status is TargetStatus.FAILED]
        if not failed:
            return True, DispatchReport(targets=counts)
        delivered = message.delivered | {
            o.target for o in outcomes if o.status is TargetStatus.SENT
        }
        reason = "; ".join(f"{o.target}: {_reason(o.error)}" for o in failed)
        retry = any(not isinstance(o.error, PermanentNotificationError) for o in failed)
        report = self._fail(message, reason, retry=retry, delivered=delivered)
        return False, report + DispatchReport(targets=counts)

    def _record_sent(self, delivered: list[OutboxMessage]) -> DispatchReport:
        """Record the deliveries of a batch in one guarded statement (once more on a fresh
        connection if the first try fails); each message whose lease was lost meanwhile is
        logged and counted."""
        ids = [message.id for message in delivered]
        try:
            marked = self.store.mark_sent_many(self.owner, ids, now=self.clock.now())
        except StoreError as error:
            log.warning(
                "outbox owner %s: recording %d messages as sent failed, trying again: %s",
                self.owner,
                len(ids),
                error,
            )
            marked = self.store.mark_sent_many(self.owner, ids, now=self.clock.now())
        report = DispatchReport(sent=len(marked))
        for message in delivered:
            if message.id not in marked:
                report += self._lost(
                    message, "after sending; it may be delivered again with the same key"
                )
        return report

    def _fail(
        self,
        message: OutboxMessage,
        reason: str,
        *,
        retry: bool,
        delivered: frozenset[str] | None = None,
    ) -> DispatchReport:
        attempt = message.attempts + 1
        now = self.clock.now()
        give_up = not retry or attempt >= self.max_attempts
        if retry and give_up:
            reason = f"{reason} (gave up after {attempt} attempts)"
        retry_at = None if give_up else now + self.backoff.delay(attempt, message.key)
        if not self.store.mark_failed(
            self.owner, message.id, now=now, error=reason, retry_at=retry_at, delivered=delivered
        ):
            return self._lost(message, f"while recording a failure: {reason}")
        if give_up:
            log.warning(
                "outbox message %d (key %r) is a dead letter: %s", message.id, message.key, reason
            )
            return DispatchReport(dead=1)
        log.info(
            "outbox message %d (key %r) retries at %s: %s",
            message.id,
            message.key,
            retry_at,
            reason,
        )
        return DispatchReport(retried=1)

    def run_forever(
        self,
        stop: StopSignal,
        *,
        idle_seconds: float = 1.0,
        recovery: Recovery | None = None,
    ) -> DispatchReport:
        """Dispatch until ``stop`` (an event or a callable) says so; returns the totals.

        Waits ``idle_seconds`` between rounds when nothing was due. A round that raises is
        logged and followed by the pause of ``recovery`` (by default :data:`RECOVERY` for
        this owner); nothing but ``stop`` ends the loop. On stopping, claims not yet sent are
        released for other workers. ``stop`` also ends a wait for the store's write lock
        (see :func:`stop_waits`), so a stop takes effect promptly also while another process
        holds that lock.
        """
        recovery = recovery if recovery is not None else Recovery(self.owner)
        total = DispatchReport()
        with stop_waits(self.store, stop):
            while not _should_stop(stop):
                try:
                    report = self.run_once(stop)
                except StoppedError:  # stopped while waiting for a lock: nothing was done
                    total += self.last_round
                    break
                except Exception as error:
                    total += self.last_round
                    wait_or_stop(stop, recovery.failed("dispatch", error))
                    continue
                recovery.succeeded("dispatch")
                total += report
                if report.handled == 0:
                    wait_or_stop(stop, idle_seconds)
        return total


def _not_taken(notification: Notification) -> str:
    if notification.is_state_change:
        return "not for this notifier: state changes go to webhooks and subscribers only"
    return f"not for this notifier: it takes no {notification.kind.value} messages"


def _reason(error: NotificationError | None) -> str:
    if error is None:  # a failed outcome always has its error; keep the record readable
        return "failed"
    kind = "permanent" if isinstance(error, PermanentNotificationError) else "transient"
    return f"{kind}: {error.reason}"


def _counts(outcomes: tuple[TargetOutcome, ...]) -> tuple[TargetReport, ...]:
    reports = (
        TargetReport(
            o.target,
            sent=int(o.status is TargetStatus.SENT),
            failed=int(o.status is TargetStatus.FAILED),
            already=int(o.status is TargetStatus.ALREADY),
        )
        for o in outcomes
        if o.status is not TargetStatus.NOT_FOR_IT
    )
    return _merge((), tuple(reports))


def stop_on_signals(
    stop: threading.Event, signals: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)
) -> None:
    """Make SIGTERM and SIGINT set ``stop`` (call from the main thread of a worker process).

    >>> import threading
    >>> stop = threading.Event()
    >>> previous = signal.getsignal(signal.SIGTERM)
    >>> stop_on_signals(stop, (signal.SIGTERM,))
    >>> signal.raise_signal(signal.SIGTERM)
    >>> stop.is_set()
    True
    >>> _ = signal.signal(signal.SIGTERM, previous)
    """

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %d; stopping after the current message", signum)
        stop.set()

    for sig in signals:
        signal.signal(sig, handle)
