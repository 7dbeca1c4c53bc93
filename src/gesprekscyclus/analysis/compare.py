"""Two designs (or an organisation and a what-if) side by side, in measures that mean something.

Conversations are not matched one by one: a monthly and a six-weekly check-in share no
occurrences. Instead each employee and type gets its counts and longest gap under both, each
manager their load under both, and every measure ``m`` appears as ``m_a``, ``m_b`` and
``m_difference`` (b minus a). For "what changes in the plan if this new version replaces
the current one", conversation by conversation, use
:func:`gesprekscyclus.planning.diff.diff_plans` instead.

Each function takes a :class:`~gesprekscyclus.planning.simulation.Comparison` (from
:func:`~gesprekscyclus.planning.simulation.compare`) or two simulations.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import pairwise

import pandas as pd

from gesprekscyclus.analysis.frames import type_labels
from gesprekscyclus.analysis.load import load_per_manager
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.simulation import Comparison, Simulation

__all__ = ["compare_per_employee", "compare_per_manager", "compare_summary"]


def _pair(
    first: Comparison | Simulation, second: Simulation | None
) -> tuple[Simulation, Simulation]:
    if isinstance(first, Comparison):
        if second is not None:
            raise InvalidValueError("b", "give a Comparison alone, or two Simulations")
        return first.a, first.b
    if second is None:
        raise InvalidValueError("b", "the second Simulation is missing")
    return first, second


def _side_by_side(
    a: pd.DataFrame, b: pd.DataFrame, keys: list[str], measures: list[str]
) -> pd.DataFrame:
    merged = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), sort=True)
    ordered = list(keys)
    for measure in measures:
        left, right = merged[f"{measure}_a"].fillna(0), merged[f"{measure}_b"].fillna(0)
        merged[f"{measure}_a"], merged[f"{measure}_b"] = left, right
        merged[f"{measure}_difference"] = right - left
        ordered += [f"{measure}_a", f"{measure}_b", f"{measure}_difference"]
    return merged[ordered].reset_index(drop=True)


def _per_employee_type(simulation: Simulation) -> pd.DataFrame:
    start, end = simulation.plan.start, simulation.plan.end
    days: dict[tuple[str, str], list[date]] = defaultdict(list)
    for conversation in simulation.plan.conversations:
        days[conversation.employee_id, conversation.type_key].append(conversation.target)
    people = {person.id: person for person in simulation.people}
    rows = []
    for (employee_id, type_key), targets in days.items():
        person = people.get(employee_id)
        first = start if person is None else max(start, person.hire_date)
        last = end if person is None or person.end_date is None else min(end, person.end_date)
        points = [first, *sorted(targets), last]
        gap = max(later.toordinal() - earlier.toordinal() for earlier, later in pairwise(points))
        rows.append((employee_id, type_key, len(targets), max(gap, 0)))
    return pd.DataFrame(
        rows, columns=["employee_id", "type_key", "conversations", "longest_gap_days"]
    )


def _people(a: Simulation, b: Simulation) -> dict[str, Person]:
    found = {person.id: person for person in b.people}
    found.update({person.id: person for person in a.people})
    return found


def compare_per_employee(
    first: Comparison | Simulation,
    second: Simulation | None = None,
    *,
    locale: Locale | str = Locale.NL,
) -> pd.DataFrame:
    """Per employee and type: conversations and longest gap under both, and the differences.

    A row for every employee and type with a conversation in either plan; the other side
    then counts 0 conversations. The gap counts the horizon's edges within the employment.
    Columns: ``employee_id``, ``employee_name``, ``manager_id``, ``manager_name`` (as in the
    first simulation), ``type_key``, ``type_label``, then ``conversations_a``/``_b``/
    ``_difference`` and ``longest_gap_days_a``/``_b``/``_difference``. An employee without a
    conversation of that type on one side has the whole horizon as gap there.
    """
    a, b = _pair(first, second)
    keys = ["employee_id", "type_key"]
    left, right = _per_employee_type(a), _per_employee_type(b)
    merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"), sort=True)
    people = _people(a, b)
    span = {
        person.id: (
            max(a.plan.start, person.hire_date),
            a.plan.end if person.end_date is None else min(a.plan.end, person.end_date),
        )
        for person in people.values()
    }
    whole = merged["employee_id"].map(
        lambda employee_id: (
            max((span[employee_id][1] - span[employee_id][0]).days, 0)
            if employee_id in span
            else (a.plan.end - a.plan.start).days
        )
    )
    for side in ("_a", "_b"):
        merged[f"conversations{side}"] = merged[f"conversations{side}"].fillna(0).astype("int64")
        merged[f"longest_gap_days{side}"] = (
            merged[f"longest_gap_days{side}"].fillna(whole).astype("int64")
        )
    for measure in ("conversations", "longest_gap_days"):
        merged[f"{measure}_difference"] = merged[f"{measure}_b"] - merged[f"{measure}_a"]
    labels = type_labels(a.catalog, locale)
    merged["employee_name"] = merged["employee_id"].map(
        lambda key: people[key].name if key in people else None
    )
    merged["manager_id"] = merged["employee_id"].map(
        lambda key: people[key].manager_id if key in people else None
    )
    merged["manager_name"] = merged["manager_id"].map(
        lambda key: people[key].name if key in people else None
    )
    merged["type_label"] = merged["type_key"].map(lambda key: labels.get(key, key))
    columns = [
        "employee_id",
        "employee_name",
        "manager_id",
        "manager_name",
        "type_key",
        "type_label",
    ]
    for measure in ("conversations", "longest_gap_days"):
        columns += [f"{measure}_a", f"{measure}_b", f"{measure}_difference"]
    return merged[columns].reset_index(drop=True)


def _per_manager(simulation: Simulation, locale: Locale | str) -> pd.DataFrame:
    weeks = load_per_manager(simulation, period="week", locale=locale)
    totals = (
        weeks.groupby(["manager_id", "manager_name"], sort=True)
        .agg(
            conversations=("conversations", "sum"),
            hours=("hours", "sum"),
            busiest_week_hours=("hours", "max"),
        )
        .reset_index()
    )
    return totals


def compare_per_manager(
    first: Comparison | Simulation,
    second: Simulation | None = None,
    *,
    locale: Locale | str = Locale.NL,
) -> pd.DataFrame:
    """Per manager: conversations, hours and the busiest week's hours under both designs.

    Columns: ``manager_id``, ``manager_name``, then ``conversations``, ``hours`` and
    ``busiest_week_hours``, each as ``_a``, ``_b`` and ``_difference``. A manager with no
    load on one side has zeros there (after a team split, the new manager has zeros in a).
    """
    a, b = _pair(first, second)
    result = _side_by_side(
        _per_manager(a, locale),
        _per_manager(b, locale),
        ["manager_id", "manager_name"],
        ["conversations", "hours", "busiest_week_hours"],
    )
    for column in ("conversations_a", "conversations_b", "conversations_difference"):
        result[column] = result[column].astype("int64")
    return result


def compare_summary(
    first: Comparison | Simulation, second: Simulation | None = None
) -> pd.DataFrame:
    """The headline figures side by side: ``measure``, ``a``, ``b``, ``difference`` (b - a).

    These are :meth:`~gesprekscyclus.planning.simulation.Comparison.rows`, as a DataFrame.
    """
    a, b = _pair(first, second)
    return pd.DataFrame(Comparison(a, b).rows(), columns=["measure", "a", "b", "difference"])
