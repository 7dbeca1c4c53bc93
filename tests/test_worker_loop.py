"""The worker loop and the dispatcher's forever loop survive failing tasks and stores."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.errors import StoreError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import OutboxStats, Store, UnitOfWork
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import RECOVERY, Backoff, Dispatcher, Recovery
from gesprekscyclus.service.worker import TASKS, Worker, WorkerRound
from gesprekscyclus.testing.contract import T0, make_notification

NO_PAUSE = Backoff(base_seconds=0, jitter=0)


class Flaky:
    """A real store that fails like a lost database while ``down`` is set."""

    def __init__(self, inner: Store):
        self.inner = inner
        self.down = False
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute) or name in {"close", "stop_waiting_when"}:
            return attribute  # no call to the database

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.down:
                raise StoreError(f"flaky store: {name} failed: server closed the connection")
            return attribute(*args, **kwargs)

        return call

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        self.calls += 1
        if self.down:
            raise StoreError("flaky store: unit of work failed: connection refused")
        return self.inner.unit_of_work()


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification.key)


@pytest.fixture
def flaky(tmp_path: Path) -> Iterator[Flaky]:
    store = open_sqlite_store(tmp_path / "worker.db")
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification(f"k-{n}") for n in range(5)], due_at=T0)
    yield Flaky(store)
    store.close()


def _worker(store: Any, clock: FixedClock, notifier: Recorder, **options: Any) -> Worker:
    service = ConversationService(
        store, clock, design=CycleDesign(name="test", cycle_start=date(2026, 1, 1))
    )
    dispatcher = Dispatcher(store, notifier, clock, owner="w-1", batch_size=2)
    return Worker(service, dispatcher, interval=0, **options)


def test_a_lost_store_pauses_every_task_and_the_worker_picks_up_again(
    flaky: Flaky, caplog: pytest.LogCaptureFixture
) -> None:
    clock, notifier = FixedClock(T0), Recorder()
    now = [0.0]
    recovery = Recovery("w-1", Backoff(base_seconds=1, jitter=0), timer=lambda: now[0])
    worker = _worker(flaky, clock, notifier, recovery=recovery)
    flaky.down = True
    with caplog.at_level(logging.WARNING, logger="gesprekscyclus"):
        assert worker.run_round().failed == TASKS
        calls = flaky.calls
        assert worker.run_round() == WorkerRound()  # every task is pausing: nothing is tried
        assert flaky.calls == calls
        now[0] = 1.0
        assert worker.run_round().failed == TASKS
        assert [recovery.failures(task) for task in TASKS] == [2, 2, 2]
        flaky.down = False
        now[0] = 3.0
        done = worker.run_round()
    assert (done.failed, done.materialised, done.dispatched.sent) == ((), True, 2)
    assert [recovery.failures(task) for task in TASKS] == [0, 0, 0]
    messages = [record.getMessage() for record in caplog.records]
    assert (
        "w-1: dispatch failed (1 in a row), next try in 1.0 s: StoreError: flaky" in (messages[2])
    )
    assert any("w-1: dispatch works again after 2 failures" in text for text in messages)
    assert all(record.exc_info is None for record in caplog.records), "passing trouble"
    assert worker.run_round().dispatched.sent == 2
    assert worker.run_round().dispatched.sent == 1
    assert notifier.sent == [f"k-{n}" for n in range(5)]


def test_one_failing_task_does_not_hold_up_the_others(
    flaky: Flaky, caplog: pytest.LogCaptureFixture
) -> None:
    clock, notifier = FixedClock(T0), Recorder()
    worker = _worker(flaky, clock, notifier, recovery=Recovery("w-1", NO_PAUSE))

    def broken(start: date, end: date) -> None:
        raise RuntimeError("a bug met while planning one person")

    worker.service.materialise = broken  # type: ignore[method-assign,assignment]
    with caplog.at_level(logging.ERROR, logger="gesprekscyclus"):
        rounds = [worker.run_round() for _ in range(3)]
    assert [r.failed for r in rounds] == [("materialise",)] * 3
    assert [r.dispatched.sent for r in rounds] == [2, 2, 1]
    assert caplog.records[0].exc_info is not None, "an unexpected error keeps its traceback"


def test_run_ends_only_on_stop_also_while_the_store_is_down(flaky: Flaky) -> None:
    clock, notifier = FixedClock(T0), Recorder()
    worker = _worker(flaky, clock, notifier, recovery=Recovery("w-1", NO_PAUSE))
    flaky.down = True
    stop = threading.Event()
    rounds = [0]

    def stopping() -> bool:
        rounds[0] += 1
        if rounds[0] == 20:
            flaky.down = False
        return rounds[0] > 200 or (not flaky.down and notifier.sent[4:] != [])

    totals = worker.run(stopping)
    assert not stop.is_set()
    assert totals.failures > 0
    assert notifier.sent == [f"k-{n}" for n in range(5)]
    assert totals.dispatched.sent == 5


def test_run_forever_survives_a_lost_store(flaky: Flaky) -> None:
    clock, notifier = FixedClock(T0), Recorder()
    dispatcher = Dispatcher(flaky, notifier, clock, owner="w-1", batch_size=2)  # type: ignore[arg-type]
    checks = [0]

    def stop() -> bool:
        checks[0] += 1
        flaky.down = checks[0] % 7 in (1, 2)  # the store drops out now and then
        if flaky.down:
            clock.advance(seconds=61)  # and leases taken before run out
        return set(notifier.sent) == {f"k-{n}" for n in range(5)} or checks[0] > 500

    total = dispatcher.run_forever(stop, idle_seconds=0, recovery=Recovery("w-1", NO_PAUSE))
    flaky.down = False
    assert sorted(set(notifier.sent)) == [f"k-{n}" for n in range(5)]
    assert checks[0] < 500
    # A send whose record was lost twice over goes out again (same key) once its lease ends.
    clock.advance(seconds=61)
    while flaky.inner.outbox_stats().pending:
        total += dispatcher.run_once()
    assert flaky.inner.outbox_stats() == OutboxStats(sent=5)
    assert total.sent == 5
    assert len(notifier.sent) - 5 <= checks[0] // 7, "at most one repeat per outage"


def test_a_failed_record_of_a_delivery_is_tried_again_at_once(flaky: Flaky) -> None:
    clock, notifier = FixedClock(T0), Recorder()
    failures = [1]
    mark_sent_many = flaky.inner.mark_sent_many

    def once_failing(*args: Any, **kwargs: Any) -> set[int]:
        if failures[0]:
            failures[0] -= 1
            raise StoreError("connection lost after the send")
        return mark_sent_many(*args, **kwargs)

    flaky.inner.mark_sent_many = once_failing  # type: ignore[method-assign]
    report = Dispatcher(flaky, notifier, clock, owner="w-1").run_once()  # type: ignore[arg-type]
    assert (report.sent, report.lost_leases) == (5, 0)
    assert notifier.sent == [f"k-{n}" for n in range(5)]


@given(st.integers(min_value=1, max_value=100_000), st.text(min_size=1, max_size=20))
def test_recovery_pauses_are_bounded_and_reproducible(failures: int, owner: str) -> None:
    pause = RECOVERY.delay(failures, f"{owner}:dispatch")
    limit = timedelta(seconds=RECOVERY.max_seconds * (1 + RECOVERY.jitter))
    assert timedelta(seconds=1) <= pause <= limit
    assert pause == RECOVERY.delay(failures, f"{owner}:dispatch")
    assert RECOVERY.delay(failures + 1, owner) >= timedelta(seconds=min(2**failures, 60))


def test_the_pause_grows_to_a_minute_and_stays_there_for_days_of_failures() -> None:
    recovery = Recovery("w-1")
    pauses = [recovery.failed("dispatch", StoreError("down")) for _ in range(3000)]
    assert 1.0 <= pauses[0] <= 1.2
    assert all(60.0 <= pause <= 72.0 for pause in pauses[6:])


def test_a_batch_whose_lease_ran_out_is_given_up_with_one_message(
    flaky: Flaky, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(T0)

    class Stalling(Recorder):
        def send(self, notification: Notification) -> None:
            super().send(notification)
            clock.advance(seconds=61)  # an outage as long as the lease

    notifier = Stalling()
    dispatcher = Dispatcher(flaky, notifier, clock, owner="w-1", lease_seconds=60)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="gesprekscyclus"):
        report = dispatcher.run_once()
    assert (report.sent, report.lost_leases) == (0, 5)
    assert notifier.sent == ["k-0"]
    batch = [r.getMessage() for r in caplog.records if "unsent messages of its batch" in r.message]
    assert batch == [
        "outbox owner w-1 lost the lease on the 4 unsent messages of its batch"
        " (ids 2, 3, 4, 5); not sent, another owner will"
    ]
    later = flaky.inner.claim_due("w-2", now=clock.now(), limit=10, lease_seconds=60)
    assert [m.key for m in later] == [f"k-{n}" for n in range(5)]


@pytest.mark.parametrize("loop", ["worker", "run_forever"])
def test_a_stop_ends_the_loop_while_another_writer_holds_the_lock(
    tmp_path: Path, loop: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_sqlite_store(tmp_path / "locked.db", busy_timeout=10)
    clock, notifier = FixedClock(T0), Recorder()
    worker = _worker(store, clock, notifier)
    worker.run_round()  # planned for the day: what is left to do needs the write lock
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    stop = threading.Event()
    ended: list[Any] = []

    def run() -> None:
        if loop == "worker":
            ended.append(worker.run(stop))
        else:
            ended.append(worker.dispatcher.run_forever(stop, idle_seconds=0))

    running = threading.Thread(target=run)
    with caplog.at_level(logging.WARNING, logger="gesprekscyclus"):
        running.start()
        time.sleep(0.5)  # it waits for the lock by now
        stopped = time.monotonic()
        stop.set()
        running.join(15)
        took = time.monotonic() - stopped
    assert holder.in_transaction, "the lock was held all along"
    holder.close()
    assert not running.is_alive()
    assert took < 1.0, f"the loop ended {took:.2f} s after the stop"
    assert [record.getMessage() for record in caplog.records] == [], "no failure logged"
    if loop == "worker":
        assert ended[0].failures == 0
    with store.unit_of_work() as uow:  # the stop does not stay with the store
        uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
    store.close()
