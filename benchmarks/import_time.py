"""Import-time benchmark: ``import gesprekscyclus`` beside its required dependencies.

Prints figures, asserts nothing. Every statement runs in a fresh interpreter (``python -X
importtime`` would add its own overhead, so the wall time of the statement is measured inside
the child around ``exec``), ``--runs`` times, and the median is shown. The baseline is the
import of the three required dependencies, ``import attrs, cattrs, dateutil``, measured in the
same run because the machines are noisy; the ratio is each figure over that baseline.

- ``import gesprekscyclus`` (target: below 150 ms): loads no public name yet;
- first use of the planning names (``CycleDesign``, ``Person``, ``plan``): domain and planner;
- first use of ``build_service``: the service layer with the memory and SQLite stores.

Run: ``python benchmarks/import_time.py`` or ``--runs 21`` for steadier medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

_CHILD = """
import time
start = time.perf_counter()
exec(compile({code!r}, "<benchmark>", "exec"))
print(time.perf_counter() - start)
"""

STATEMENTS = (
    ("baseline: import attrs, cattrs, dateutil", "import attrs, cattrs, dateutil"),
    ("import gesprekscyclus", "import gesprekscyclus"),
    (
        "import + planning names",
        "import gesprekscyclus as gc\ngc.CycleDesign, gc.Person, gc.plan",
    ),
    ("import + build_service", "import gesprekscyclus as gc\ngc.build_service"),
)


def measure(code: str, runs: int) -> float:
    """Median seconds of ``code`` over ``runs`` fresh interpreters."""
    child = _CHILD.format(code=code)
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", child], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="interpreters per statement")
    args = parser.parse_args()
    figures = [(label, measure(code, args.runs)) for label, code in STATEMENTS]
    baseline = figures[0][1]
    print(f"Python {sys.version.split()[0]}, median of {args.runs} fresh interpreters")
    for label, seconds in figures:
        print(f"{label:<42} {seconds * 1000:8.1f} ms   {seconds / baseline:5.2f}x baseline")


if __name__ == "__main__":
    main()
