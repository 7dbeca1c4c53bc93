"""Planner benchmark: a year of planning for a large headcount, against a floor measured alike.

Prints figures, asserts nothing. Every comparison is measured in the same run, interleaved
round by round (see ``workload.interleaved``), because the machines are noisy, and in the
CPU time of this process (``time.process_time``: planning and the floor are pure Python in
one thread, and CPU time swings far less than wall time when other work shares the machine;
``--clock wall`` gives wall time):

- planned conversations per second of the synthetic design and of the shipped reference
  design (holidays, default time, all its rules), each for a ``flat`` organisation (teams of
  8 under a director with one direct report per team) and a ``balanced`` one (at most 8
  direct reports anywhere); median and min–max over ``--rounds`` rounds;
- a closed-form floor: the synthetic design's dates computed with plain date arithmetic in
  pure Python, one row tuple per date with its id and window (no calendar, conventions,
  levelling or sorting), as rows per second,
  and the planner's slowdown against it (median of the per-round ratios);
- the maximum resident size of a fresh process that builds the people and plans once (before
  and after planning), and separately the peak traced by ``tracemalloc`` (tracing has its own
  cost, so it never runs in the process whose resident size is reported);
- cost per person for people hired 30 years ago against people hired last year.

Targets: >= 500,000 conversations/s on 100,000 people, at most 5x the floor, resident
size <= 1.5 GiB. The default size (``--people 20000``) finishes in a few minutes on a busy
machine; ``--people 100000`` gives the target's size.

Run: ``python benchmarks/plan.py [--people N] [--rounds 3] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
import tracemalloc
from datetime import date, timedelta

from workload import (
    DESIGNS,
    horizon,
    in_child,
    interleaved,
    make_people,
    max_rss_mib,
    rates,
    ratios,
    spread,
    synthetic_design,
)

from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner import plan


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:  # the 29th..31st of a shorter month
        return date(year, month, 28)


def closed_form(people: list[Person], start: date, end: date) -> int:
    """The synthetic design's dates in ``[start, end]`` by plain date arithmetic, each as a
    row like the planner's (id, type, employee, manager, earliest, target, latest), with no
    calendar, conventions, drop-near, levelling or sorting."""
    rows = []
    months = [date(start.year, m, 1) for m in range(1, 13)]
    window = timedelta(days=7), timedelta(days=14)
    for person in people:
        hired = person.hire_date
        found = [("check_in", day) for day in months if day >= hired]
        found.append(("growth_review", date(start.year, 3, 1)))
        found.append(("wellbeing", date(start.year, 5, 1)))
        found.append(("wellbeing", date(start.year, 11, 1)))
        try:
            yearly = hired.replace(year=start.year)
        except ValueError:  # 29 February
            yearly = date(start.year, 2, 28)
        found.append(("development", yearly))
        found.append(("stay_interview", yearly))
        found.append(("stay_interview", _add_months(hired, 6)))
        found.extend(("onboarding", hired + timedelta(days=d)) for d in (30, 60, 90))
        for type_key, day in found:
            if start <= day <= end and day >= hired:
                rows.append(
                    (
                        f"{person.id}:{type_key}:{day.isoformat()}",
                        type_key,
                        person.id,
                        person.manager_id,
                        day - window[0],
                        day,
                        day + window[1],
                    )
                )
    return len(rows)


#: The clocks a run can be timed with.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def _planned(design: CycleDesign, people: list[Person]) -> int:
    start, end = horizon(design)
    return len(plan(design, people, start=start, end=end).conversations)


def _resident(design_name: str, count: int, org: str) -> tuple[int, float]:
    """In a fresh process: plan once; the count and the resident size after the people."""
    design = DESIGNS[design_name]()
    _, end = horizon(design)
    people = make_people(count, org=org, end=end)
    ready = max_rss_mib()
    return _planned(design, people), ready


def _traced(design: CycleDesign, people: list[Person]) -> float:
    start, end = horizon(design)
    gc.collect()
    tracemalloc.start()
    plan(design, people, start=start, end=end)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--designs", default="synthetic,reference")
    parser.add_argument("--orgs", default="flat,balanced")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="cpu")
    args = parser.parse_args()
    clock = CLOCKS[args.clock]
    print(
        f"people: {args.people:,} (+ director); {args.rounds} interleaved rounds; {args.clock} time"
    )

    for design_name in args.designs.split(","):
        design = DESIGNS[design_name]()
        start, end = horizon(design)
        for org in args.orgs.split(","):
            people = make_people(args.people, org=org, end=end)
            count = _planned(design, people)
            sides = {"planner": lambda d=design, p=people: _planned(d, p)}
            if design_name == "synthetic":
                floor_count = closed_form(people, start, end)
                sides["floor"] = lambda p=people, s=start, e=end: closed_form(p, s, e)
            seconds = interleaved(args.rounds, sides, clock)
            planned = rates(count, seconds["planner"])
            per_person = [s / args.people * 1e6 for s in seconds["planner"]]
            print(
                f"plan {design_name:>9} / {org:<8}: {count:,} conversations in"
                f" {spread(seconds['planner'])} s = {spread(planned, fmt=',.0f')}/s,"
                f" {spread(per_person, fmt='.1f')} us/person (target >= 500,000/s)"
            )
            if "floor" in seconds:
                floor = rates(floor_count, seconds["floor"])
                print(
                    f"    closed-form floor: {floor_count:,} rows,"
                    f" {spread(floor, fmt=',.0f')} rows/s; planner slower by"
                    f" {spread(ratios(floor, planned), fmt='.1f')}x (target <= 5x)"
                )
            (_, ready), _, rss = in_child(_resident, design_name, args.people, org)
            print(
                f"    max RSS of a fresh process: {ready:,.0f} MiB with the people built,"
                f" {rss:,.0f} MiB after planning (target <= 1,536 MiB);"
                f" tracemalloc peak of planning (separate run) {_traced(design, people):,.0f} MiB"
            )
            del people

    design = synthetic_design()
    cohort = min(args.people, 10_000)
    no_onboarding = CycleDesign(
        name="seniority",
        cycle_start=design.cycle_start,
        types=tuple(rule for rule in design.types if rule.type != "onboarding"),
        interactions=design.interactions,
        capacity=design.capacity,
    )
    veterans = make_people(cohort, first_hire=date(1996, 1, 1), spread_days=365)
    newcomers = make_people(cohort, first_hire=date(2025, 1, 1), spread_days=365)
    seconds = interleaved(
        args.rounds,
        {
            "veterans": lambda: _planned(no_onboarding, veterans),
            "newcomers": lambda: _planned(no_onboarding, newcomers),
        },
        clock,
    )
    print(
        f"seniority ({cohort:,} people): hired 1996 / hired 2025 cost per person"
        f" {spread(ratios(seconds['veterans'], seconds['newcomers']))}x"
    )

    if args.profile:
        people = make_people(args.people)
        start, end = horizon(design)
        profiler = cProfile.Profile()
        profiler.enable()
        plan(design, people, start=start, end=end)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
