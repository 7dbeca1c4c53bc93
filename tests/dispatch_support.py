"""The worker-process harness the multi-process dispatch tests share.

A worker dispatches through a :class:`SlowNotifier`: it records each delivery in a file of
its own with one ``O_APPEND`` write, so the files show what was delivered, and by whom, even
when a worker is killed.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from multiprocessing.context import SpawnProcess
from pathlib import Path

from gesprekscyclus.adapters.notifiers.recording import FileRecordingNotifier
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.dispatch import Dispatcher

MESSAGES = 10_000
spawn = multiprocessing.get_context("spawn")


class SlowNotifier:
    """Waits ``delay`` seconds, then records like :class:`FileRecordingNotifier`."""

    def __init__(self, path: str, delay: float):
        self._inner = FileRecordingNotifier(path)
        self._delay = delay

    def send(self, notification: Notification) -> None:
        if self._delay:
            time.sleep(self._delay)
        self._inner.send(notification)


class UntilEmpty:
    """Stops once the outbox has nothing pending; asks the store at most every 0.1 s."""

    def __init__(self, store: Store):
        self._store = store
        self._checked = 0.0
        self._empty = False

    def __call__(self) -> bool:
        if time.monotonic() - self._checked > 0.1:
            self._checked = time.monotonic()
            self._empty = self._store.outbox_stats().pending == 0
        return self._empty


def dispatch_until_empty(
    store: Store, out: str, owner: str, delay: float, lease_seconds: float
) -> None:
    """Dispatch from ``store`` into ``out`` until nothing is pending, then close the store."""
    dispatcher = Dispatcher(
        store,
        SlowNotifier(out, delay),
        SystemClock(),
        owner=owner,
        batch_size=20,
        lease_seconds=lease_seconds,
    )
    dispatcher.run_forever(UntilEmpty(store), idle_seconds=0.05)
    store.close()


def message_keys(count: int = MESSAGES) -> list[str]:
    """The outbox keys the tests enqueue."""
    return [f"reminder:{index:05d}" for index in range(count)]


def delivered(path: Path) -> list[str]:
    """The keys a worker recorded in ``path``, in order (none while it does not exist)."""
    return list(FileRecordingNotifier(path).keys)


def start_workers(
    target: Callable[[str, str, str, float, float], None],
    place: str,
    outs: Sequence[Path],
    delays: Sequence[float],
    lease_seconds: float,
) -> list[SpawnProcess]:
    """Start one spawned ``target(place, out, owner, delay, lease_seconds)`` per ``outs``;
    worker ``n`` is owner ``wn``."""
    workers = [
        spawn.Process(target=target, args=(place, str(out), f"w{n}", delay, lease_seconds))
        for n, (out, delay) in enumerate(zip(outs, delays, strict=True))
    ]
    for worker in workers:
        worker.start()
    return workers
