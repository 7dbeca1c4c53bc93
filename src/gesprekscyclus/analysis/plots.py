"""The pictures an analyst shows, one call each, labelled in Dutch or English.

Every function draws on ``ax`` when given, or on a new figure, and returns the matplotlib
``Axes`` (its figure is ``ax.figure``), so it can be adjusted, saved or placed in a grid:

- :func:`plot_load_heatmap`: hours per manager per month, as a heat map with the numbers in;
- :func:`plot_types_per_month`: conversations per type per month, stacked;
- :func:`plot_coverage_gaps`: how long people go without a conversation, against the target;
- :func:`plot_busiest_weeks`: the busiest manager-weeks, in hours;
- :func:`plot_health_over_time`: from a store, conversations held per period against those
  due, with the on-time rate;
- :func:`plot_signal_trends`: a question's mean answer per team over time (only the cells
  shown above the minimum group size).

In a notebook the figure shows by itself; in scripts and tests choose a backend first
(``matplotlib.use("Agg")``) and close figures when done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from gesprekscyclus.analysis.coverage import DEFAULT_TARGET_GAP_DAYS, coverage_per_person
from gesprekscyclus.analysis.health import answer_trends, cycle_health
from gesprekscyclus.analysis.load import busiest_weeks, load_per_manager, load_per_type
from gesprekscyclus.domain.text import Locale, month_name
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.simulation import Simulation
from gesprekscyclus.service.app import ConversationService

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_busiest_weeks",
    "plot_coverage_gaps",
    "plot_health_over_time",
    "plot_load_heatmap",
    "plot_signal_trends",
    "plot_types_per_month",
]

_TEXT = {
    Locale.NL: {
        "heatmap": "Uren gesprekken per leidinggevende per maand",
        "hours": "uren",
        "manager": "leidinggevende",
        "month": "maand",
        "types": "Gesprekken per type per maand",
        "conversations": "gesprekken",
        "gaps": "Langste periode zonder gesprek per medewerker",
        "gap_days": "langste periode zonder gesprek (dagen)",
        "people": "medewerkers",
        "target": "doel: {days} dagen",
        "busiest": "Drukste weken per leidinggevende",
        "week": "week",
        "nothing": "geen gesprekken in deze periode",
        "health": "Gehouden gesprekken en tijdigheid per periode",
        "due": "verwacht",
        "held": "gehouden",
        "on_time": "op tijd (aandeel)",
        "period": "periode",
        "trend": "Gemiddeld antwoord per team: {question}",
        "mean": "gemiddeld antwoord",
        "share_yes": "aandeel ja",
        "organisation": "hele organisatie",
        "no_trend": "geen groepen groot genoeg om te tonen",
    },
    Locale.EN: {
        "heatmap": "Conversation hours per manager per month",
        "hours": "hours",
        "manager": "manager",
        "month": "month",
        "types": "Conversations per type per month",
        "conversations": "conversations",
        "gaps": "Longest stretch without a conversation per employee",
        "gap_days": "longest stretch without a conversation (days)",
        "people": "employees",
        "target": "target: {days} days",
        "busiest": "Busiest weeks per manager",
        "week": "week",
        "nothing": "no conversations in this period",
        "health": "Conversations held and on time per period",
        "due": "due",
        "held": "held",
        "on_time": "on time (share)",
        "period": "period",
        "trend": "Mean answer per team: {question}",
        "mean": "mean answer",
        "share_yes": "share answering yes",
        "organisation": "whole organisation",
        "no_trend": "no group large enough to show",
    },
}


def _axes(ax: Axes | None, width: float, height: float) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # noqa: PLC0415 - only when a plot is drawn

    _figure, new = plt.subplots(figsize=(width, height), layout="constrained")
    return new


def _month_label(value: object, locale: Locale) -> str:
    stamp = pd.Timestamp(str(value))
    return f"{month_name(stamp.month, locale)[:3]} {stamp.year}"


def _hours_text(value: float) -> str:
    """A cell's hours: whole from 10 up, one decimal below, nothing for zero."""
    if not value:
        return ""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")


def _empty(ax: Axes, text: dict[str, str], title: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, text["nothing"], ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return ax


def plot_load_heatmap(
    simulation: Simulation, *, locale: Locale | str = Locale.NL, ax: Axes | None = None
) -> Axes:
    """Hours per manager (rows, by name) per month (columns), each cell with its number."""
    language = Locale(locale)
    text = _TEXT[language]
    months = load_per_manager(simulation, period="month", locale=language)
    grid = months.pivot_table(
        index="manager_name", columns="month_start", values="hours", aggfunc="sum", fill_value=0
    ).sort_index()
    ax = _axes(ax, 1.6 + 0.75 * max(len(grid.columns), 1), 1.2 + 0.35 * max(len(grid), 1))
    if grid.empty:
        return _empty(ax, text, text["heatmap"])
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="YlOrRd")
    ax.set_xticks(range(len(grid.columns)))
    ax.set_xticklabels(
        [_month_label(stamp, language) for stamp in grid.columns], rotation=45, ha="right"
    )
    ax.set_yticks(range(len(grid.index)))
    ax.set_yticklabels(list(grid.index))
    top = float(grid.to_numpy().max()) or 1.0
    for row, name in enumerate(grid.index):
        for column, month in enumerate(grid.columns):
            value = float(grid.loc[name, month])
            ax.text(
                column,
                row,
                _hours_text(value),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > top * 0.6 else "black",
            )
    ax.set_title(text["heatmap"])
    ax.set_xlabel(text["month"])
    ax.set_ylabel(text["manager"])
    ax.figure.colorbar(image, ax=ax, label=text["hours"])
    return ax


def plot_types_per_month(
    simulation: Simulation, *, locale: Locale | str = Locale.NL, ax: Axes | None = None
) -> Axes:
    """Conversations per month, stacked by type (labelled in ``locale``)."""
    language = Locale(locale)
    text = _TEXT[language]
    counts = load_per_type(simulation, locale=language)
    ax = _axes(ax, 10, 4.5)
    if counts.empty:
        return _empty(ax, text, text["types"])
    grid = counts.pivot_table(
        index="month_start",
        columns="type_label",
        values="conversations",
        aggfunc="sum",
        fill_value=0,
    ).sort_index()
    bottom = pd.Series(0, index=grid.index, dtype=float)
    positions = range(len(grid.index))
    for label in grid.columns:
        ax.bar(positions, grid[label], bottom=bottom, label=str(label))
        bottom = bottom + grid[label]
    ax.set_xticks(list(positions))
    ax.set_xticklabels(
        [_month_label(stamp, language) for stamp in grid.index], rotation=45, ha="right"
    )
    ax.set_title(text["types"])
    ax.set_ylabel(text["conversations"])
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def plot_coverage_gaps(
    simulation: Simulation,
    *,
    target_gap_days: int = DEFAULT_TARGET_GAP_DAYS,
    locale: Locale | str = Locale.NL,
    ax: Axes | None = None,
) -> Axes:
    """A histogram of each employee's longest gap, with the target as a line.

    People without a manager are left out (see :mod:`gesprekscyclus.analysis.coverage`).
    """
    language = Locale(locale)
    text = _TEXT[language]
    people = coverage_per_person(simulation, target_gap_days=target_gap_days, locale=language)
    gaps = people.loc[people["has_manager"], "longest_gap_days"]
    ax = _axes(ax, 8, 4.5)
    if gaps.empty:
        return _empty(ax, text, text["gaps"])
    ax.hist(gaps, bins=min(30, max(5, gaps.nunique())), color="tab:blue", edgecolor="white")
    ax.axvline(
        target_gap_days,
        color="tab:red",
        linestyle="--",
        label=text["target"].format(days=target_gap_days),
    )
    ax.set_title(text["gaps"])
    ax.set_xlabel(text["gap_days"])
    ax.set_ylabel(text["people"])
    ax.legend()
    return ax


def plot_busiest_weeks(
    simulation: Simulation,
    *,
    top: int = 10,
    locale: Locale | str = Locale.NL,
    ax: Axes | None = None,
) -> Axes:
    """The ``top`` busiest manager-weeks as horizontal bars of hours, busiest on top."""
    language = Locale(locale)
    text = _TEXT[language]
    weeks = busiest_weeks(simulation, top=top, locale=language)
    ax = _axes(ax, 8, 1.2 + 0.4 * max(len(weeks), 1))
    if weeks.empty:
        return _empty(ax, text, text["busiest"])
    labels = [
        f"{row.manager_name} · {text['week']} {row.iso_week} {row.iso_year}"
        for row in weeks.itertuples()
    ]
    ax.barh(range(len(weeks)), weeks["hours"], color="tab:orange")
    ax.set_yticks(range(len(weeks)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_title(text["busiest"])
    ax.set_xlabel(text["hours"])
    return ax


def _period_label(stamp: object, period: str, locale: Locale) -> str:
    day = pd.Timestamp(str(stamp))
    if period == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if period == "year":
        return str(day.year)
    return f"{month_name(day.month, locale)[:3]} {day.year}"


def _period_name(frame: pd.DataFrame) -> str:
    return "quarter" if "quarter" in frame.columns else "month" if "month" in frame else "year"


def plot_health_over_time(
    source: pd.DataFrame | ConversationService,
    *,
    period: str = "month",
    locale: Locale | str = Locale.NL,
    ax: Axes | None = None,
) -> Axes:
    """Bars of conversations due and held per period, and the on-time rate as a line on a
    second axis (0-1). ``source`` is a service (its store is read, per ``period``) or a
    table of :func:`~gesprekscyclus.analysis.cycle_health` with a period (its groups are
    added up)."""
    health = (
        source
        if isinstance(source, pd.DataFrame)
        else cycle_health(source, by=(), period=period, locale=locale)
    )
    language = Locale(locale)
    text = _TEXT[language]
    ax = _axes(ax, 10, 4.5)
    if health.empty or "period_start" not in health.columns:
        return _empty(ax, text, text["health"])
    totals = health.groupby("period_start")[["due", "held", "held_on_time"]].sum().sort_index()
    positions = list(range(len(totals)))
    ax.bar([p - 0.2 for p in positions], totals["due"], width=0.4, label=text["due"])
    ax.bar([p + 0.2 for p in positions], totals["held"], width=0.4, label=text["held"])
    period = _period_name(health)
    ax.set_xticks(positions)
    ax.set_xticklabels(
        [_period_label(stamp, period, language) for stamp in totals.index],
        rotation=45,
        ha="right",
    )
    ax.set_ylabel(text["conversations"])
    ax.set_xlabel(text["period"])
    rate = (totals["held_on_time"] / totals["due"]).where(totals["due"] > 0)
    right = ax.twinx()
    right.plot(positions, rate, color="black", marker="o", label=text["on_time"])
    right.set_ylim(0, 1.05)
    right.set_ylabel(text["on_time"])
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = right.get_legend_handles_labels()
    ax.legend(handles + more, labels + more_labels, fontsize=8, loc="upper left")
    ax.set_title(text["health"])
    return ax


def plot_signal_trends(
    source: pd.DataFrame | ConversationService,
    question: str,
    *,
    reader: str | None = None,
    label: str | None = None,
    locale: Locale | str = Locale.NL,
    ax: Axes | None = None,
) -> Axes:
    """One line per team of the mean answer to ``question`` per quarter (the whole
    organisation dashed). ``source`` is a service, read for ``reader`` (who must be the HR
    contact), or a table of :func:`~gesprekscyclus.analysis.answer_trends`; only the cells
    shown there are drawn. ``label`` names the question in the title (its key otherwise)."""
    if isinstance(source, pd.DataFrame):
        trends = source
    else:
        if reader is None:
            raise InvalidValueError("reader", "name who reads the trends (the HR contact)")
        trends = answer_trends(source, reader=reader, questions=(question,))
    language = Locale(locale)
    text = _TEXT[language]
    ax = _axes(ax, 10, 4.5)
    title = text["trend"].format(question=label or question)
    chosen = trends[trends["question_key"] == question] if not trends.empty else trends
    if chosen.empty:
        return _empty(ax, {"nothing": text["no_trend"]}, title)
    starts = sorted(chosen["period_start"].unique())
    where = {stamp: index for index, stamp in enumerate(starts)}
    for team, group in chosen.groupby("team", sort=True):
        rows = group.sort_values("period_start")
        organisation = team == "*"
        ax.plot(
            [where[stamp] for stamp in rows["period_start"]],
            rows["mean"],
            marker="o",
            linestyle="--" if organisation else "-",
            color="black" if organisation else None,
            label=text["organisation"] if organisation else str(team or "-"),
        )
    period = _period_name(chosen)
    ax.set_xticks(range(len(starts)))
    ax.set_xticklabels([_period_label(stamp, period, language) for stamp in starts])
    # the whole scale, so that a small move does not look like a large one
    if chosen["share_yes"].notna().all():
        ax.set_ylim(0, 1)
        ax.set_ylabel(text["share_yes"])
    else:
        low, high = float(chosen["mean"].min()), float(chosen["mean"].max())
        ax.set_ylim(min(1.0, low), max(5.0, high))
        ax.set_ylabel(text["mean"])
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
