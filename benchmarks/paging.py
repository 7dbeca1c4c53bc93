"""Paging benchmark: the cost of one page of the store's paged conversation query.

Prints figures, asserts nothing. On a SQLite file with ``--rows`` conversations (default
100,000; 20 per employee, 10 employees per manager), it times reading the first page and a
page deep into the list for three filters: a manager (indexed column), an employee (indexed
column) and a participant (no column of its own: a scan of the documents, checked exactly
afterwards), next to the manager's whole list through ``by_manager``.

Run: ``python benchmarks/paging.py`` or ``--rows 20000`` for a quick run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.store import SQLiteStore
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.ports.queries import ConversationQuery

PER_EMPLOYEE = 20
PER_MANAGER = 10


def _fill(store: SQLiteStore, rows: int) -> None:
    start = date(2026, 1, 1)
    talks = []
    for number in range(rows):
        employee = number // PER_EMPLOYEE
        day = start + timedelta(days=(number % PER_EMPLOYEE) * 18)
        talks.append(
            Conversation.plan(
                id=f"c-{number:07d}",
                type_key="check_in",
                employee_id=f"e-{employee}",
                manager_id=f"m-{employee // PER_MANAGER}",
                window=Window(day - timedelta(days=7), day, day + timedelta(days=7)),
            )
        )
    with store.unit_of_work() as uow:
        uow.conversations.add_many(talks)


def _best(run: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_sqlite_store(Path(folder) / "paging.db")
        began = time.perf_counter()
        _fill(store, args.rows)
        print(f"{args.rows} conversations stored in {time.perf_counter() - began:.1f} s")
        employees = args.rows // PER_EMPLOYEE
        middle_manager = f"m-{employees // PER_MANAGER // 2}"
        middle_employee = f"e-{employees // 2}"
        queries = {
            "manager": ConversationQuery(manager_id=middle_manager),
            "employee": ConversationQuery(employee_id=middle_employee),
            "participant": ConversationQuery(participant_id=middle_employee),
        }
        for name, query in queries.items():
            with store.unit_of_work() as uow:
                first = _best(lambda q=query: uow.conversations.page(q, limit=args.limit))
                rows = uow.conversations.page(query, limit=500)
                after = (rows[len(rows) // 2].window.target, rows[len(rows) // 2].id)
                deep = _best(
                    lambda q=query, a=after: uow.conversations.page(q, after=a, limit=args.limit)
                )
            print(
                f"{name:<12} first page {first * 1000:8.2f} ms"
                f"   a page after row {len(rows) // 2:>3} {deep * 1000:8.2f} ms"
            )
        with store.unit_of_work() as uow:
            whole = _best(lambda: uow.conversations.by_manager(middle_manager))
        print(f"by_manager   whole list ({PER_EMPLOYEE * PER_MANAGER} rows) {whole * 1000:8.2f} ms")
        store.close()


if __name__ == "__main__":
    main()
