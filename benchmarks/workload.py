"""What the benchmarks plan, and how they time it fairly on a noisy machine.

- :func:`synthetic_design` (monthly check-ins, yearly growth review and development, a stay
  interview, wellbeing, onboarding, a drop-near rule and per-manager capacity) and
  :func:`reference_design` (the shipped example: holidays, default time, all its rules);
- two organisations: ``flat`` (teams of 8 whose managers all report to one director, so the
  director has one direct report per 8 people) and ``balanced`` (every manager has at most
  8 direct reports, at every level);
- :func:`interleaved`: the compared sides run in turns, round after round, so that load on
  the machine weighs on both alike; a ratio is the median of the per-round ratios;
- :func:`in_child`: run a function in a fresh process and report its maximum resident size,
  so that no earlier allocation (or a tracer) inflates the figure.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import statistics
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from gesprekscyclus.domain.cadence import Anniversary, Interval, LifecycleOffset
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.examples import DESIGN_FILE, directory
from gesprekscyclus.planning.design import Capacity, CycleDesign, DropNear, TypeRule
from gesprekscyclus.planning.design_file import load_design

SYNTHETIC_START = date(2026, 1, 1)
TEAM_SIZE = 8
PART_TIME = (
    WorkingPattern.of("mon", "tue", "wed", "thu"),
    WorkingPattern.of("mon", "tue", "thu"),
    WorkingPattern.of("tue", "wed", "thu", "fri"),
)
CONTRACTS = ("vast", "vast", "vast", "tijdelijk", "oproep")


def synthetic_design(*, capacity: bool = True) -> CycleDesign:
    """Monthly check-ins, yearly growth review and development, stay interview, wellbeing."""
    return CycleDesign(
        name="benchmark",
        cycle_start=SYNTHETIC_START,
        types=(
            TypeRule(
                type="check_in",
                convention="nearest",
                cadence=(Interval(every=1, unit="months", anchor="cycle_start"),),
            ),
            TypeRule(
                type="growth_review",
                cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3),),
                window_after=30,
            ),
            TypeRule(type="development", cadence=(Anniversary(),), window_after=30),
            TypeRule(
                type="stay_interview",
                cadence=(
                    LifecycleOffset("hired", offset_months=6),
                    Interval(every=1, unit="years", anchor="hire_date"),
                ),
            ),
            TypeRule(
                type="wellbeing",
                cadence=(Interval(every=6, unit="months", anchor="fixed_month", month=5),),
            ),
            TypeRule(
                type="onboarding",
                cadence=(
                    LifecycleOffset("hired", 30),
                    LifecycleOffset("hired", 60),
                    LifecycleOffset("hired", 90),
                ),
            ),
        ),
        interactions=(DropNear(drop="check_in", near="growth_review", within_days=10),),
        capacity=Capacity(per_day=3, per_week=10) if capacity else None,
    )


def reference_design() -> CycleDesign:
    """The reference design that ships with the library."""
    return load_design(directory() / DESIGN_FILE)


DESIGNS: Mapping[str, Callable[[], CycleDesign]] = {
    "synthetic": synthetic_design,
    "reference": reference_design,
}


def horizon(design: CycleDesign) -> tuple[date, date]:
    """The year from the design's cycle start."""
    start = design.cycle_start
    return start, date(start.year, 12, 31)


def make_people(
    count: int,
    *,
    org: str = "flat",
    seed: int = 7,
    end: date = date(2026, 12, 31),
    first_hire: date | None = None,
    spread_days: int = 30 * 365,
) -> list[Person]:
    """``count`` people (plus a director) hired over ``spread_days`` before ``end``.

    ``flat``: teams of 8, every team lead reports to the director. ``balanced``: person ``i``
    reports to person ``(i - 1) // 8`` (the director is person 0), so nobody has more than 8
    direct reports.
    """
    rng = random.Random(seed)
    first = first_hire or end - timedelta(days=spread_days)
    people = [Person(id="p-director", name="Director", hire_date=date(1990, 1, 1))]
    ids = ["p-director"]
    team_lead = "p-director"
    for index in range(count):
        person_id = f"p-{index:06d}"
        if org == "flat":
            manager = team_lead if index % TEAM_SIZE else "p-director"
            if index % TEAM_SIZE == 0:
                team_lead = person_id
        elif org == "balanced":
            manager = ids[index // TEAM_SIZE]
        else:
            raise ValueError(f"unknown organisation {org!r}")
        pattern = rng.choice(PART_TIME) if rng.random() < 0.3 else WorkingPattern()
        people.append(
            Person(
                id=person_id,
                name=f"Person {index}",
                hire_date=first + timedelta(days=rng.randrange(spread_days)),
                manager_id=manager,
                working_pattern=pattern,
                contract=rng.choice(CONTRACTS),
            )
        )
        ids.append(person_id)
    return people


def interleaved(
    rounds: int,
    sides: Mapping[str, Callable[[], object]],
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Seconds per round of each side, the sides taking turns within every round, read
    from ``clock``: wall time by default; ``time.process_time`` for work done by this
    process alone, which other load on the machine sways far less."""
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, run in sides.items():
            began = clock()
            run()
            seconds[name].append(clock() - began)
    return seconds


def spread(values: list[float], scale: float = 1.0, fmt: str = ",.2f") -> str:
    """``median (min–max)`` of ``values`` times ``scale``."""
    scaled = [value * scale for value in values]
    return (
        f"{statistics.median(scaled):{fmt}} ({min(scaled):{fmt}}–{max(scaled):{fmt}})"
        if len(scaled) > 1
        else f"{scaled[0]:{fmt}}"
    )


def rates(count: int, seconds: list[float]) -> list[float]:
    return [count / s for s in seconds]


def ratios(numerator: list[float], denominator: list[float]) -> list[float]:
    """Per-round ratios of two interleaved series."""
    return [a / b for a, b in zip(numerator, denominator, strict=True)]


def max_rss_mib() -> float:
    """This process's maximum resident size so far, in MiB.

    Read from ``VmHWM`` where the system has it: ``ru_maxrss`` survives ``exec``, so a freshly
    started child would report the resident size of the parent that started it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(target: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    before = max_rss_mib()
    result = target(*args)
    queue.put((result, before, max_rss_mib()))


def in_child(target: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """``target(*args)`` in a fresh process: its result, and the process's maximum resident
    size (MiB) before calling it and at the end. ``target`` must be importable."""
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    process = spawn.Process(target=_child, args=(target, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result
