"""What a cycle design means for an organisation: load, counts and coverage, as plain rows.

For notebooks: every table is a list of dicts with the same keys, which
``pandas.DataFrame(rows)`` takes as it is (pandas is not needed by this module); the column
names are those of :data:`gesprekscyclus.planning.columns.COLUMNS`, shared with the richer
DataFrames of :mod:`gesprekscyclus.analysis` (names, labels, months, coverage shares).

- :func:`load_per_manager_per_week`: conversations and minutes per manager and ISO week;
- :func:`counts_per_type_per_month`: conversations per type and calendar month;
- :func:`coverage`: per person the number of conversations, the longest stretch without one,
  the types covered and whether the person has a manager (the top of the organisation has
  none and is not counted as a person without conversations);
- :func:`simulate` plans a design and returns a :class:`Simulation` with those tables;
- :func:`compare` simulates two designs side by side (headline figures; for the difference
  per employee and type see :mod:`gesprekscyclus.analysis`, and for "what changes if this
  version replaces that one", conversation by conversation, :func:`~.diff.diff_plans`).

>>> from datetime import date
>>> from gesprekscyclus.domain.cadence import Interval
>>> from gesprekscyclus.domain.people import Person
>>> from gesprekscyclus.planning.design import CycleDesign, TypeRule
>>> def every(months: int) -> CycleDesign:
...     rhythm = Interval(every=months, unit="months", anchor="cycle_start")
...     return CycleDesign(name=f"every {months}", cycle_start=date(2026, 1, 1),
...                        types=(TypeRule(type="check_in", cadence=(rhythm,)),))
>>> people = [Person(id="m", name="Mia", hire_date=date(2020, 1, 1)),
...           Person(id="e", name="Eva", hire_date=date(2024, 5, 1), manager_id="m"),
...           Person(id="f", name="Finn", hire_date=date(2025, 9, 1), manager_id="m")]
>>> result = simulate(every(1), people, start=date(2026, 1, 1), end=date(2026, 3, 31))
>>> result.load[0]
{'manager_id': 'm', 'iso_year': 2026, 'iso_week': 1, 'conversations': 2, 'minutes': 60}
>>> result.coverage[0]
{'employee_id': 'e', 'has_manager': True, 'conversations': 3, 'longest_gap_days': 31, \
'types': ['check_in']}
>>> result.summary()["people_without_conversation"]  # Mia has no manager: not counted
0
>>> side_by_side = compare(every(1), every(2), people, start=date(2026, 1, 1),
...                        end=date(2026, 3, 31))
>>> side_by_side.rows()[0]
{'measure': 'conversations', 'a': 6, 'b': 4, 'difference': -2}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from typing import Any

from attrs import field, frozen

from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.dates import DateLike
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner import Plan, plan

__all__ = [
    "Comparison",
    "Simulation",
    "compare",
    "counts_per_type_per_month",
    "coverage",
    "durations",
    "load_per_manager_per_week",
    "manager_led",
    "simulate",
]

Rows = list[dict[str, Any]]


def durations(catalog: Catalog) -> dict[str, int]:
    """The duration in minutes of every type of ``catalog``, by type key."""
    return {key: catalog.type(key).duration_minutes for key in catalog.keys()}  # noqa: SIM118


def manager_led(catalog: Catalog) -> frozenset[str]:
    """The type keys of ``catalog`` whose conversations the manager takes part in."""
    return frozenset(
        key
        for key in catalog.keys()  # noqa: SIM118 - a Catalog is not a dict
        if Role.MANAGER in catalog.type(key).participants
    )


def load_per_manager_per_week(plan: Plan, catalog: Catalog | None = None) -> Rows:
    """Per manager and ISO week: how many conversations and how many minutes they take.

    Minutes come from the catalog's durations (the built-in catalog by default). Only the
    conversations a manager takes part in count (an exit interview held by HR does not);
    types the catalog does not know are left out as well. Rows are ordered by manager, year
    and week; weeks without conversations do not appear.
    """
    catalog = catalog if catalog is not None else built_in_catalog()
    minutes_of = durations(catalog)
    led = manager_led(catalog)
    counts: Counter[tuple[str, int, int]] = Counter()
    minutes: Counter[tuple[str, int, int]] = Counter()
    for conversation in plan.conversations:
        if conversation.manager_id is None or conversation.type_key not in led:
            continue
        year, week, _ = conversation.target.isocalendar()
        key = (conversation.manager_id, year, week)
        counts[key] += 1
        minutes[key] += minutes_of.get(conversation.type_key, 0)
    return [
        {
            "manager_id": manager,
            "iso_year": year,
            "iso_week": week,
            "conversations": counts[manager, year, week],
            "minutes": minutes[manager, year, week],
        }
        for manager, year, week in sorted(counts)
    ]


def counts_per_type_per_month(plan: Plan) -> Rows:
    """Per calendar month (of the target day) and type: how many conversations are planned."""
    counts: Counter[tuple[int, int, str]] = Counter(
        (c.target.year, c.target.month, c.type_key) for c in plan.conversations
    )
    return [
        {"year": year, "month": month, "type_key": type_key, "conversations": counts[key]}
        for key in sorted(counts)
        for year, month, type_key in (key,)
    ]


def coverage(plan: Plan, people: Iterable[Person]) -> Rows:
    """Per person (by id): a manager or not, conversations, the longest gap, the types covered.

    ``longest_gap_days`` is the longest stretch in days between consecutive conversation
    days, counting the edges of the horizon (limited to the person's employment) as well, so
    someone without any conversation gets the whole horizon. People employed on no day of
    the horizon are left out. ``has_manager`` is false for the top of the organisation, who
    has nobody to hold manager-led conversations with; :meth:`Simulation.summary` does not
    count them as people without conversations.
    """
    days: dict[str, list[date]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    for conversation in plan.conversations:
        days[conversation.employee_id].append(conversation.target)
        types[conversation.employee_id].add(conversation.type_key)
    rows: Rows = []
    for person in sorted(people, key=lambda p: p.id):
        first = max(plan.start, person.hire_date)
        last = plan.end if person.end_date is None else min(plan.end, person.end_date)
        if last < first:
            continue
        points = [first, *sorted(days.get(person.id, ())), last]
        gap = max((later - earlier).days for earlier, later in pairwise(points))
        rows.append(
            {
                "employee_id": person.id,
                "has_manager": person.manager_id is not None,
                "conversations": len(days.get(person.id, ())),
                "longest_gap_days": gap,
                "types": sorted(types.get(person.id, ())),
            }
        )
    return rows


@frozen
class Simulation:
    """A design planned for a headcount, with its tables (see the module docstring).

    It keeps what it was simulated with (people, events, catalog), so the analysis functions can
    name people and types and a what-if can plan the same organisation again.
    """

    design: CycleDesign
    plan: Plan
    load: Rows
    counts: Rows
    coverage: Rows
    people: tuple[Person, ...] = ()
    events: tuple[LifeEvent, ...] = ()
    catalog: Catalog = field(factory=built_in_catalog)

    def summary(self) -> dict[str, Any]:
        """Headline figures: totals, the busiest manager-week, the longest gap, conflicts.

        People without a manager count in ``conversations_per_person`` but not in
        ``people_without_conversation`` or ``longest_gap_days``.
        """
        people = len(self.coverage)
        managed = [row for row in self.coverage if row["has_manager"]]
        return {
            "conversations": len(self.plan.conversations),
            "minutes": sum(row["minutes"] for row in self.load),
            "busiest_manager_week_minutes": max((r["minutes"] for r in self.load), default=0),
            "conversations_per_person": (
                round(len(self.plan.conversations) / people, 2) if people else 0.0
            ),
            "people_without_conversation": sum(1 for r in managed if not r["conversations"]),
            "longest_gap_days": max((r["longest_gap_days"] for r in managed), default=0),
            "skipped": len(self.plan.skipped),
            "capacity_conflicts": len(self.plan.conflicts),
        }


def simulate(
    design: CycleDesign,
    people: Iterable[Person],
    events: Iterable[LifeEvent] = (),
    *,
    start: DateLike,
    end: DateLike,
    catalog: Catalog | None = None,
) -> Simulation:
    """Plan ``design`` for ``people`` over ``[start, end]`` and tabulate the result.

    ``start`` and ``end`` may also be ``YYYY-MM-DD`` text (or a date-time at midnight, such as
    a pandas Timestamp), as :func:`~gesprekscyclus.planning.planner.plan` takes them.
    """
    staff, happenings = tuple(people), tuple(events)
    catalog = catalog if catalog is not None else design.full_catalog()
    result = plan(design, staff, happenings, start=start, end=end, catalog=catalog)
    return Simulation(
        design=design,
        plan=result,
        load=load_per_manager_per_week(result, catalog),
        counts=counts_per_type_per_month(result),
        coverage=coverage(result, staff),
        people=staff,
        events=happenings,
        catalog=catalog,
    )


@frozen
class Comparison:
    """Two simulations side by side: two designs, or one organisation and a what-if.

    :meth:`rows` compares the headline figures; :mod:`gesprekscyclus.analysis` compares per
    employee and type and per manager. Conversations are deliberately not matched one by one:
    a monthly and a six-weekly rhythm share no occurrences, so "moved by 89 days" would mean
    nothing. To see what applying a new version of a design changes in a plan, conversation
    by conversation, use :func:`~gesprekscyclus.planning.diff.diff_plans` on the two plans.
    """

    a: Simulation
    b: Simulation

    def rows(self) -> Rows:
        """One row per headline figure: ``measure``, ``a``, ``b`` and ``difference`` (b - a)."""
        first, second = self.a.summary(), self.b.summary()
        return [
            {
                "measure": measure,
                "a": first[measure],
                "b": second[measure],
                "difference": round(second[measure] - first[measure], 2),
            }
            for measure in first
        ]


def compare(
    design_a: CycleDesign,
    design_b: CycleDesign,
    people: Iterable[Person],
    events: Iterable[LifeEvent] = (),
    *,
    start: DateLike,
    end: DateLike,
    catalog: Catalog | None = None,
) -> Comparison:
    """Simulate two designs for the same people and horizon; see :class:`Comparison`."""
    staff, happenings = list(people), list(events)
    first = simulate(design_a, staff, happenings, start=start, end=end, catalog=catalog)
    second = simulate(design_b, staff, happenings, start=start, end=end, catalog=catalog)
    return Comparison(first, second)
