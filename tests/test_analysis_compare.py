"""Comparing two designs per employee and type and per manager, not by occurrence number."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from gesprekscyclus import analysis
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.simulation import compare

from .test_analysis_frames import PEOPLE, small_design
from .test_planner_properties import designs, horizons, organisations


def six_weekly():  # type: ignore[no-untyped-def]
    design = small_design()
    rhythm = Interval(every=6, unit="weeks", anchor="cycle_start")
    types = tuple(
        attrs.evolve(rule, cadence=(rhythm,)) if rule.type == "check_in" else rule
        for rule in design.types
    )
    return attrs.evolve(design, name="six-weekly", types=types)


def side_by_side():  # type: ignore[no-untyped-def]
    return compare(
        small_design(), six_weekly(), PEOPLE, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )


def test_per_employee_and_type_counts_and_gaps_side_by_side() -> None:
    rows = analysis.compare_per_employee(side_by_side(), locale="en")
    eva = rows[(rows["employee_id"] == "e") & (rows["type_key"] == "check_in")].iloc[0]
    assert (eva.conversations_a, eva.conversations_b) == (12, 9)
    assert eva.conversations_difference == -3
    assert eva.longest_gap_days_b > eva.longest_gap_days_a
    assert eva.longest_gap_days_difference == eva.longest_gap_days_b - eva.longest_gap_days_a
    assert (eva.employee_name, eva.manager_name, eva.type_label) == (
        "Eva",
        "Mia Manager",
        "Check-in",
    )
    reviews = rows[rows["type_key"] == "growth_review"]
    assert (reviews["conversations_difference"] == 0).all()
    assert not any("moved" in column or column == "days" for column in rows.columns)


def test_per_manager_load_side_by_side() -> None:
    comparison = side_by_side()
    managers = analysis.compare_per_manager(comparison).set_index("manager_id")
    mia = managers.loc["m"]
    assert (mia.conversations_a, mia.conversations_b) == (24 + 2, 18 + 2)
    assert mia.hours_difference == pytest.approx(-3.0)  # six check-ins of 30 minutes fewer
    assert managers["conversations_a"].sum() == sum(r["conversations"] for r in comparison.a.load)


def test_the_summary_is_the_headline_rows() -> None:
    comparison = side_by_side()
    summary = analysis.compare_summary(comparison)
    assert summary.to_dict(orient="records") == comparison.rows()
    assert analysis.compare_summary(comparison.a, comparison.b).equals(summary)


def test_a_comparison_or_two_simulations_but_not_both() -> None:
    comparison = side_by_side()
    with pytest.raises(InvalidValueError, match="give a Comparison alone"):
        analysis.compare_per_manager(comparison, comparison.b)
    with pytest.raises(InvalidValueError, match="second Simulation is missing"):
        analysis.compare_per_employee(comparison.a)


def test_a_type_missing_on_one_side_counts_zero_with_the_whole_horizon_as_gap() -> None:
    design = small_design()
    no_reviews = attrs.evolve(design, types=design.types[:1])
    comparison = compare(design, no_reviews, PEOPLE, start=date(2026, 1, 1), end=date(2026, 12, 31))
    rows = analysis.compare_per_employee(comparison)
    review = rows[(rows["employee_id"] == "f") & (rows["type_key"] == "growth_review")].iloc[0]
    assert (review.conversations_a, review.conversations_b) == (1, 0)
    assert review.longest_gap_days_b == (date(2026, 12, 31) - date(2026, 1, 1)).days


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(capacity=True), organisations(), horizons)
def test_a_design_compared_with_itself_differs_nowhere(design, org, horizon) -> None:  # type: ignore[no-untyped-def]
    people, events = org
    both = compare(design, design, people, events, start=horizon[0], end=horizon[1])
    per_employee = analysis.compare_per_employee(both)
    per_manager = analysis.compare_per_manager(both)
    for table in (per_employee, per_manager):
        differences = [column for column in table.columns if column.endswith("_difference")]
        assert (table[differences] == 0).all().all()
    assert per_employee["conversations_a"].sum() == len(both.a.plan.conversations)
    assert per_manager["conversations_a"].sum() == sum(r["conversations"] for r in both.a.load)
    people_seen = analysis.coverage_per_person(both.a)
    assert people_seen["within_target"].isna().tolist() == (~people_seen["has_manager"]).tolist()
