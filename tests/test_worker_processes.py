"""Many processes on one store at once: planners, ticks and workers, on SQLite and PostgreSQL.

Real processes (spawned), real databases. The processes record every delivery as
:mod:`tests.dispatch_support` describes; a test then checks that nothing was lost, nothing
was delivered twice (beyond a message in flight when its connection was killed) and that
every worker was still running until it was told to stop.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from multiprocessing.context import SpawnProcess
from pathlib import Path

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.examples import DESIGN_FILE, directory, load_reference
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import PLANNER_LOCK, OutboxStatus, Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.testing.contract import T0, make_notification

from .dispatch_support import (
    BATCH_SIZE,
    HORIZON_DAYS,
    START,
    TcpProxy,
    delivered,
    hold_planner_lock,
    message_keys,
    open_place,
    seed_reference,
    spawn,
    start_roles,
    with_application_name,
)
from .postgres_support import drop_schema, dsn, new_schema_name, psycopg, require_postgres

pytestmark = pytest.mark.slow

DESIGN = str(directory() / DESIGN_FILE)
ROLES = ("worker", "materialise", "tick", "worker", "tick", "materialise", "worker")
TIMEOUT = 60.0
#: How long the tests give a worker to exit after SIGTERM (a busy machine included).
STOPPED = 20.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store that does not exist yet: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:{tmp_path / 'fresh.db'}"
        return
    require_postgres()
    schema = new_schema_name()
    yield f"postgres:{schema}:{schema}"  # the schema names the connections too
    drop_schema(schema)


def _reference_ids() -> set[str]:
    """The conversation ids one planner alone stores for the reference organisation."""
    design, people, _events = load_reference()
    store = MemoryStore()
    seed_reference(store)
    service = ConversationService(store, FixedClock(START), design=design)
    service.materialise(START.date(), START.date() + timedelta(days=HORIZON_DAYS))
    return _conversation_ids(store, [person.id for person in people])


def _conversation_ids(store: Store, people: list[str]) -> set[str]:
    with store.unit_of_work() as uow:
        return {talk.id for person in people for talk in uow.conversations.by_employee(person)}


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def _pending(place: str) -> int:
    store = open_place(place)
    try:
        return store.outbox_stats().pending
    finally:
        store.close()


def _stop_workers(workers: list[SpawnProcess]) -> None:
    assert all(worker.is_alive() for worker in workers), "every worker is still running"
    for worker in workers:
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGTERM)
    for worker in workers:
        # Also a worker waiting for SQLite's write lock stops at once (the wait ends early).
        worker.join(STOPPED)
        assert worker.exitcode == 0, f"{worker.name} did not stop within {STOPPED:.0f} s"


def _kill_all(processes: list[SpawnProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(10)


def test_planners_ticks_and_workers_started_together_on_a_fresh_store(
    place: str, tmp_path: Path
) -> None:
    started = start_roles(ROLES, place, tmp_path, seed=True)
    processes = [process for _role, _out, process in started]
    workers = [process for role, _out, process in started if role == "worker"]
    try:
        for role, _out, process in started:
            if role != "worker":
                process.join(TIMEOUT)
                assert process.exitcode == 0, f"a {role} process failed"
        _wait_for(lambda: _pending(place) == 0, "the workers sent everything")
        _stop_workers(workers)
    finally:
        _kill_all(processes)

    store = open_place(place)
    try:
        _design, people, _events = load_reference()
        assert _conversation_ids(store, [p.id for p in people]) == _reference_ids()
        counts = Counter(key for _role, out, _process in started for key in delivered(out))
        assert counts, "reminders were due and sent"
        assert max(counts.values()) == 1, "nothing was delivered twice"
        stats = store.outbox_stats()
        assert (stats.sent, stats.pending, stats.dead) == (len(counts), 0, 0)
        with store.unit_of_work() as uow:
            sent = [uow.outbox.by_key(key) for key in counts]
        assert all(m is not None and m.status is OutboxStatus.SENT for m in sent)
    finally:
        store.close()


@pytest.fixture
def postgres_place() -> Iterator[str]:
    """A new PostgreSQL schema; its name also names the connections of the processes."""
    require_postgres()
    schema = new_schema_name()
    yield f"postgres:{schema}:{schema}"
    drop_schema(schema)


def _fill(place: str, count: int) -> list[str]:
    keys = message_keys(count)
    store = open_place(place)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification(key) for key in keys], due_at=T0)
    store.close()
    return keys


def _corrupt(place: str, keys: list[str]) -> None:
    """Overwrite the payloads of ``keys`` with text that is not JSON, behind the store."""
    kind, _, rest = place.partition(":")
    if kind == "sqlite":
        with sqlite3.connect(rest) as connection:
            connection.executemany(
                "UPDATE outbox SET payload = '{not json' WHERE key = ?", [(k,) for k in keys]
            )
        connection.close()
        return
    schema = rest.partition(":")[0]
    with psycopg.connect(dsn(), autocommit=True) as connection:
        connection.execute(
            psycopg.sql.SQL(
                "UPDATE {}.outbox SET payload = '{{not json' WHERE key = ANY(%s)"
            ).format(psycopg.sql.Identifier(schema)),
            (keys,),
        )


def _terminate(application: str) -> int:
    """End the server sessions named ``application`` (only this test's); how many ended."""
    with psycopg.connect(dsn(), autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application,),
        ).fetchone()
    return int(row[0]) if row else 0


def _deliveries(started: list[tuple[str, Path, SpawnProcess]]) -> Counter[str]:
    return Counter(key for _role, out, _process in started for key in delivered(out))


@pytest.mark.postgres
def test_killed_connections_mid_dispatch_lose_nothing_and_workers_carry_on(
    postgres_place: str, tmp_path: Path
) -> None:
    keys = _fill(postgres_place, 1500)
    started = start_roles(["worker"] * 3, postgres_place, tmp_path, delay=0.002, lease_seconds=2)
    workers = [process for _role, _out, process in started]
    application = postgres_place.rsplit(":", 1)[1]
    try:
        for kill in range(1, 4):
            _wait_for(
                lambda kill=kill: sum(_deliveries(started).values()) >= 300 * kill,
                f"{300 * kill} deliveries",
            )
            assert _terminate(application) > 0, "the workers' connections were ended"
        _wait_for(lambda: _pending(postgres_place) == 0, "the workers sent everything", 90)
        _stop_workers(workers)
    finally:
        _kill_all(workers)

    counts = _deliveries(started)
    assert set(counts) == set(keys), "nothing was lost"
    repeated = [key for key, seen in counts.items() if seen > 1]
    assert all(counts[key] == 2 for key in repeated)
    assert len(repeated) <= 3 * len(workers) * BATCH_SIZE, "at most a batch in flight, per kill"
    store = open_place(postgres_place)
    stats = store.outbox_stats()
    store.close()
    assert (stats.sent, stats.pending, stats.leased, stats.dead) == (len(keys), 0, 0, 0)


def test_a_worker_stops_at_once_while_another_process_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    place = f"sqlite:{path}"
    _fill(place, 5)
    started = start_roles(["worker"], place, tmp_path)  # keeps the barrier alive
    [(_role, _out, worker)] = started
    holder = sqlite3.connect(path, isolation_level=None, timeout=TIMEOUT)
    try:
        _wait_for(lambda: _pending(place) == 0, "the worker sent and recorded everything")
        holder.execute("BEGIN IMMEDIATE")  # held until the worker is gone
        time.sleep(1.0)  # every round writes: the worker waits for the lock by now
        assert worker.is_alive()
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGTERM)
        signalled = time.monotonic()
        worker.join(TIMEOUT)
        took = time.monotonic() - signalled
        assert holder.in_transaction, "the lock was held all along"
        assert worker.exitcode == 0
        # The store's busy timeout is 30 s; the wait ends within 0.2 s of the signal.
        assert took < 5.0, f"the worker exited {took:.1f} s after SIGTERM"
    finally:
        holder.close()
        _kill_all([worker])


@pytest.mark.parametrize("fresh", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_poison_rows_become_dead_letters_and_the_rest_is_sent_once(
    fresh: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if fresh == "sqlite":
        place = f"sqlite:{tmp_path / 'outbox.db'}"
    else:
        place = request.getfixturevalue("postgres_place")
    keys = _fill(place, 600)
    poison = keys[5::100]
    _corrupt(place, poison)
    started = start_roles(["worker"] * 3, place, tmp_path)
    workers = [process for _role, _out, process in started]
    try:
        _wait_for(lambda: _pending(place) == 0, "the workers dealt with everything")
        _stop_workers(workers)
    finally:
        _kill_all(workers)

    counts = _deliveries(started)
    assert sorted(counts) == sorted(set(keys) - set(poison))
    assert max(counts.values()) == 1
    store = open_place(place)
    try:
        dead = store.dead_letters()
        stats = store.outbox_stats()
    finally:
        store.close()
    assert sorted(m.key for m in dead) == sorted(poison)
    assert all(m.attempts == 1 and m.notification is None for m in dead)
    assert all((m.last_error or "").startswith("undecodable payload: ") for m in dead)
    assert (stats.sent, stats.pending, stats.dead) == (len(keys) - len(poison), 0, len(poison))


def _cli_url(place: str) -> str:
    """The command line's ``--db`` for a place (a PostgreSQL schema through its search path)."""
    kind, _, rest = place.partition(":")
    if kind == "sqlite":
        return f"sqlite:///{rest}"
    schema, _, application = rest.partition(":")
    return with_application_name(f"{dsn()}?options=-csearch_path%3D{schema}", application)


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gesprekscyclus", *args, "--design", DESIGN, "--notify", "log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_command_line_ticks_started_together_all_succeed(place: str) -> None:
    seeded = open_place(place)  # the organisation exists; nothing is planned yet
    seed_reference(seeded)
    seeded.close()
    ticks = [_cli("tick", "--db", _cli_url(place), "--now", START.isoformat()) for _ in range(3)]
    results = [tick.communicate(timeout=TIMEOUT) for tick in ticks]
    assert [tick.returncode for tick in ticks] == [0, 0, 0], [err for _out, err in results]
    added = [int(out.split("materialised: ")[1].split(" added")[0]) for out, _err in results]
    reference = _reference_ids()
    assert sorted(added) == [0, 0, len(reference)], "one planned, the others found it done"
    store = open_place(place)
    try:
        _design, people, _events = load_reference()
        assert _conversation_ids(store, [p.id for p in people]) == reference
    finally:
        store.close()


def test_command_line_workers_started_together_keep_running(place: str) -> None:
    seeded = open_place(place)
    seed_reference(seeded)
    seeded.close()
    workers = [_cli("worker", "--db", _cli_url(place), "--interval", "0.2") for _ in range(3)]
    try:
        _design, people, _events = load_reference()
        ids = [p.id for p in people]

        def planned() -> bool:
            store = open_place(place)
            try:
                return bool(_conversation_ids(store, ids))
            finally:
                store.close()

        _wait_for(planned, "a worker planned the organisation")
        time.sleep(1.0)  # the others plan too, and find it done
        assert [worker.poll() for worker in workers] == [None, None, None], "all still running"
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        results = [worker.communicate(timeout=30) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate(timeout=10)
    assert [worker.returncode for worker in workers] == [0, 0, 0], [e for _o, e in results]
    assert all("worker stopped" in out for out, _err in results)
    assert all("failed" not in err for _out, err in results), [e for _o, e in results]


@pytest.mark.postgres
def test_workers_ride_out_a_database_restart(postgres_place: str, tmp_path: Path) -> None:
    server = psycopg.conninfo.conninfo_to_dict(dsn())
    proxy = TcpProxy((str(server.get("host", "127.0.0.1")), int(server.get("port", 5432))))
    proxy.start()
    place = f"{postgres_place}:{proxy.port}"  # the workers reach the server through the proxy
    keys = _fill(place, 1000)
    started = start_roles(["worker"] * 3, place, tmp_path, delay=0.002, lease_seconds=2)
    workers = [process for _role, _out, process in started]
    try:
        _wait_for(lambda: sum(_deliveries(started).values()) >= 200, "200 deliveries")
        proxy.stop()  # the server goes away: connections drop, new ones are refused
        time.sleep(2.0)
        assert all(worker.is_alive() for worker in workers), "the workers wait it out"
        during = sum(_deliveries(started).values())
        proxy.start()
        _wait_for(lambda: _pending(postgres_place) == 0, "the workers sent everything", 90)
        _stop_workers(workers)
    finally:
        _kill_all(workers)
        proxy.stop()

    counts = _deliveries(started)
    assert during < len(keys), "the outage came mid-dispatch"
    assert set(counts) == set(keys), "nothing was lost"
    repeated = [key for key, seen in counts.items() if seen > 1]
    assert all(counts[key] == 2 for key in repeated)
    assert len(repeated) <= len(workers) * BATCH_SIZE, "at most a batch in flight per worker"
    store = open_place(postgres_place)
    stats = store.outbox_stats()
    store.close()
    assert (stats.sent, stats.pending, stats.leased, stats.dead) == (len(keys), 0, 0, 0)


def test_a_crashed_planner_does_not_keep_the_lock(place: str) -> None:
    store = open_place(place)  # opened (and migrated) before the holder starts
    holding = spawn.Event()
    holder = spawn.Process(target=hold_planner_lock, args=(place, holding))
    holder.start()
    try:
        assert holding.wait(TIMEOUT)
        taken = threading.Event()

        def plan() -> None:
            with store.unit_of_work() as uow:
                uow.lock(PLANNER_LOCK)
                taken.set()

        planner = threading.Thread(target=plan, daemon=True)
        planner.start()
        assert not taken.wait(1.0), "the lock is held"
        assert holder.pid is not None
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(10)
        assert taken.wait(20), "the lock ended with its holder"
        planner.join(10)
        with store.unit_of_work() as uow:
            assert uow.people.find("held") is None, "the crashed unit of work left nothing"
    finally:
        store.close()
        _kill_all([holder])


def test_a_worker_waits_for_a_database_that_is_not_there_yet() -> None:
    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = _cli("worker", "--db", f"postgresql://nobody@127.0.0.1:{port}/none")
    try:
        assert worker.stderr is not None
        # Its first failed attempt is logged once its signal handlers are in place; on a
        # busy machine starting Python alone can take seconds, so wait for that line.
        with selectors.DefaultSelector() as waiting:
            waiting.register(worker.stderr, selectors.EVENT_READ)
            assert waiting.select(timeout=TIMEOUT), "the worker logged nothing"
        first = worker.stderr.readline()
        assert worker.poll() is None, "still running, waiting for the database"
        worker.send_signal(signal.SIGTERM)
        out, rest = worker.communicate(timeout=30)
        err = first + rest
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate(timeout=10)
    assert worker.returncode == 0, err
    assert "worker stopped; 0 notifications sent" in out
    assert "open the store failed (1 in a row), next try in 1." in err
    assert "Connection refused" in err or "connection" in err.lower()
