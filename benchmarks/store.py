"""Store benchmarks: bulk materialisation, due/overdue queries and dispatch throughput.

Prints figures, asserts nothing. Each comparison runs against a raw ``sqlite3`` baseline in
the same run, because the machines are noisy:

- bulk add of conversations via ``uow.conversations.add_many`` vs ``executemany`` of the same
  row tuples into an identical table with the same indexes (target: at most 2x);
- ``due`` / ``overdue`` returning domain objects vs the raw indexed query returning tuples
  (target: at most 3x);
- a reminder sweep over ``--sweep`` conversations (default 100,000): reading everything of
  every person (as the service did before the narrow queries) vs the service's own reads;
- outbox dispatch throughput with 1, 2 and 4 worker processes on one SQLite file, timed from
  the moment every worker has started and opened the store (start-up is printed apart), the
  worker counts taking turns for ``--rounds`` rounds, with the ratio of 2 to 1 worker(s) per
  round and the workers' CPU time per message.

Run: ``python benchmarks/store.py`` (100,000 rows, a few minutes on a busy machine) or
``--rows 1000000``; ``--only dispatch`` runs the dispatch part alone.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from workload import ratios, spread

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.schema import CONVERSATION_INDEXES, MIGRATIONS
from gesprekscyclus.adapters.sqlite.store import conversation_row
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import SystemClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import UnitOfWork
from gesprekscyclus.service.app import ConversationService, _reminder_state
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.service.reminders import due_reminders
from gesprekscyclus.testing.contract import make_notification

BASE = date(2026, 1, 1)
CHUNK = 100_000


def conversations(start: int, stop: int) -> list[Conversation]:
    made = []
    for i in range(start, stop):
        target = BASE + timedelta(days=i % 365)
        made.append(
            Conversation.plan(
                id=f"c-{i:07d}",
                type_key="check_in" if i % 3 else "growth_review",
                employee_id=f"e-{i // 12:06d}",
                manager_id=f"m-{i // 96:05d}",
                window=Window(target - timedelta(days=7), target, target + timedelta(days=14)),
            )
        )
    return made


def bench_bulk(folder: Path, rows: int) -> Path:
    db = folder / "store.db"
    store = open_sqlite_store(db)
    raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("PRAGMA cache_size = -65536")
    table = next(s for s in MIGRATIONS[1][1] if "CREATE TABLE conversations" in s)
    raw.execute(table)
    for index in CONVERSATION_INDEXES:
        raw.execute(index)

    ours = baseline = 0.0
    with store.unit_of_work() as uow:
        raw.execute("BEGIN")
        for start in range(0, rows, CHUNK):
            chunk = conversations(start, min(start + CHUNK, rows))
            began = time.perf_counter()
            uow.conversations.add_many(chunk)
            ours += time.perf_counter() - began
            tuples = [conversation_row(c) for c in chunk]
            began = time.perf_counter()
            raw.executemany(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tuples,
            )
            baseline += time.perf_counter() - began
        began = time.perf_counter()
    commit_began = time.perf_counter()
    ours += commit_began - began
    began = time.perf_counter()
    raw.execute("COMMIT")
    baseline += time.perf_counter() - began
    raw.close()
    store.close()
    print(
        f"bulk add {rows:>9,} conversations: store {ours:6.2f} s ({rows / ours:>9,.0f}/s)"
        f"  raw executemany {baseline:6.2f} s ({rows / baseline:>9,.0f}/s)"
        f"  ratio {ours / baseline:4.2f}x (target <= 2x)"
    )
    return db


def bench_queries(db: Path, rows: int) -> None:
    store = open_sqlite_store(db)
    raw = sqlite3.connect(db, isolation_level=None)
    due_day = BASE + timedelta(days=3)
    today = BASE + timedelta(days=18)
    columns = (
        "id, type_key, employee_id, manager_id, earliest, target, latest, status, starts_at,"
        " duration_minutes, time_zone, sequence, requires_report, version, data"
    )
    for name, query_day, where in (
        ("due", due_day, "target <= ? ORDER BY target, id"),
        ("overdue", today, "latest < ? ORDER BY latest, id"),
    ):
        sql = (
            f"SELECT {columns} FROM conversations"
            f" WHERE status IN ('planned', 'scheduled') AND {where}"
        )
        best_ours = best_raw = float("inf")
        found = 0
        for _ in range(5):
            began = time.perf_counter()
            with store.unit_of_work() as uow:
                method = uow.conversations.due if name == "due" else uow.conversations.overdue
                found = len(method(query_day))
            best_ours = min(best_ours, time.perf_counter() - began)
            began = time.perf_counter()
            tuples = raw.execute(sql, (query_day.isoformat(),)).fetchall()
            best_raw = min(best_raw, time.perf_counter() - began)
        assert_same = len(tuples) == found
        print(
            f"{name:>8} at {rows:>9,} rows, {found:>6,} returned:"
            f" objects {best_ours * 1000:7.1f} ms"
            f"  raw tuples {best_raw * 1000:7.1f} ms  ratio {best_ours / best_raw:4.2f}x"
            f" (target <= 3x){'' if assert_same else '  COUNT MISMATCH'}"
        )
    raw.close()
    store.close()


def _full_scan(uow: UnitOfWork, service: ConversationService, now: datetime) -> int:
    """The sweep as it was: every conversation, report and item of every stored person."""
    people = uow.people.all()
    scan = due_reminders(
        now=now,
        design=service.design,
        catalog=service.catalog,
        people={p.id: p for p in people},
        conversations=[c for p in people for c in uow.conversations.by_employee(p.id)],
        reports=[r for p in people for r in uow.reports.for_employee(p.id)],
        action_items={i.id: i for p in people for i in uow.action_items.for_owner(p.id)}.values(),
    )
    return len(scan.notifications)


def _narrow_scan(uow: UnitOfWork, service: ConversationService, now: datetime) -> int:
    state = _reminder_state(uow, service.design, now, None)
    scan = due_reminders(
        now=now,
        design=service.design,
        catalog=service.catalog,
        people=state.people,
        conversations=state.conversations,
        reports=state.reports,
        action_items=state.action_items,
    )
    return len(scan.notifications)


def bench_sweep(folder: Path, rows: int) -> None:
    store = open_sqlite_store(folder / "sweep.db")
    made = conversations(0, rows)
    with store.unit_of_work() as uow:
        uow.conversations.add_many(made)
        for person_id in sorted({c.employee_id for c in made} | {c.manager_id or "" for c in made}):
            manager = None if person_id.startswith("m-") else f"m-{int(person_id[2:]) // 8:05d}"
            uow.people.upsert(
                Person(id=person_id, name=person_id, hire_date=BASE, manager_id=manager)
            )
    design = CycleDesign(
        name="sweep",
        cycle_start=BASE,
        types=(TypeRule(type="check_in", cadence=(Interval(every=1, unit="months"),)),),
    )
    service = ConversationService(store, SystemClock(), design=design)
    now = datetime.combine(BASE + timedelta(days=40), datetime.min.time(), UTC)
    timings = {}
    for name, sweep in (("everything", _full_scan), ("narrow", _narrow_scan)):
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            with store.unit_of_work() as uow:
                found = sweep(uow, service, now)
            best = min(best, time.perf_counter() - began)
        timings[name] = (best, found)
    store.close()
    (full, found_full), (narrow, found_narrow) = timings["everything"], timings["narrow"]
    print(
        f"reminder sweep over {rows:,} conversations: read everything {full * 1000:7.1f} ms,"
        f" narrow queries {narrow * 1000:7.1f} ms ({full / narrow:4.1f}x faster);"
        f" {found_narrow:,} reminders, same as before: {found_full == found_narrow}"
    )


class _Null:
    def send(self, notification: Notification) -> None:
        pass


def _dispatch_worker(db: str, owner: str, ready: Any, start: Any, spent: Any) -> None:
    store = open_sqlite_store(db)
    dispatcher = Dispatcher(store, _Null(), SystemClock(), owner=owner, batch_size=100)
    ready.release()
    start.wait()
    began = time.process_time()
    while dispatcher.run_once().handled:
        pass
    spent.put(time.process_time() - began)
    store.close()


def _dispatch_run(folder: Path, messages: int, workers: int, run: int) -> tuple[float, int]:
    """Dispatch ``messages`` with ``workers`` processes; prints the figures, returns the
    seconds and how many were sent."""
    spawn = multiprocessing.get_context("spawn")
    db = folder / f"outbox-{run}-{workers}.db"
    store = open_sqlite_store(db)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue(
            (make_notification(f"k-{i}") for i in range(messages)),
            due_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
    ready, start, spent = spawn.Semaphore(0), spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=_dispatch_worker, args=(str(db), f"w{n}", ready, start, spent))
        for n in range(workers)
    ]
    launched = time.perf_counter()
    for process in processes:
        process.start()
    for _ in processes:  # every worker has imported, opened the store and waits
        ready.acquire()
    began = time.perf_counter()
    start.set()
    cpu = sum(spent.get() for _ in processes)
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    sent = store.outbox_stats().sent
    store.close()
    print(
        f"dispatch {messages:,} messages, {workers} worker(s): sending {elapsed:5.2f} s"
        f" ({sent / elapsed:>7,.0f} sent/s, workers' CPU {cpu / max(sent, 1) * 1e6:5.1f} us"
        f" a message; process start and import {began - launched:4.2f} s apart),"
        f" all sent: {sent == messages}"
    )
    return elapsed, sent


def bench_dispatch(folder: Path, messages: int, rounds: int) -> None:
    """Dispatch with 1, 2 and 4 workers in turns, ``rounds`` times."""
    counts = (1, 2, 4)
    rates: dict[int, list[float]] = {workers: [] for workers in counts}
    for run in range(rounds):
        for workers in counts:
            elapsed, sent = _dispatch_run(folder, messages, workers, run)
            rates[workers].append(sent / elapsed)
    print(
        f"  dispatch sent/s, median (min-max) of {rounds} rounds: "
        + ", ".join(f"{w} worker(s) {spread(rates[w], fmt=',.0f')}" for w in counts)
        + f"; 2 vs 1 worker(s) {spread(ratios(rates[2], rates[1]))}x"
        + f", 4 vs 1 {spread(ratios(rates[4], rates[1]))}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--only", choices=("all", "dispatch"), default="all")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--sweep", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="dispatch rounds (1, 2, 4 workers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if args.only == "all":
            db = bench_bulk(folder, args.rows)
            bench_queries(db, args.rows)
            bench_sweep(folder, args.sweep)
        bench_dispatch(folder, args.messages, args.rounds)


if __name__ == "__main__":
    main()
