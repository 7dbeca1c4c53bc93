"""Planner benchmark: a year of a reference-like cycle design for a large headcount.

Prints figures, asserts nothing. Measured in one run, because the machines are noisy:

- planned conversations per second for ``--people`` generated people (default 100,000: hire
  dates spread over 30 years, about 8 people per manager, a share of part-timers) over 12
  months of monthly check-ins, a yearly growth review, yearly development, a stay interview
  6 months after hire and then yearly, wellbeing twice a year and onboarding at 30/60/90
  days, with a drop-near rule and per-manager capacity;
- peak memory of the planning run (``tracemalloc``) and the process's maximum resident size;
- the same recurring rules expanded with plain ``dateutil`` ``rrule(...).between()`` from each
  hire date (on a sample of the people, as that is slow), as occurrences per second, and the
  ratio of the two;
- cost per conversation for people hired 30 years ago against people hired last year.

Targets: >= 500,000 conversations/s, >= 20x plain rrule, peak memory <= 1.5 GB. Each figure
is printed next to the one measured on the same kind of machine before the planner was tuned
(:data:`BEFORE`), so a run shows both.

Run: ``python benchmarks/plan.py`` or ``python benchmarks/plan.py --people 10000``; add
``--profile`` to print the planner's cProfile top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import resource
import time
import tracemalloc
from datetime import date, datetime, timedelta

from dateutil.rrule import MONTHLY, YEARLY, rrule

from gesprekscyclus.domain.cadence import Anniversary, Interval, LifecycleOffset
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.planning.design import Capacity, CycleDesign, DropNear, TypeRule
from gesprekscyclus.planning.planner import plan

#: The default run (100,000 people) before the planner was tuned: conversations/s, the
#: ratio to plain rrule, and peak traced memory in MiB.
BEFORE = {"rate": 41_000, "rrule_ratio": 7.1, "peak_mib": 836}
TARGETS = {"rate": 500_000, "rrule_ratio": 20.0, "peak_mib": 1536}
START = date(2026, 1, 1)
END = date(2026, 12, 31)
TEAM_SIZE = 8
PART_TIME = (
    WorkingPattern.of("mon", "tue", "wed", "thu"),
    WorkingPattern.of("mon", "tue", "thu"),
    WorkingPattern.of("tue", "wed", "thu", "fri"),
)


def reference_design(*, capacity: bool = True) -> CycleDesign:
    """Monthly check-ins, yearly growth review and development, stay interview, wellbeing."""
    return CycleDesign(
        name="benchmark",
        cycle_start=START,
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


def make_people(
    count: int, *, seed: int = 7, first_hire: date | None = None, spread_days: int = 30 * 365
) -> list[Person]:
    """``count`` people in teams of about 8 under managers who report to one director."""
    rng = random.Random(seed)
    first = first_hire or END - timedelta(days=spread_days)
    people = [Person(id="p-director", name="Director", hire_date=date(1990, 1, 1))]
    manager_id = "p-director"
    for index in range(count):
        person_id = f"p-{index:06d}"
        pattern = rng.choice(PART_TIME) if rng.random() < 0.3 else WorkingPattern()
        people.append(
            Person(
                id=person_id,
                name=f"Person {index}",
                hire_date=first + timedelta(days=rng.randrange(spread_days)),
                manager_id=manager_id if index % TEAM_SIZE else "p-director",
                working_pattern=pattern,
            )
        )
        if index % TEAM_SIZE == 0:
            manager_id = person_id
    return people


def plain_rrule(people: list[Person]) -> int:
    """The recurring rules, expanded by dateutil from each hire date as naive code would."""
    lo = datetime.combine(START, datetime.min.time())
    hi = datetime.combine(END, datetime.min.time())
    count = 0
    for person in people:
        hired = datetime.combine(person.hire_date, datetime.min.time())
        for freq, interval in ((MONTHLY, 1), (YEARLY, 1), (YEARLY, 1), (YEARLY, 1), (MONTHLY, 6)):
            count += len(rrule(freq, interval=interval, dtstart=hired).between(lo, hi, inc=True))
    return count


def timed_plan(design: CycleDesign, people: list[Person]) -> tuple[int, float]:
    gc.collect()
    began = time.perf_counter()
    result = plan(design, people, start=START, end=END)
    return len(result.conversations), time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rrule-sample", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    args = parser.parse_args()

    design = reference_design()
    people = make_people(args.people)
    print(f"people: {args.people:,} (+ director), horizon {START} .. {END}")

    count, seconds = timed_plan(design, people)
    rate = count / seconds
    print(
        f"plan: {count:,} conversations in {seconds:.2f} s = {rate:,.0f} conversations/s "
        f"(before: {BEFORE['rate']:,}/s, x{rate / BEFORE['rate']:.1f}; "
        f"target {TARGETS['rate']:,}/s)"
    )

    tracemalloc.start()
    plan(design, people, start=START, end=END)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak traced memory while planning: {peak / 2**20:,.0f} MiB "
        f"(before: {BEFORE['peak_mib']:,} MiB; target <= {TARGETS['peak_mib']:,} MiB); "
        f"max RSS {maxrss_mib:,.0f} MiB"
    )

    sample = people[1 : 1 + min(args.rrule_sample, args.people)]
    began = time.perf_counter()
    occurrences = plain_rrule(sample)
    rrule_seconds = time.perf_counter() - began
    rrule_rate = occurrences / rrule_seconds
    print(
        f"plain rrule.between() from each hire date ({len(sample):,} people): "
        f"{occurrences:,} occurrences in {rrule_seconds:.2f} s = {rrule_rate:,.0f}/s"
    )
    print(
        f"planner / plain rrule: {rate / rrule_rate:.1f}x (before: {BEFORE['rrule_ratio']}x; "
        f"target >= {TARGETS['rrule_ratio']:.0f}x)"
    )

    cohort = min(args.people, 10_000)
    veterans = make_people(cohort, first_hire=date(1996, 1, 1), spread_days=365)
    newcomers = make_people(cohort, first_hire=date(2025, 1, 1), spread_days=365)
    no_onboarding = CycleDesign(
        name="seniority",
        cycle_start=START,
        types=tuple(rule for rule in design.types if rule.type != "onboarding"),
        interactions=design.interactions,
        capacity=design.capacity,
    )
    old_count, old_seconds = timed_plan(no_onboarding, veterans)
    new_count, new_seconds = timed_plan(no_onboarding, newcomers)
    old_us = old_seconds / old_count * 1e6
    new_us = new_seconds / new_count * 1e6
    print(
        f"seniority: hired 1996 {old_us:.2f} us/conversation, hired 2025 {new_us:.2f} "
        f"us/conversation (ratio {old_us / new_us:.2f})"
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        plan(design, people, start=START, end=END)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
