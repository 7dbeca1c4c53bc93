"""Load per manager per week and month, per type per month, and the busiest weeks."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from gesprekscyclus import analysis
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.simulation import simulate

from .test_analysis_frames import PEOPLE, reference_year, small_design
from .test_planner_properties import designs, horizons, organisations


def test_weeks_and_months_count_the_same_conversations_and_hours() -> None:
    year = reference_year()
    weeks = analysis.load_per_manager(year)
    months = analysis.load_per_manager(year, period="month")
    assert weeks["conversations"].sum() == months["conversations"].sum()
    assert weeks["minutes"].sum() == months["minutes"].sum()
    assert (weeks["hours"] * 60 == weeks["minutes"]).all()
    assert set(months["month"]) == set(range(1, 13))
    assert (months["month_start"].dt.day == 1).all()
    assert (weeks["week_start"].dt.day_of_week == 0).all()  # Mondays
    named = dict(zip(months["manager_id"], months["manager_name"], strict=False))
    assert named["d-01"] == "Ingrid Verhoeven"


def test_an_exit_interview_held_by_hr_is_not_the_managers_load() -> None:
    year = reference_year()
    frame = analysis.plan_frame(year)
    exits = frame[frame["type_key"] == "exit_interview"]
    assert len(exits) > 0
    led = analysis.load_per_manager(year)["conversations"].sum()
    assert led == len(frame) - len(exits) - (frame["manager_id"].isna()).sum()


def test_per_type_per_month_adds_up_to_the_plan() -> None:
    year = simulate(small_design(), PEOPLE, start="2026-01-01", end="2026-06-30")
    per_type = analysis.load_per_type(year, locale="en")
    assert per_type["conversations"].sum() == len(year.plan.conversations)
    march = per_type[(per_type["month"] == 3) & (per_type["type_key"] == "growth_review")]
    assert march[["type_label", "conversations", "hours"]].values.tolist() == [
        ["Growth review", 3, 3.0]
    ]


def test_busiest_weeks_are_ranked_and_bounded() -> None:
    weeks = analysis.busiest_weeks(reference_year(), top=5)
    assert weeks["rank"].tolist() == [1, 2, 3, 4, 5]
    assert weeks["minutes"].is_monotonic_decreasing
    everything = analysis.load_per_manager(reference_year())
    assert weeks["minutes"].iloc[0] == everything["minutes"].max()
    for bad in (0, -1, 2.5, True):
        with pytest.raises(InvalidValueError, match="top"):
            analysis.busiest_weeks(reference_year(), top=bad)  # type: ignore[arg-type]


def test_an_unknown_period_names_the_choices() -> None:
    with pytest.raises(InvalidValueError, match=r"period: unknown period 'day' \(allowed: week, "):
        analysis.load_per_manager(reference_year(), period="day")  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(capacity=True), organisations(), horizons)
def test_the_weekly_frame_equals_the_plain_simulation_table(design, org, horizon) -> None:  # type: ignore[no-untyped-def]
    people, events = org
    result = simulate(design, people, events, start=horizon[0], end=horizon[1])
    frame = analysis.load_per_manager(result)
    plain = pd.DataFrame(
        result.load, columns=["manager_id", "iso_year", "iso_week", "conversations", "minutes"]
    )
    mine = frame[["manager_id", "iso_year", "iso_week", "conversations", "minutes"]]
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), plain.astype(mine.dtypes.to_dict()), check_dtype=False
    )
    counts = analysis.load_per_type(result)
    assert counts["conversations"].sum() == len(result.plan.conversations)
