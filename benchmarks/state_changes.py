"""What writing state changes costs: materialising a year for ``--people`` people on a SQLite
file, with and without ``state_changes``, and the outbox rows it adds.

Prints figures, asserts nothing. Run: ``python benchmarks/state_changes.py --people 500``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService

DESIGN = CycleDesign(
    name="bench",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
        ),
        TypeRule(
            type="growth_review", cadence=(Interval(every=1, unit="years", anchor="cycle_start"),)
        ),
    ),
)


def run(people: int, *, state_changes: bool, folder: Path) -> tuple[float, int, int]:
    """Seconds to materialise 2026, conversations added, outbox rows afterwards."""
    path = folder / f"bench-{state_changes}.db"
    store = open_sqlite_store(path)
    clock = FixedClock(datetime(2026, 1, 1, 7, 0, tzinfo=UTC))
    service = ConversationService(store, clock, design=DESIGN, state_changes=state_changes)
    managers = max(people // 8, 1)
    for number in range(managers):
        service.hire(Person(id=f"m-{number}", name=f"M {number}", hire_date=date(2015, 1, 1)))
    for number in range(people):
        service.hire(
            Person(
                id=f"e-{number}",
                name=f"E {number}",
                hire_date=date(2020, 1, 1),
                manager_id=f"m-{number % managers}",
            )
        )
    began = time.perf_counter()
    report = service.materialise(date(2026, 1, 1), date(2026, 12, 31))
    seconds = time.perf_counter() - began
    rows = store.outbox_stats().pending
    store.close()
    return seconds, report.added, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for state_changes in (False, True):
            seconds, added, rows = run(
                args.people, state_changes=state_changes, folder=Path(folder)
            )
            print(
                f"state_changes={state_changes!s:5}: materialised {added} conversations in"
                f" {seconds:.2f} s ({added / seconds:,.0f}/s); outbox rows {rows}"
            )


if __name__ == "__main__":
    main()
