"""Several worker processes dispatching one SQLite outbox: exactly once, and crash-safe.

The workers record their deliveries as :mod:`tests.dispatch_support` describes.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.service.dispatch import Dispatcher, stop_on_signals
from gesprekscyclus.testing.contract import make_notification

from .dispatch_support import (
    BATCH_SIZE,
    MESSAGES,
    SlowNotifier,
    delivered,
    dispatch_until_empty,
    message_keys,
    spawn,
    start_workers,
)

pytestmark = pytest.mark.slow


def run_worker(db: str, out: str, owner: str, delay: float, lease_seconds: float) -> None:
    """Dispatch until the outbox is empty (the body of one worker process)."""
    dispatch_until_empty(open_sqlite_store(db), out, owner, delay, lease_seconds)


def run_until_signalled(db: str, out: str, owner: str) -> None:
    """Dispatch slowly until SIGTERM, then return (a worker's main loop)."""
    stop = threading.Event()
    stop_on_signals(stop)
    store = open_sqlite_store(db)
    dispatcher = Dispatcher(
        store, SlowNotifier(out, 0.01), SystemClock(), owner=owner, lease_seconds=30
    )
    dispatcher.run_forever(stop, idle_seconds=0.05)
    store.close()


def _fill(db: Path, count: int) -> list[str]:
    keys = message_keys(count)
    store = open_sqlite_store(db)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue(
            [make_notification(key) for key in keys], due_at=datetime(2020, 1, 1, tzinfo=UTC)
        )
    store.close()
    return keys


def _lines(path: Path) -> int:
    return len(delivered(path))


def test_four_workers_deliver_every_key_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    keys = _fill(db, MESSAGES)
    outs = [tmp_path / f"worker-{n}.log" for n in range(4)]
    workers = start_workers(run_worker, str(db), outs, [0.0] * 4, 10.0)
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert Counter(key for out in outs for key in delivered(out)) == Counter(keys)
    store = open_sqlite_store(db)
    assert store.outbox_stats().sent == MESSAGES
    store.close()


def test_a_killed_worker_loses_nothing_and_repeats_at_most_its_batch_in_flight(
    tmp_path: Path,
) -> None:
    db = tmp_path / "outbox.db"
    keys = _fill(db, MESSAGES)
    outs = [tmp_path / f"worker-{n}.log" for n in range(4)]
    # The first worker is slow, so it is certainly busy when it is killed.
    workers = start_workers(run_worker, str(db), outs, [0.002, 0.0, 0.0, 0.0], 2.0)
    deadline = time.monotonic() + 60
    while _lines(outs[0]) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers[0].pid is not None
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[0].join(10)
    assert workers[0].exitcode == -signal.SIGKILL
    for worker in workers[1:]:
        worker.join(120)
        assert worker.exitcode == 0

    counts = Counter(key for out in outs for key in delivered(out))
    assert set(counts) == set(keys), "every key was delivered"
    repeated = [key for key, seen in counts.items() if seen > 1]
    assert len(repeated) <= BATCH_SIZE
    assert all(counts[key] == 2 and key in delivered(outs[0])[-BATCH_SIZE:] for key in repeated)
    store = open_sqlite_store(db)
    stats = store.outbox_stats()
    store.close()
    assert (stats.sent, stats.pending, stats.dead) == (MESSAGES, 0, 0)


def test_sigterm_stops_a_worker_and_releases_its_unsent_claims(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    _fill(db, 500)
    out = tmp_path / "worker.log"
    worker = spawn.Process(target=run_until_signalled, args=(str(db), str(out), "w1"))
    worker.start()
    deadline = time.monotonic() + 60
    while _lines(out) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGTERM)
    worker.join(30)
    assert worker.exitcode == 0
    store = open_sqlite_store(db)
    stats = store.outbox_stats()
    store.close()
    assert stats.leased == 0
    assert stats.sent == _lines(out)
    assert stats.pending == 500 - stats.sent > 0
