"""Materialise and CLI planning benchmark, each against the planner alone in the same run.

Prints figures, asserts nothing. Every round runs, in turn, the planner alone (``plan`` over
the same horizon: the denominator) and the measured paths, so that load on the machine weighs
on all alike; figures are the median and min–max over ``--rounds`` rounds, ratios the median
of the per-round ratios.

- materialise through :class:`~gesprekscyclus.service.app.ConversationService` into an empty
  store (first run) and once more with nothing changed (re-run), on the memory store, a SQLite
  file and PostgreSQL (``--dsn`` or ``GESPREKSCYCLUS_TEST_POSTGRES``; skipped when neither is
  given); the maximum resident size of a fresh process doing a first run and a re-run on
  SQLite;
- ``gesprekscyclus plan --format csv`` and ``--format json`` with the shipped reference design
  and a people file of the same size, as a separate process writing to a file: its wall time
  (process start, reading the files, planning and writing) and its maximum resident size.

Targets (100,000 people, a year): first run <= 2x the planner alone, re-run <= 1x, resident
size <= 1.5 GiB; the CLI <= 2x the planner alone with memory flat in the horizon. The default
size (``--people 10000``) finishes in a few minutes on a busy machine.

Run: ``python benchmarks/materialise.py [--people N] [--rounds 3] [--stores ...]
[--only materialise|cli]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from workload import (
    DESIGNS,
    horizon,
    in_child,
    interleaved,
    make_people,
    max_rss_mib,
    ratios,
    spread,
)

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.postgres import open_postgres_store
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.people import Person
from gesprekscyclus.examples import DESIGN_FILE, directory
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.planning.people_file import CsvLimits, people_to_csv
from gesprekscyclus.planning.planner import plan
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.app import ConversationService

#: Reports the child's maximum resident size (VmHWM) on standard error when the command ends.
_CLI = (
    "import sys, atexit\n"
    "def hwm():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            print('VmHWM', int(line.split()[1]), file=sys.stderr)\n"
    "atexit.register(hwm)\n"
    "from gesprekscyclus.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _service(store: Store, design: CycleDesign, people: list[Person]) -> ConversationService:
    start, _ = horizon(design)
    service = ConversationService(
        store, FixedClock(datetime.combine(start, datetime.min.time(), UTC)), design=design
    )
    with store.unit_of_work() as uow:
        for person in people:
            uow.people.upsert(person)
    return service


def _runs(service: ConversationService, design: CycleDesign) -> tuple[float, float, int]:
    """A first run and a re-run; their seconds and how many were added."""
    start, end = horizon(design)
    began = time.perf_counter()
    added = service.materialise(start, end).added
    first = time.perf_counter() - began
    began = time.perf_counter()
    again = service.materialise(start, end)
    assert not again.changed, again
    return first, time.perf_counter() - began, added


def _pg_store(dsn: str) -> tuple[Store, Callable[[], None]]:
    schema = f"gc_bench_mat_{uuid.uuid4().hex[:8]}"
    store = open_postgres_store(dsn, schema=schema)

    def drop() -> None:
        store.close()
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )

    return store, drop


def _resident(design_name: str, count: int, folder: str) -> tuple[float, float, float]:
    """In a fresh process: first run and re-run on a SQLite file; resident sizes (MiB)."""
    design = DESIGNS[design_name]()
    people = make_people(count, end=horizon(design)[1])
    store = open_sqlite_store(Path(folder) / f"rss-{uuid.uuid4().hex[:8]}.db")
    service = _service(store, design, people)
    ready = max_rss_mib()
    start, end = horizon(design)
    service.materialise(start, end)
    first = max_rss_mib()
    service.materialise(start, end)
    store.close()
    return ready, first, max_rss_mib()


def bench_materialise(
    design_name: str,
    people: list[Person],
    stores: list[str],
    dsn: str | None,
    rounds: int,
    folder: Path,
) -> None:
    design = DESIGNS[design_name]()
    start, end = horizon(design)
    count = len(plan(design, people, start=start, end=end).conversations)
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in stores}
    planner: list[float] = []
    added: dict[str, int] = {}
    for _ in range(rounds):
        began = time.perf_counter()
        plan(design, people, start=start, end=end)
        planner.append(time.perf_counter() - began)
        for name in stores:
            cleanup: Callable[[], None]
            if name == "memory":
                store: Store = MemoryStore()
                cleanup = store.close
            elif name == "sqlite":
                store = open_sqlite_store(folder / f"{uuid.uuid4().hex[:8]}.db")
                cleanup = store.close
            else:
                assert dsn is not None
                store, cleanup = _pg_store(dsn)
            try:
                first, again, added[name] = _runs(_service(store, design, people), design)
            finally:
                cleanup()
            results[name][0].append(first)
            results[name][1].append(again)
    print(
        f"materialise {design_name}, {len(people):,} people, {start} .. {end}:"
        f" planner alone {spread(planner)} s ({count:,} conversations)"
    )
    for name in stores:
        first, again = results[name]
        print(
            f"    {name:>8}: first run {spread(first)} s = {spread(ratios(first, planner))}x"
            f" the planner (target <= 2x), {added[name]:,} added;"
            f" re-run {spread(again)} s = {spread(ratios(again, planner))}x (target <= 1x)"
        )
    (ready, first_rss, again_rss), _, _ = in_child(_resident, design_name, len(people), str(folder))
    print(
        f"    max RSS of a fresh process on SQLite: {ready:,.0f} MiB with the people stored,"
        f" {first_rss:,.0f} MiB after the first run, {again_rss:,.0f} MiB after the re-run"
        f" (target <= 1,536 MiB)"
    )


def _cli(args: list[str], output: Path, rows: int) -> tuple[float, float]:
    # The people file holds the director too: allow its rows beyond the default limit.
    limit = max(CsvLimits().max_rows, rows)
    environment = {**os.environ, "GESPREKSCYCLUS_MAX_ROWS": str(limit)}
    with output.open("wb") as sink:
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CLI, *args],
            stdout=sink,
            stderr=subprocess.PIPE,
            check=False,
            env=environment,
        )
        seconds = time.perf_counter() - began
    if done.returncode:
        raise SystemExit(f"the plan command failed: {done.stderr.decode()}")
    kib = int(done.stderr.decode().split("VmHWM")[-1].split()[0])
    return seconds, kib / 1024


def bench_cli(count: int, rounds: int, folder: Path) -> None:
    design_path = directory() / DESIGN_FILE
    design = load_design(design_path)
    start, end = horizon(design)
    people = make_people(count, end=end)
    people_path = folder / "people.csv"
    people_path.write_text(people_to_csv(people), encoding="utf-8")
    planned = len(plan(design, people, start=start, end=end).conversations)
    common = [
        "plan",
        str(design_path),
        "--people",
        str(people_path),
        "--from",
        start.isoformat(),
        "--until",
        end.isoformat(),
    ]
    memory: dict[str, list[float]] = {"csv": [], "json": []}

    def command(fmt: str) -> Callable[[], None]:
        def run() -> None:
            output = folder / f"plan.{fmt}"
            memory[fmt].append(_cli([*common, "--format", fmt], output, len(people))[1])

        return run

    sides: dict[str, Callable[[], Any]] = {
        "planner": lambda: plan(design, people, start=start, end=end),
        "csv": command("csv"),
        "json": command("json"),
    }
    seconds = interleaved(rounds, sides)
    print(
        f"cli plan, reference design, {count:,} people, {planned:,} conversations:"
        f" planner alone (in process) {spread(seconds['planner'])} s"
    )
    for fmt in ("csv", "json"):
        size = (folder / f"plan.{fmt}").stat().st_size / 2**20
        print(
            f"    --format {fmt:<4}: {spread(seconds[fmt])} s"
            f" = {spread(ratios(seconds[fmt], seconds['planner']))}x the planner (target <= 2x),"
            f" max RSS {spread(memory[fmt], fmt=',.0f')} MiB, {size:,.1f} MiB written"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--design", choices=sorted(DESIGNS), default="synthetic")
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument("--dsn", default=os.environ.get("GESPREKSCYCLUS_TEST_POSTGRES"))
    parser.add_argument("--only", choices=("all", "materialise", "cli"), default="all")
    args = parser.parse_args()
    stores = [name for name in args.stores.split(",") if name != "postgres" or args.dsn]
    design = DESIGNS[args.design]()
    people = make_people(args.people, end=horizon(design)[1])
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as folder:
        if args.only != "cli":
            bench_materialise(args.design, people, stores, args.dsn, args.rounds, Path(folder))
        if args.only != "materialise":
            bench_cli(args.people, args.rounds, Path(folder))


if __name__ == "__main__":
    main()
