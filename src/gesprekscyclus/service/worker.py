"""The background worker loop: keep plan, reminders and outbox moving, whatever happens.

A :class:`Worker` runs rounds until it is stopped. A round runs three tasks in order:

- ``materialise``: once per day (the first round on a new UTC day) and again as soon as
  another design version is applied, plan the coming ``horizon_days`` into the store
  (planners take turns through the store's planner lock, so any number of workers may start
  together), move the open action items of manager changes now in force, then purge what
  the design's retention periods no longer allow to keep;
- ``remind``: put the reminders due now into the outbox (keys that are there are skipped);
- ``dispatch``: send one batch of the outbox with the :class:`~.dispatch.Dispatcher`.

Each task is guarded on its own by a :class:`~.dispatch.Recovery`: a task that raises (a
dropped connection, a database restart, a lock that timed out, a bug met by one person's
plan) is logged and paused, for 1 s after its first failure and up to a minute when it keeps
failing, while the other tasks carry on; when it works again that is logged too. Between
rounds the worker waits ``interval`` seconds unless the last batch was busy. Only its stop
signal (see :func:`~.dispatch.stop_on_signals`) ends :meth:`Worker.run`; claims not yet sent
are released on the way out.

A stop takes effect between two messages, and also while a task waits for the store's write
lock (on SQLite another process may hold it for up to the store's ``busy_timeout``): the
worker hands its stop to the store (:func:`~.dispatch.stop_waits`), the wait ends within
about 0.2 s with :class:`~gesprekscyclus.errors.StoppedError`, which ends the round without
counting a failure, and the loop ends. Recording what a batch delivered is not cut short, so
a delivery is not repeated because of a stop.

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.adapters.memory import MemoryStore
>>> from gesprekscyclus.planning.design import CycleDesign
>>> from gesprekscyclus.ports.clock import FixedClock
>>> from gesprekscyclus.service.app import ConversationService
>>> from gesprekscyclus.service.dispatch import Dispatcher
>>> clock = FixedClock(datetime(2027, 1, 4, 7, tzinfo=timezone.utc))
>>> service = ConversationService(MemoryStore(), clock,
...     design=CycleDesign(name="demo", cycle_start=date(2027, 1, 1)))
>>> class Printer:
...     def send(self, notification):
...         print("sending", notification.key)
>>> worker = Worker(service, Dispatcher(service.store, Printer(), clock, owner="w-1"))
>>> worker.run_round()
WorkerRound(materialised=True, reminders=0, dispatched=DispatchReport(sent=0, retried=0, \
dead=0, lost_leases=0, expired=0), failed=())
>>> worker.run_round().materialised  # once per day
False
"""

from __future__ import annotations

from datetime import date, datetime

from attrs import field, frozen

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.errors import InvalidValueError, StoppedError
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import (
    Dispatcher,
    DispatchReport,
    Recovery,
    StopSignal,
    stop_waits,
    wait_or_stop,
)
from gesprekscyclus.service.materialise import horizon_end

__all__ = ["TASKS", "Worker", "WorkerRound", "WorkerTotals"]

#: The tasks of one round, in order.
TASKS = ("materialise", "remind", "dispatch")


@frozen
class WorkerRound:
    """What one round did: whether it planned, how many reminders it enqueued, what it
    sent, and which tasks failed (they are paused; see the module docstring)."""

    materialised: bool = False
    reminders: int = 0
    dispatched: DispatchReport = field(factory=DispatchReport)
    failed: tuple[str, ...] = ()


@frozen
class WorkerTotals:
    """What :meth:`Worker.run` did until it was stopped."""

    rounds: int = 0
    failures: int = 0
    dispatched: DispatchReport = field(factory=DispatchReport)


def _seconds(path: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InvalidValueError(path, f"must be 0 seconds or more, got {shown(value)}")
    return float(value)


class Worker:
    """The worker loop over one service and dispatcher; see the module docstring.

    ``recovery`` decides the pauses after failures (by default
    :data:`~.dispatch.RECOVERY` for the dispatcher's owner).
    """

    def __init__(
        self,
        service: ConversationService,
        dispatcher: Dispatcher,
        *,
        horizon_days: int = 365,
        interval: float = 5.0,
        recovery: Recovery | None = None,
    ):
        if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 0:
            raise InvalidValueError("horizon_days", f"must be 0 or more, got {shown(horizon_days)}")
        self.service = service
        self.dispatcher = dispatcher
        self.horizon_days = horizon_days
        self.interval: float = _seconds("interval", interval)
        self.recovery: Recovery = recovery if recovery is not None else Recovery(dispatcher.owner)
        self._materialised: tuple[date, int | None] | None = None

    def run_round(self, stop: StopSignal | None = None) -> WorkerRound:
        """One round of the three tasks; a failing task is logged and paused, not raised.

        A task stopped while it waited for a lock (:class:`~gesprekscyclus.errors.StoppedError`)
        ends the round; it is not a failure."""
        now = self.service.clock.now()
        materialised = False
        reminders = 0
        dispatched = DispatchReport()
        failed: list[str] = []
        for task in TASKS:
            if not self.recovery.ready(task):
                continue
            try:
                if task == "materialise":
                    materialised = self._materialise(now)
                elif task == "remind":
                    reminders = self.service.enqueue_due_reminders(now).enqueued
                else:
                    dispatched = self.dispatcher.run_once(stop)
            except Exception as error:
                if task == "dispatch":
                    dispatched = self.dispatcher.last_round
                if isinstance(error, StoppedError):
                    break
                self.recovery.failed(task, error)
                failed.append(task)
                continue
            self.recovery.succeeded(task)
        return WorkerRound(materialised, reminders, dispatched, tuple(failed))

    def _materialise(self, now: datetime) -> bool:
        today = now.date()
        if self._materialised == (today, self._design_number()):
            return False
        self.service.materialise(today, horizon_end(today, self.horizon_days))
        self._materialised = (today, self._design_number())
        self.service.apply_manager_changes(now)  # open items follow a change now in force
        self.service.purge(now)  # what the retention periods no longer allow to keep
        return True

    def _design_number(self) -> int | None:
        version = self.service.design_version
        return None if version is None else version.number

    def run(self, stop: StopSignal) -> WorkerTotals:
        """Run rounds until ``stop`` fires; returns the totals. While it runs, ``stop`` also
        ends the store's waits for a lock (see the module docstring)."""
        rounds = failures = 0
        total = DispatchReport()
        store, sending = self.service.store, self.dispatcher.store
        with stop_waits(store, stop), stop_waits(sending if sending is not store else None, stop):
            while not wait_or_stop(stop, 0):
                done = self.run_round(stop)
                rounds += 1
                failures += len(done.failed)
                total += done.dispatched
                if done.dispatched.handled == 0:
                    wait_or_stop(stop, self.interval)
        return WorkerTotals(rounds, failures, total)
