"""Where the work lands: conversations and hours per manager per week or month, per type.

Load counts the conversations a manager takes part in (the catalog's participants say
which: an exit interview held by HR is not the manager's load), on their target day.
Periods without conversations have no row; pivoting fills them with zeros.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from gesprekscyclus.analysis.frames import plan_frame
from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.simulation import Simulation, manager_led

__all__ = ["busiest_weeks", "load_per_manager", "load_per_type", "manager_conversations"]

Period = Literal["week", "month"]
_PERIODS = ("week", "month")


def manager_conversations(
    simulation: Simulation, *, locale: Locale | str = Locale.NL
) -> pd.DataFrame:
    """The rows of :func:`plan_frame` that count as a manager's load."""
    frame = plan_frame(simulation, locale=locale)
    led = manager_led(simulation.catalog)
    mask = frame["manager_id"].notna() & frame["type_key"].isin(sorted(led))
    return frame.loc[mask].reset_index(drop=True)


def _with_periods(frame: pd.DataFrame) -> pd.DataFrame:
    target = frame["target"]
    calendar = target.dt.isocalendar()
    return frame.assign(
        iso_year=calendar["year"].astype("int64"),
        iso_week=calendar["week"].astype("int64"),
        week_start=(target - pd.to_timedelta(target.dt.day_of_week, unit="D")),
        year=target.dt.year.astype("int64"),
        month=target.dt.month.astype("int64"),
        month_start=target.dt.to_period("M").dt.to_timestamp(),
    )


def _totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = (
        frame.groupby(keys, dropna=False, sort=True)
        .agg(conversations=("id", "size"), minutes=("minutes", "sum"))
        .reset_index()
    )
    grouped["conversations"] = grouped["conversations"].astype("int64")
    grouped["minutes"] = grouped["minutes"].astype("int64")
    grouped["hours"] = grouped["minutes"] / 60
    return grouped


def _period_keys(period: str) -> list[str]:
    if period not in _PERIODS:
        raise InvalidValueError("period", f"unknown period {period!r}", allowed=_PERIODS)
    return (
        ["iso_year", "iso_week", "week_start"]
        if period == "week"
        else [
            "year",
            "month",
            "month_start",
        ]
    )


def load_per_manager(
    simulation: Simulation, *, period: Period = "week", locale: Locale | str = Locale.NL
) -> pd.DataFrame:
    """Per manager and ISO week (``period="week"``) or calendar month: count, minutes, hours.

    Columns: ``manager_id``, ``manager_name``, then ``iso_year``, ``iso_week``,
    ``week_start`` or ``year``, ``month``, ``month_start``, then ``conversations``,
    ``minutes`` and ``hours``; ordered by manager and period.
    """
    keys = _period_keys(period)
    frame = _with_periods(manager_conversations(simulation, locale=locale))
    frame["manager_name"] = frame["manager_name"].fillna(frame["manager_id"])
    return _totals(frame, ["manager_id", "manager_name", *keys])


def load_per_type(simulation: Simulation, *, locale: Locale | str = Locale.NL) -> pd.DataFrame:
    """Per type and calendar month, every conversation: count, minutes and hours.

    Columns: ``type_key``, ``type_label``, ``year``, ``month``, ``month_start``,
    ``conversations``, ``minutes``, ``hours``; ordered by type key and month.
    """
    frame = _with_periods(plan_frame(simulation, locale=locale))
    return _totals(frame, ["type_key", "type_label", *_period_keys("month")])


def busiest_weeks(
    simulation: Simulation, *, top: int = 10, locale: Locale | str = Locale.NL
) -> pd.DataFrame:
    """The ``top`` manager-weeks with the most hours, busiest first, with their ``rank``.

    Ties go to the week with more conversations, then by manager id and week. Columns:
    ``rank`` and those of :func:`load_per_manager` by week.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidValueError("top", f"must be a whole number of at least 1, got {shown(top)}")
    weeks = load_per_manager(simulation, period="week", locale=locale)
    weeks = weeks.sort_values(
        ["minutes", "conversations", "manager_id", "week_start"],
        ascending=[False, False, True, True],
        kind="stable",
    ).head(top)
    weeks.insert(0, "rank", range(1, len(weeks) + 1))
    return weeks.reset_index(drop=True)
