"""Several worker processes dispatching one PostgreSQL outbox: exactly once, and crash-safe.

Each worker delivers through a :class:`FileRecordingNotifier` writing to a file of its own
(one ``O_APPEND`` write per notification), so the files show what was delivered even when a
worker is killed, and by whom.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gesprekscyclus.adapters.notifiers.recording import FileRecordingNotifier
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.testing.contract import make_notification

from .postgres_support import drop_schema, new_schema_name, open_store, require_postgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MESSAGES = 10_000
WORKERS = 4
_spawn = multiprocessing.get_context("spawn")


class SlowNotifier:
    """Waits ``delay`` seconds, then records like :class:`FileRecordingNotifier`."""

    def __init__(self, path: str, delay: float):
        self._inner = FileRecordingNotifier(path)
        self._delay = delay

    def send(self, notification: Notification) -> None:
        if self._delay:
            time.sleep(self._delay)
        self._inner.send(notification)


class _UntilEmpty:
    """Stops once nothing is pending; asks the store at most every 0.1 s."""

    def __init__(self, store: object):
        self._store = store
        self._checked = 0.0
        self._empty = False

    def __call__(self) -> bool:
        if time.monotonic() - self._checked > 0.1:
            self._checked = time.monotonic()
            self._empty = self._store.outbox_stats().pending == 0  # type: ignore[attr-defined]
        return self._empty


def run_worker(schema: str, out: str, owner: str, delay: float, lease_seconds: float) -> None:
    """Dispatch until the outbox is empty (the body of one worker process)."""
    store = open_store(schema, pool_size=1)
    dispatcher = Dispatcher(
        store,
        SlowNotifier(out, delay),
        SystemClock(),
        owner=owner,
        batch_size=20,
        lease_seconds=lease_seconds,
    )
    dispatcher.run_forever(_UntilEmpty(store), idle_seconds=0.05)
    store.close()


@pytest.fixture
def schema() -> Iterator[str]:
    """A new schema holding an outbox of :data:`MESSAGES` due notifications."""
    require_postgres()
    name = new_schema_name()
    store = open_store(name)
    try:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [make_notification(key) for key in _keys()],
                due_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        store.close()
        yield name
    finally:
        store.close()
        drop_schema(name)


def _keys() -> list[str]:
    return [f"reminder:{index:05d}" for index in range(MESSAGES)]


def _read(path: Path) -> list[str]:
    return list(FileRecordingNotifier(path).keys)


def _stats(schema: str) -> tuple[int, int, int, int]:
    store = open_store(schema, pool_size=1)
    stats = store.outbox_stats()
    store.close()
    return stats.sent, stats.pending, stats.leased, stats.dead


def _start(schema: str, outs: list[Path], delays: list[float], lease: float) -> list[object]:
    workers = [
        _spawn.Process(target=run_worker, args=(schema, str(out), f"w{n}", delay, lease))
        for n, (out, delay) in enumerate(zip(outs, delays, strict=True))
    ]
    for worker in workers:
        worker.start()
    return workers


def test_four_workers_deliver_every_key_exactly_once(schema: str, tmp_path: Path) -> None:
    outs = [tmp_path / f"worker-{n}.jsonl" for n in range(WORKERS)]
    workers = _start(schema, outs, [0.0] * WORKERS, 10.0)
    for worker in workers:
        worker.join(120)  # type: ignore[attr-defined]
        assert worker.exitcode == 0  # type: ignore[attr-defined]
    per_worker = [_read(out) for out in outs]
    assert Counter(key for keys in per_worker for key in keys) == Counter(_keys())
    assert all(keys for keys in per_worker), "every worker got a share"
    assert _stats(schema) == (MESSAGES, 0, 0, 0)


def test_a_killed_worker_loses_nothing_and_repeats_at_most_its_message_in_flight(
    schema: str, tmp_path: Path
) -> None:
    outs = [tmp_path / f"worker-{n}.jsonl" for n in range(WORKERS)]
    # The first worker is slow, so it is certainly mid-batch when it is killed; the short
    # lease lets the others take over its claims soon after.
    workers = _start(schema, outs, [0.003, 0.0, 0.0, 0.0], 2.0)
    victim = workers[0]
    deadline = time.monotonic() + 60
    while len(_read(outs[0])) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    victim.join(10)  # type: ignore[attr-defined]
    assert victim.exitcode == -signal.SIGKILL  # type: ignore[attr-defined]
    for worker in workers[1:]:
        worker.join(120)  # type: ignore[attr-defined]
        assert worker.exitcode == 0  # type: ignore[attr-defined]

    killed = _read(outs[0])
    counts = Counter(key for out in outs for key in _read(out))
    assert set(counts) == set(_keys()), "every key was delivered"
    repeated = [key for key, seen in counts.items() if seen > 1]
    assert len(repeated) <= 1, repeated
    assert all(counts[key] == 2 and killed[-1] == key for key in repeated)
    assert _stats(schema) == (MESSAGES, 0, 0, 0)
