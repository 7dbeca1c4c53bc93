"""Compare two plans conversation by conversation, matched by their stable ids.

Planned conversations keep their id across runs (it is derived from person, type and
occurrence), so the difference between two plans is exact: what appeared, what disappeared,
what moved (another target day or window), and how many stayed the same. Use it to see what a
design change or new life events do before the plan is put into effect.

>>> from datetime import date
>>> from gesprekscyclus.domain.cadence import Interval
>>> from gesprekscyclus.domain.people import Person
>>> from gesprekscyclus.planning.design import CycleDesign, TypeRule
>>> def design(every: int) -> CycleDesign:
...     rhythm = Interval(every=every, unit="months", anchor="cycle_start")
...     return CycleDesign(name="demo", cycle_start=date(2026, 1, 1),
...                        types=(TypeRule(type="check_in", cadence=(rhythm,)),))
>>> people = [Person(id="m", name="Mia", hire_date=date(2020, 1, 1)),
...           Person(id="e", name="Eva", hire_date=date(2024, 5, 1), manager_id="m")]
>>> change = diff_designs(design(1), design(2), people, start=date(2026, 1, 1),
...                       end=date(2026, 4, 30))
>>> len(change.appeared), len(change.disappeared), len(change.moved), change.unchanged_count
(0, 2, 1, 1)
>>> for row in change.rows():  # occurrence n1 is February monthly, March every two months
...     print(row["change"], row["employee_id"], row["old_target"], row["new_target"])
disappeared e 2026-03-02 None
disappeared e 2026-04-01 None
moved e 2026-02-02 2026-03-02
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from attrs import frozen

from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner import Plan, PlannedConversation, plan

__all__ = ["Moved", "PlanDiff", "diff_designs", "diff_plans"]


@frozen
class Moved:
    """A conversation in both plans whose window, target day or start time differs."""

    before: PlannedConversation
    after: PlannedConversation

    @property
    def id(self) -> str:
        """The conversation's stable id (the same in both plans)."""
        return self.after.id

    @property
    def days(self) -> int:
        """How many days the target moved (negative: earlier)."""
        return (self.after.target - self.before.target).days


@frozen
class PlanDiff:
    """What changed between two plans; every tuple is in a fixed order (by day, then id)."""

    appeared: tuple[PlannedConversation, ...] = ()
    disappeared: tuple[PlannedConversation, ...] = ()
    moved: tuple[Moved, ...] = ()
    unchanged_count: int = 0

    @property
    def is_empty(self) -> bool:
        """Whether the plans hold the same conversations on the same days."""
        return not (self.appeared or self.disappeared or self.moved)

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per change, ready for printing or ``pandas.DataFrame(rows)``.

        Columns: ``change`` (appeared, disappeared, moved), ``id``, ``type_key``,
        ``employee_id``, ``manager_id``, the old and new ``earliest``/``target``/``latest``
        (``None`` where a side is missing) and ``days`` moved.
        """
        rows = [_row("appeared", None, item) for item in self.appeared]
        rows += [_row("disappeared", item, None) for item in self.disappeared]
        rows += [_row("moved", item.before, item.after) for item in self.moved]
        return rows


def _row(
    change: str, before: PlannedConversation | None, after: PlannedConversation | None
) -> dict[str, Any]:
    either = after if after is not None else before
    assert either is not None
    return {
        "change": change,
        "id": either.id,
        "type_key": either.type_key,
        "employee_id": either.employee_id,
        "manager_id": either.manager_id,
        "old_earliest": None if before is None else before.earliest,
        "old_target": None if before is None else before.target,
        "old_latest": None if before is None else before.latest,
        "new_earliest": None if after is None else after.earliest,
        "new_target": None if after is None else after.target,
        "new_latest": None if after is None else after.latest,
        "days": None if before is None or after is None else (after.target - before.target).days,
    }


def _placement(item: PlannedConversation) -> tuple[date, date, date, datetime | None]:
    return item.earliest, item.target, item.latest, item.starts_at


def _order(item: PlannedConversation) -> tuple[date, str]:
    return item.target, item.id


def diff_plans(before: Plan, after: Plan) -> PlanDiff:
    """The difference between two plans, matched by conversation id.

    A conversation counts as moved when its earliest, target or latest day or its start time
    changed; everything else about it is fixed by its id.
    """
    old, new = before.by_id(), after.by_id()
    appeared = sorted((new[key] for key in new.keys() - old.keys()), key=_order)
    disappeared = sorted((old[key] for key in old.keys() - new.keys()), key=_order)
    moved: list[Moved] = []
    unchanged = 0
    for key in old.keys() & new.keys():
        if _placement(old[key]) == _placement(new[key]):
            unchanged += 1
        else:
            moved.append(Moved(old[key], new[key]))
    moved.sort(key=lambda item: (item.before.target, item.id))
    return PlanDiff(tuple(appeared), tuple(disappeared), tuple(moved), unchanged)


def diff_designs(
    design_a: CycleDesign,
    design_b: CycleDesign,
    people: Iterable[Person],
    events: Iterable[LifeEvent] = (),
    *,
    start: date,
    end: date,
    catalog: Catalog | None = None,
) -> PlanDiff:
    """Plan both designs for the same people and horizon and compare the plans."""
    staff, happenings = list(people), list(events)
    first = plan(design_a, staff, happenings, start=start, end=end, catalog=catalog)
    second = plan(design_b, staff, happenings, start=start, end=end, catalog=catalog)
    return diff_plans(first, second)
