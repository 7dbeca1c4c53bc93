"""The worker-process harness the multi-process dispatch tests share.

A worker dispatches through a :class:`SlowNotifier`: it records each delivery in a file of
its own with one ``O_APPEND`` write, so the files show what was delivered, and by whom, even
when a worker is killed.

:func:`act` is the body of one process of the "many processes at once" tests: it opens a
store named by a *place* (``sqlite:<file>`` or ``postgres:<schema>:<application name>``),
waits at a barrier with the others and then plays one role: ``materialise``, ``tick`` or
``worker`` (the library's worker loop, until SIGTERM).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from gesprekscyclus.adapters.notifiers.recording import FileRecordingNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.people import Person
from gesprekscyclus.examples import load_reference
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import PLANNER_LOCK, Store
from gesprekscyclus.service.app import ConversationService, tick
from gesprekscyclus.service.dispatch import Dispatcher, stop_on_signals
from gesprekscyclus.service.worker import Worker

MESSAGES = 10_000

#: Messages a worker claims at once; a batch's deliveries are recorded together, so a worker
#: that dies repeats at most the unrecorded deliveries of its batch (with the same keys).
BATCH_SIZE = 20

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
        batch_size=BATCH_SIZE,
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


#: The instant the "many processes at once" tests act at (a Monday with reminders due).
START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
#: Their planning horizon in days.
HORIZON_DAYS = 365


class RunningClock:
    """Real time, but starting from ``start``: ``start`` plus the time since creation."""

    def __init__(self, start: datetime):
        self._start = start
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)


def with_application_name(dsn: str, name: str) -> str:
    """``dsn`` (a URL) whose connections show as ``name`` in ``pg_stat_activity``."""
    return f"{dsn}{'&' if '?' in dsn else '?'}application_name={name}"


def open_place(place: str) -> Store:
    """The store a place names: ``sqlite:<file>`` or ``postgres:<schema>:<app name>``, the
    latter optionally with ``:<port>`` to reach the server on another local port."""
    kind, _, rest = place.partition(":")
    if kind == "sqlite":
        return open_sqlite_store(rest)
    from gesprekscyclus.adapters.postgres import open_postgres_store  # noqa: PLC0415

    from .postgres_support import dsn  # noqa: PLC0415

    schema, application, *port = rest.split(":")
    url = with_application_name(dsn(), application) + "".join(f"&port={p}" for p in port)
    return open_postgres_store(url, schema=schema, pool_size=2, pool_timeout=10)


class TcpProxy:
    """Relays a local port to ``target``; :meth:`stop` drops every connection and refuses
    new ones, like a database server that goes down, and :meth:`start` brings it back."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._guard = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._guard:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._guard:
            dropped, self._open = self._open, []
        for end in dropped:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


def seed_reference(store: Store) -> None:
    """Store the reference organisation's people and life events."""
    _design, people, events = load_reference()
    with store.unit_of_work() as uow:
        for person in people:
            uow.people.upsert(person)
        for event in events:
            uow.events.append(event)


def act(
    role: str, place: str, out: str, owner: str, barrier: Barrier | None, options: dict[str, Any]
) -> None:
    """The body of one process; see the module docstring. ``options``: ``seed`` (store the
    reference people first), ``delay`` (seconds per delivery), ``lease_seconds``."""
    logging.basicConfig(level=logging.WARNING, format=f"{owner} %(levelname)s %(message)s")
    stop = threading.Event()
    if role == "worker":
        stop_on_signals(stop)
    store = open_place(place)  # on a fresh store, the migrations race here
    if options.get("seed"):
        seed_reference(store)
    if barrier is not None:
        barrier.wait(60)
    clock = RunningClock(START)
    design, _people, _events = load_reference()
    service = ConversationService(store, clock, design=design)
    dispatcher = Dispatcher(
        store,
        SlowNotifier(out, options.get("delay", 0.0)),
        clock,
        owner=owner,
        batch_size=BATCH_SIZE,
        lease_seconds=options.get("lease_seconds", 5.0),
    )
    try:
        if role == "materialise":
            start = START.date()
            service.materialise(start, start + timedelta(days=HORIZON_DAYS))
        elif role == "tick":
            tick(service, dispatcher, clock.now(), horizon_days=HORIZON_DAYS)
        else:
            Worker(service, dispatcher, horizon_days=HORIZON_DAYS, interval=0.05).run(stop)
    finally:
        store.close()


class Started(list[tuple[str, Path, SpawnProcess]]):
    """(role, delivery file, process) triples, holding on to the barrier they share (a
    barrier collected in the parent before a child has read it breaks that child)."""

    def __init__(self, barrier: Barrier):
        super().__init__()
        self.barrier = barrier


def start_roles(roles: Sequence[str], place: str, folder: Path, **options: Any) -> Started:
    """Start one :func:`act` process per role, all released by one barrier. The first
    process seeds when ``seed`` is set."""
    barrier = spawn.Barrier(len(roles))
    started = Started(barrier)
    for n, role in enumerate(roles):
        out = folder / f"{role}-{n}.jsonl"
        mine = {**options, "seed": options.get("seed", False) and n == 0}
        process = spawn.Process(target=act, args=(role, place, str(out), f"p{n}", barrier, mine))
        process.start()
        started.append((role, out, process))
    return started


def hold_planner_lock(place: str, holding: Any) -> None:
    """Take the planner lock in a unit of work, say so through ``holding``, and hang."""
    store = open_place(place)
    with store.unit_of_work() as uow:
        uow.lock(PLANNER_LOCK)
        uow.people.upsert(Person(id="held", name="Held", hire_date=date(2020, 1, 1)))
        holding.set()
        time.sleep(600)
