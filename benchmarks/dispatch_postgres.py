"""PostgreSQL store benchmarks: dispatch throughput, bulk materialisation, the due query.

Prints figures, asserts nothing. Every measurement runs in a schema of its own, dropped at the
end. Compares, in the same run (the machines are noisy):

- outbox dispatch with 1, 2 and 4 worker processes (``Dispatcher`` with a no-op notifier:
  claim 100 with ``FOR UPDATE SKIP LOCKED``, send, then one guarded ``mark_sent_many`` for the
  batch), the worker counts taking turns for ``--rounds`` rounds, with the ratio of 2 to 1
  worker(s) per round; then the bare claim rate (``claim_due`` batches of 100, nothing
  marked) with the same workers. Each line gives the CPU time per message of the workers and
  of their server processes (read from ``/proc`` when the server runs on this machine), which
  tells on a shared machine where the time goes;
- ``uow.conversations.add_many`` of N conversations through ``COPY`` into a staging table
  vs ``executemany`` (the store's ``copy_threshold`` picks one);
- ``due`` at N rows returning domain objects vs the raw indexed query returning tuples.

Run: ``python benchmarks/dispatch_postgres.py`` (100,000 rows) or ``--rows 1000000``;
``--only dispatch`` runs the dispatch part alone. Dispatch is timed from the moment every
worker has imported and connected.
The server is ``--dsn`` or ``GESPREKSCYCLUS_TEST_POSTGRES``
(default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from store import BASE, conversations  # the sibling benchmark: the same generated rows
from workload import ratios, spread

from gesprekscyclus.adapters.postgres import open_postgres_store
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.testing.contract import make_notification

CHUNK = 100_000
DUE = datetime(2020, 1, 1, tzinfo=UTC)


def schema_name(label: str) -> str:
    return f"gc_bench_{label}_{uuid.uuid4().hex[:8]}"


def drop(dsn: str, schema: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


# -- bulk materialisation ---------------------------------------------------------------------


def bench_bulk(dsn: str, rows: int) -> str:
    """Time both bulk paths; returns the schema holding the COPY-loaded rows."""
    chunks = [conversations(start, min(start + CHUNK, rows)) for start in range(0, rows, CHUNK)]
    timings: dict[str, float] = {}
    kept = ""
    for label, threshold in (("copy", 1), ("executemany", rows + 1)):
        schema = schema_name(label)
        store = open_postgres_store(dsn, schema=schema, copy_threshold=threshold)
        began = time.perf_counter()
        with store.unit_of_work() as uow:
            for chunk in chunks:
                uow.conversations.add_many(chunk)
        timings[label] = time.perf_counter() - began
        store.close()
        if label == "copy":
            kept = schema
        else:
            drop(dsn, schema)
    copy, many = timings["copy"], timings["executemany"]
    print(
        f"bulk add {rows:>9,} conversations (one transaction, indexes present):"
        f" COPY {copy:6.2f} s ({rows / copy:>9,.0f}/s)"
        f"  executemany {many:6.2f} s ({rows / many:>9,.0f}/s)  ratio {many / copy:4.2f}x"
    )
    return kept


# -- the due query ----------------------------------------------------------------------------


def bench_due(dsn: str, schema: str, rows: int) -> None:
    store = open_postgres_store(dsn, schema=schema)
    day = BASE + timedelta(days=3)
    raw = psycopg.connect(dsn, autocommit=True)
    raw.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    raw.execute("ANALYZE conversations")
    query = (
        "SELECT id, type_key, employee_id, manager_id, earliest, target, latest, status,"
        " starts_at, duration_minutes, time_zone, sequence, requires_report, version, data"
        " FROM conversations WHERE status IN ('planned', 'scheduled') AND target <= %s"
        " ORDER BY target, id"
    )
    best_ours = best_raw = float("inf")
    found = returned = 0
    for _ in range(5):
        began = time.perf_counter()
        with store.unit_of_work() as uow:
            found = len(uow.conversations.due(day))
        best_ours = min(best_ours, time.perf_counter() - began)
        began = time.perf_counter()
        returned = len(raw.execute(query, (day,)).fetchall())
        best_raw = min(best_raw, time.perf_counter() - began)
    raw.close()
    store.close()
    print(
        f"     due at {rows:>9,} rows, {found:>6,} returned: objects {best_ours * 1000:7.1f} ms"
        f"  raw tuples {best_raw * 1000:7.1f} ms  ratio {best_ours / best_raw:4.2f}x"
        f"{'' if found == returned else '  COUNT MISMATCH'}"
    )


# -- dispatch ---------------------------------------------------------------------------------


class _Null:
    def send(self, notification: Notification) -> None:
        pass


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU of process ``pid`` so far, where ``/proc`` shows it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend(dsn: str, name: str) -> int | None:
    """The server process of the store connection named ``name`` (on this machine)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
            " AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return None if row is None else int(row[0])


def _run_worker(
    dsn: str, schema: str, owner: str, dispatch: bool, ready: Any, start: Any, spent: Any
) -> None:
    """Dispatch (or only claim) until nothing is due; report the CPU seconds of this process
    and of its server process."""
    name = f"gc-bench-{schema}-{owner}"
    store = open_postgres_store(
        make_conninfo(dsn, application_name=name), schema=schema, pool_size=1
    )
    store.outbox_stats()  # the pool's one connection is open
    backend = _backend(dsn, name)
    dispatcher = Dispatcher(store, _Null(), SystemClock(), owner=owner, batch_size=100)
    now = datetime.now(UTC)
    ready.release()
    start.wait()
    own, server = _own_cpu(), None if backend is None else _cpu_seconds(backend)
    if dispatch:
        while dispatcher.run_once().handled:
            pass
    else:
        while store.claim_due(owner, now=now, limit=100, lease_seconds=3600):
            pass
    after = None if backend is None else _cpu_seconds(backend)
    spent.put((_own_cpu() - own, None if server is None or after is None else after - server))
    store.close()


def _fill(dsn: str, schema: str, messages: int) -> None:
    store = open_postgres_store(dsn, schema=schema)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue((make_notification(f"k-{i}") for i in range(messages)), due_at=DUE)
    store.close()


@dataclass(frozen=True)
class _Run:
    seconds: float
    done: int
    worker_cpu: float  # seconds, all workers
    server_cpu: float | None  # seconds, their server processes


def _dispatch_run(dsn: str, messages: int, workers: int, dispatch: bool) -> _Run:
    spawn = multiprocessing.get_context("spawn")
    schema = schema_name("outbox")
    _fill(dsn, schema, messages)
    ready, start, spent = spawn.Semaphore(0), spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(
            target=_run_worker, args=(dsn, schema, f"w{n}", dispatch, ready, start, spent)
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:  # every worker has imported and connected
        ready.acquire()
    began = time.perf_counter()
    start.set()
    cpu = [spent.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    store = open_postgres_store(dsn, schema=schema)
    stats = store.outbox_stats()
    store.close()
    drop(dsn, schema)
    server = [s for _, s in cpu]
    return _Run(
        elapsed,
        stats.sent if dispatch else stats.leased,
        sum(w for w, _ in cpu),
        None if None in server else sum(s for s in server if s is not None),
    )


def _describe(name: str, messages: int, workers: int, run: _Run) -> str:
    server = "n/a" if run.server_cpu is None else f"{run.server_cpu / max(run.done, 1) * 1e6:5.1f}"
    return (
        f"{name:>10} {messages:,} messages, {workers} worker(s): {run.seconds:5.2f} s"
        f" ({run.done / run.seconds:>8,.0f} rows/s), CPU per message: workers"
        f" {run.worker_cpu / max(run.done, 1) * 1e6:5.1f} us, server {server} us;"
        f" all handled: {run.done == messages}"
    )


def bench_dispatch(dsn: str, messages: int, rounds: int) -> None:
    """Dispatch with 1, 2 and 4 workers in turns, ``rounds`` times; then claims alone."""
    counts = (1, 2, 4)
    rates: dict[int, list[float]] = {workers: [] for workers in counts}
    for _ in range(rounds):
        for workers in counts:
            run = _dispatch_run(dsn, messages, workers, dispatch=True)
            rates[workers].append(run.done / run.seconds)
            print(_describe("dispatch", messages, workers, run))
    print(
        "  dispatch sent/s, median (min-max) of "
        + f"{rounds} rounds: "
        + ", ".join(f"{w} worker(s) {spread(rates[w], fmt=',.0f')}" for w in counts)
        + f"; 2 vs 1 worker(s) {spread(ratios(rates[2], rates[1]))}x"
        + f", 4 vs 1 {spread(ratios(rates[4], rates[1]))}x"
    )
    for workers in counts:
        print(
            _describe("claim only", messages, workers, _dispatch_run(dsn, messages, workers, False))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--dsn",
        default=os.environ.get("GESPREKSCYCLUS_TEST_POSTGRES")
        or "postgresql://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--only", choices=("all", "dispatch"), default="all")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3, help="dispatch rounds (1, 2, 4 workers)")
    args = parser.parse_args()
    if args.only == "all":
        schema = bench_bulk(args.dsn, args.rows)
        try:
            bench_due(args.dsn, schema, args.rows)
        finally:
            drop(args.dsn, schema)
    bench_dispatch(args.dsn, args.messages, args.rounds)


if __name__ == "__main__":
    main()
