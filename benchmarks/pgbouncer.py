"""Units of work through pgbouncer in transaction mode: how many fail, with and without a schema.

Starts a pgbouncer of its own (``tests/pgbouncer_support.py``; the binary must be installed)
in front of the test server, opens the PostgreSQL store through it, runs ``--units`` small
units of work from ``--threads`` threads at once and prints how many failed and why. Then the
same with the store on the pooler and a schema; then, on the server directly, with statements
prepared (``prepare_threshold=5``) or not (the default), and with the per-transaction idle
timeout (the default) or without. Prints figures, asserts nothing.

Run: ``python benchmarks/pgbouncer.py [--units 240] [--threads 8] [--pool-size 4]``.
The server is ``GESPREKSCYCLUS_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``). The script uses only ``open_postgres_store(dsn,
schema=..., pool_size=...)``, so it runs against any version of the library on the path.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pgbouncer_support import (
    concurrent_units_of_work,
    scratch_database,
    start_pgbouncer,
)
from tests.postgres_support import drop_schema, dsn

from gesprekscyclus.adapters.postgres import open_postgres_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=240)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pool-size", type=int, default=4, help="the store's connections")
    args = parser.parse_args()
    bouncer = start_pgbouncer(pool_size=5)
    try:
        for schema in (None, f"gc_bench_{uuid.uuid4().hex[:12]}"):
            with scratch_database() as database:  # the default schema of a new database
                dsn = bouncer.dsn if schema else bouncer.dsn_for(database)
                store = open_postgres_store(dsn, schema=schema, pool_size=args.pool_size)
                started = time.perf_counter()
                failures = concurrent_units_of_work(store, units=args.units, threads=args.threads)
                seconds = time.perf_counter() - started
                store.close()
            if schema is not None:
                drop_schema(schema)
            where = "with a schema" if schema else "without a schema"
            failed = sum(failures.values())
            print(
                f"{where}: {failed} of {args.units} units of work failed"
                f" ({args.units / seconds:.0f} units/s)"
            )
            for reason, count in failures.most_common(5):
                print(f"  {count:4d}  {reason}")
        direct(args)
    finally:
        bouncer.stop()


def direct(args: argparse.Namespace) -> None:
    """The same units of work on the server itself: what not preparing statements costs."""
    if "prepare_threshold" not in inspect.signature(open_postgres_store).parameters:
        return
    for threshold, idle in ((None, 60.0), (5, 60.0), (None, None), (5, None)) * 2:
        schema = f"gc_bench_{uuid.uuid4().hex[:12]}"
        store = open_postgres_store(
            dsn(),
            schema=schema,
            pool_size=args.pool_size,
            prepare_threshold=threshold,
            idle_in_transaction_timeout=idle,
        )
        started = time.perf_counter()
        failures = concurrent_units_of_work(store, units=args.units, threads=args.threads)
        seconds = time.perf_counter() - started
        store.close()
        drop_schema(schema)
        print(
            f"direct, prepare_threshold={threshold}, idle_in_transaction_timeout={idle}:"
            f" {sum(failures.values())} failed, {args.units / seconds:.0f} units/s"
        )


if __name__ == "__main__":
    main()
