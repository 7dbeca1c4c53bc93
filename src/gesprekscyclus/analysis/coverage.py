"""Who is seen often enough: the longest gap per person and per type, and the share covered.

A gap is the longest stretch in days without a conversation, counting the horizon's edges
(limited to the employment), so a person without any conversation has the whole horizon as
gap. People without a manager (the top of the organisation) have nobody to hold
manager-led conversations with: they are flagged with ``has_manager`` and left out of every
share, never counted as uncovered.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from itertools import pairwise

import pandas as pd

from gesprekscyclus.analysis.frames import names, type_labels
from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.cadence import Anniversary, Interval, IntervalUnit, RRuleCadence
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import TypeRule
from gesprekscyclus.planning.simulation import Simulation, coverage, manager_led

__all__ = ["DEFAULT_TARGET_GAP_DAYS", "coverage_per_person", "coverage_per_type", "rhythm_gap_days"]

#: The gap :func:`coverage_per_person` accepts by default: some conversation every quarter.
DEFAULT_TARGET_GAP_DAYS = 92
_UNIT_DAYS = {
    IntervalUnit.WEEKS: 7,
    IntervalUnit.MONTHS: 31,
    IntervalUnit.QUARTERS: 92,
    IntervalUnit.YEARS: 366,
}


def _check_gap(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError(
            path, f"must be a whole number of days (0 or more), got {shown(value)}"
        )
    return value


def coverage_per_person(
    simulation: Simulation,
    *,
    target_gap_days: int = DEFAULT_TARGET_GAP_DAYS,
    locale: Locale | str = Locale.NL,
) -> pd.DataFrame:
    """Per person employed in the horizon: conversations, longest gap, within the target.

    Columns: ``employee_id``, ``employee_name``, ``team``, ``manager_id``, ``manager_name``,
    ``has_manager``, ``conversations``, ``longest_gap_days``, ``target_gap_days``,
    ``within_target`` (a nullable boolean, empty for people without a manager) and
    ``types`` (the types they had, comma-separated).
    """
    target = _check_gap(target_gap_days, "target_gap_days")
    Locale(locale)
    people = {person.id: person for person in simulation.people}
    who = names(simulation.people)
    rows = []
    for row in coverage(simulation.plan, simulation.people):
        person = people[row["employee_id"]]
        rows.append(
            {
                "employee_id": person.id,
                "employee_name": person.name,
                "team": person.team,
                "manager_id": person.manager_id,
                "manager_name": None if person.manager_id is None else who.get(person.manager_id),
                "has_manager": row["has_manager"],
                "conversations": row["conversations"],
                "longest_gap_days": row["longest_gap_days"],
                "target_gap_days": target,
                "within_target": row["longest_gap_days"] <= target if row["has_manager"] else None,
                "types": ", ".join(row["types"]),
            }
        )
    frame = pd.DataFrame(rows, columns=_PERSON_COLUMNS)
    frame["within_target"] = frame["within_target"].astype("boolean")
    frame["has_manager"] = frame["has_manager"].astype(bool)
    return frame


_PERSON_COLUMNS = [
    "employee_id",
    "employee_name",
    "team",
    "manager_id",
    "manager_name",
    "has_manager",
    "conversations",
    "longest_gap_days",
    "target_gap_days",
    "within_target",
    "types",
]


def rhythm_gap_days(rule: TypeRule) -> int | None:
    """The longest gap a type's own rhythm allows: its longest step plus its window.

    ``None`` when the type has no plain rhythm (RRULEs and event-driven types).
    """
    steps = []
    for cadence in rule.cadence:
        if isinstance(cadence, Interval):
            steps.append(cadence.every * _UNIT_DAYS[cadence.unit])
        elif isinstance(cadence, Anniversary):
            steps.append(366)
    if not steps:
        return None
    return max(steps) + rule.window_before + rule.window_after


def _recurring(rule: TypeRule) -> bool:
    return any(isinstance(c, Interval | Anniversary | RRuleCadence) for c in rule.cadence)


def _employment(simulation: Simulation, person: Person) -> tuple[date, date] | None:
    first = max(simulation.plan.start, person.hire_date)
    last = (
        simulation.plan.end
        if person.end_date is None
        else min(simulation.plan.end, person.end_date)
    )
    return None if last < first else (first, last)


def coverage_per_type(
    simulation: Simulation,
    *,
    target_gap_days: int | Mapping[str, int] | None = None,
    locale: Locale | str = Locale.NL,
) -> pd.DataFrame:
    """Per recurring type of the design: how many people it reaches and how evenly.

    The people counted are those employed in the horizon, in the type's population and, for
    a manager-led type, with a manager. Types triggered by events only (onboarding, exit,
    absence) are left out: who gets them depends on events, not on a rhythm.

    ``target_gap_days`` is one number for every type, a mapping per type key, or ``None``
    for each type's own rhythm (:func:`rhythm_gap_days`); a type without a target has an
    empty ``share_within_target``. Columns: ``type_key``, ``type_label``, ``people``,
    ``people_with_conversation``, ``median_gap_days``, ``longest_gap_days``,
    ``target_gap_days``, ``share_within_target``.
    """
    labels = type_labels(simulation.catalog, locale)
    led = manager_led(simulation.catalog)
    days: dict[tuple[str, str], list[date]] = defaultdict(list)
    for conversation in simulation.plan.conversations:
        days[conversation.employee_id, conversation.type_key].append(conversation.target)
    rows = []
    for rule in simulation.design.types:
        if not _recurring(rule):
            continue
        target = _target_for(rule, target_gap_days)
        gaps = []
        reached = 0
        for person in simulation.people:
            span = _employment(simulation, person)
            if span is None or not rule.population.includes_statically(person):
                continue
            if rule.type in led and person.manager_id is None:
                continue
            mine = sorted(days.get((person.id, rule.type), ()))
            reached += bool(mine)
            points = [span[0], *mine, span[1]]
            gaps.append(
                max(later.toordinal() - earlier.toordinal() for earlier, later in pairwise(points))
            )
        rows.append(
            {
                "type_key": rule.type,
                "type_label": labels.get(rule.type, rule.type),
                "people": len(gaps),
                "people_with_conversation": reached,
                "median_gap_days": statistics.median(gaps) if gaps else None,
                "longest_gap_days": max(gaps) if gaps else None,
                "target_gap_days": target,
                "share_within_target": (
                    sum(gap <= target for gap in gaps) / len(gaps)
                    if gaps and target is not None
                    else None
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=_TYPE_COLUMNS)
    for column in ("median_gap_days", "share_within_target"):
        frame[column] = frame[column].astype("float64")
    for column in ("longest_gap_days", "target_gap_days"):
        frame[column] = frame[column].astype("Int64")
    return frame


_TYPE_COLUMNS = [
    "type_key",
    "type_label",
    "people",
    "people_with_conversation",
    "median_gap_days",
    "longest_gap_days",
    "target_gap_days",
    "share_within_target",
]


def _target_for(rule: TypeRule, given: int | Mapping[str, int] | None) -> int | None:
    if given is None:
        return rhythm_gap_days(rule)
    if isinstance(given, Mapping):
        found = given.get(rule.type)
        return None if found is None else _check_gap(found, f"target_gap_days[{rule.type!r}]")
    return _check_gap(given, "target_gap_days")
