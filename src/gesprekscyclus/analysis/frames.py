"""A simulation's plan as one DataFrame: a row per conversation, with names, labels, minutes.

:func:`plan_frame` is the table every other one is built from; :func:`skipped_frame` lists
what the rules left out, with the reason. Dates are ``datetime64`` columns, so pandas
resamples, groups and plots them directly.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.planning.simulation import Simulation, durations

__all__ = ["PLAN_COLUMNS", "SKIPPED_COLUMNS", "plan_frame", "skipped_frame"]

#: The columns of :func:`plan_frame`, in order.
PLAN_COLUMNS = (
    "id",
    "employee_id",
    "employee_name",
    "team",
    "manager_id",
    "manager_name",
    "type_key",
    "type_label",
    "origin",
    "occurrence",
    "nominal",
    "earliest",
    "target",
    "latest",
    "starts_at",
    "moved_by",
    "minutes",
    "design",
    "design_version",
)
#: The columns of :func:`skipped_frame`, in order.
SKIPPED_COLUMNS = (
    "id",
    "employee_id",
    "employee_name",
    "type_key",
    "type_label",
    "nominal",
    "reason",
)


def type_labels(catalog: Catalog, locale: Locale | str) -> dict[str, str]:
    """Each catalog type's label in ``locale`` (``nl`` or ``en``), by key."""
    language = Locale(locale)
    return {key: catalog.type(key).label.in_(language) for key in catalog.keys()}  # noqa: SIM118


def names(people: tuple[Person, ...]) -> dict[str, str]:
    """Display names by person id."""
    return {person.id: person.name for person in people}


def _label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key, key)


def plan_frame(simulation: Simulation, *, locale: Locale | str = Locale.NL) -> pd.DataFrame:
    """One row per planned conversation, in plan order (target, then id).

    Columns: :data:`PLAN_COLUMNS` (see ``docs/analysis.md``). ``moved_by`` joins the
    planner's reasons with ``+`` (``"absence_pause+weekend"``), empty when the conversation
    is on its nominal date; ``minutes`` is the catalog's duration (0 for a type the catalog
    does not know); ``type_label`` is in ``locale``.
    """
    labels = type_labels(simulation.catalog, locale)
    minutes = durations(simulation.catalog)
    people = {person.id: person for person in simulation.people}
    who = names(simulation.people)
    design = simulation.design
    rows = [
        (
            c.id,
            c.employee_id,
            who.get(c.employee_id),
            None if (person := people.get(c.employee_id)) is None else person.team,
            c.manager_id,
            None if c.manager_id is None else who.get(c.manager_id),
            c.type_key,
            _label(labels, c.type_key),
            c.origin,
            c.occurrence,
            c.nominal,
            c.earliest,
            c.target,
            c.latest,
            c.starts_at,
            "+".join(c.moved_by),
            minutes.get(c.type_key, 0),
            design.name,
            design.version,
        )
        for c in simulation.plan.conversations
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(PLAN_COLUMNS))
    for column in ("nominal", "earliest", "target", "latest"):
        frame[column] = pd.to_datetime(frame[column])
    frame["minutes"] = frame["minutes"].astype("int64")
    frame["design_version"] = frame["design_version"].astype("int64")
    return frame


def skipped_frame(simulation: Simulation, *, locale: Locale | str = Locale.NL) -> pd.DataFrame:
    """One row per occurrence the rules left out, with the ``reason`` (nothing drops silently).

    Interaction rules (a check-in near a growth review, only the exit interview after notice,
    a pause during a long absence) show up here rather than as moved conversations.
    """
    labels = type_labels(simulation.catalog, locale)
    who = names(simulation.people)
    rows = [
        (
            s.id,
            s.employee_id,
            who.get(s.employee_id),
            s.type_key,
            _label(labels, s.type_key),
            s.nominal,
            s.reason,
        )
        for s in simulation.plan.skipped
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(SKIPPED_COLUMNS))
    frame["nominal"] = pd.to_datetime(frame["nominal"])
    return frame
