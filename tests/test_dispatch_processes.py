"""Several worker processes dispatching one SQLite outbox: exactly once, and crash-safe.

Each worker records every key its notifier delivers by appending it to a file of its own with
one unbuffered write, so the files show what was delivered even when a worker is killed.
"""

from __future__ import annotations

import multiprocessing
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
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.service.dispatch import Dispatcher, stop_on_signals
from gesprekscyclus.testing.contract import make_notification

pytestmark = pytest.mark.slow

MESSAGES = 10_000
_spawn = multiprocessing.get_context("spawn")


class FileRecorder:
    """A notifier that appends each key to a file, optionally slowly."""

    def __init__(self, path: str, delay: float):
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._delay = delay

    def send(self, notification: Notification) -> None:
        if self._delay:
            time.sleep(self._delay)
        os.write(self._fd, (notification.key + "\n").encode())


class _UntilEmpty:
    """Stops once the outbox has nothing pending; asks the store at most every 0.1 s."""

    def __init__(self, store: object):
        self._store = store
        self._checked = 0.0
        self._empty = False

    def __call__(self) -> bool:
        if time.monotonic() - self._checked > 0.1:
            self._checked = time.monotonic()
            self._empty = self._store.outbox_stats().pending == 0  # type: ignore[attr-defined]
        return self._empty


def run_worker(db: str, out: str, owner: str, delay: float, lease_seconds: float) -> None:
    """Dispatch until the outbox is empty (the body of one worker process)."""
    store = open_sqlite_store(db)
    dispatcher = Dispatcher(
        store,
        FileRecorder(out, delay),
        SystemClock(),
        owner=owner,
        batch_size=20,
        lease_seconds=lease_seconds,
    )
    dispatcher.run_forever(_UntilEmpty(store), idle_seconds=0.05)
    store.close()


def run_until_signalled(db: str, out: str, owner: str) -> None:
    """Dispatch slowly until SIGTERM, then return (a worker's main loop)."""
    stop = threading.Event()
    stop_on_signals(stop)
    store = open_sqlite_store(db)
    dispatcher = Dispatcher(
        store, FileRecorder(out, 0.01), SystemClock(), owner=owner, lease_seconds=30
    )
    dispatcher.run_forever(stop, idle_seconds=0.05)
    store.close()


def _fill(db: Path, count: int) -> list[str]:
    keys = [f"reminder:{index:05d}" for index in range(count)]
    store = open_sqlite_store(db)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue(
            [make_notification(key) for key in keys], due_at=datetime(2020, 1, 1, tzinfo=UTC)
        )
    store.close()
    return keys


def _read(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _lines(path: Path) -> int:
    return len(_read(path))


def test_four_workers_deliver_every_key_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    keys = _fill(db, MESSAGES)
    outs = [tmp_path / f"worker-{n}.log" for n in range(4)]
    workers = [
        _spawn.Process(target=run_worker, args=(str(db), str(out), f"w{n}", 0.0, 10.0))
        for n, out in enumerate(outs)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    delivered = [key for out in outs for key in _read(out)]
    assert Counter(delivered) == Counter(keys)
    store = open_sqlite_store(db)
    assert store.outbox_stats().sent == MESSAGES
    store.close()


def test_a_killed_worker_loses_nothing_and_repeats_at_most_its_message_in_flight(
    tmp_path: Path,
) -> None:
    db = tmp_path / "outbox.db"
    keys = _fill(db, MESSAGES)
    outs = [tmp_path / f"worker-{n}.log" for n in range(4)]
    # The first worker is slow, so it is certainly busy when it is killed.
    workers = [
        _spawn.Process(
            target=run_worker, args=(str(db), str(out), f"w{n}", 0.002 if n == 0 else 0.0, 2.0)
        )
        for n, out in enumerate(outs)
    ]
    for worker in workers:
        worker.start()
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

    counts = Counter(key for out in outs for key in _read(out))
    assert set(counts) == set(keys), "every key was delivered"
    repeated = [key for key, seen in counts.items() if seen > 1]
    assert len(repeated) <= 1
    assert all(counts[key] == 2 and key in _read(outs[0]) for key in repeated)
    store = open_sqlite_store(db)
    stats = store.outbox_stats()
    store.close()
    assert (stats.sent, stats.pending, stats.dead) == (MESSAGES, 0, 0)


def test_sigterm_stops_a_worker_and_releases_its_unsent_claims(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    _fill(db, 500)
    out = tmp_path / "worker.log"
    worker = _spawn.Process(target=run_until_signalled, args=(str(db), str(out), "w1"))
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
