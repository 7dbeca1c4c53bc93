"""Coverage per person and per type; the top of the organisation is flagged, not uncovered."""

from __future__ import annotations

import pandas as pd
import pytest

from gesprekscyclus import analysis
from gesprekscyclus.analysis.coverage import rhythm_gap_days
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.simulation import simulate

from .test_analysis_frames import PEOPLE, reference_year, small_design


def test_people_without_a_manager_are_flagged_and_left_out_of_the_target() -> None:
    year = simulate(small_design(), PEOPLE, start="2026-01-01", end="2026-06-30")
    people = analysis.coverage_per_person(year, target_gap_days=40).set_index("employee_id")
    assert not people.loc["boss", "has_manager"]
    assert people.loc["boss", "within_target"] is pd.NA
    assert people.loc["boss", "conversations"] == 0
    assert people.loc["e", "has_manager"]
    assert bool(people.loc["e", "within_target"])
    assert people.loc["e", "types"] == "check_in, growth_review"
    assert people.loc["e", "manager_name"] == "Mia Manager"
    tight = analysis.coverage_per_person(year, target_gap_days=10).set_index("employee_id")
    assert not bool(tight.loc["e", "within_target"])
    assert year.summary()["people_without_conversation"] == 0


def test_per_type_counts_only_the_people_a_type_is_for() -> None:
    year = simulate(small_design(), PEOPLE, start="2026-01-01", end="2026-12-31")
    types = analysis.coverage_per_type(year, locale="en").set_index("type_key")
    # Three people have a manager; the boss is not counted for manager-led types.
    assert types.loc["check_in", "people"] == 3
    assert types.loc["check_in", "people_with_conversation"] == 3
    assert types.loc["check_in", "target_gap_days"] == rhythm_gap_days(year.design.rule("check_in"))
    assert types.loc["check_in", "share_within_target"] == 1.0
    assert types.loc["growth_review", "type_label"] == "Growth review"
    strict = analysis.coverage_per_type(year, target_gap_days={"check_in": 20})
    strict = strict.set_index("type_key")
    assert strict.loc["check_in", "share_within_target"] == 0.0
    assert pd.isna(strict.loc["growth_review", "share_within_target"])


def test_event_driven_types_are_not_given_a_coverage() -> None:
    types = analysis.coverage_per_type(reference_year())
    assert "exit_interview" not in set(types["type_key"])
    assert "check_in" in set(types["type_key"])
    assert (types["people"] > 0).all()


@pytest.mark.parametrize("bad", [-1, 2.5, "90", True])
def test_a_target_gap_must_be_whole_days(bad: object) -> None:
    with pytest.raises(InvalidValueError, match="target_gap_days"):
        analysis.coverage_per_person(reference_year(), target_gap_days=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="target_gap_days"):
        analysis.coverage_per_type(reference_year(), target_gap_days={"check_in": bad})  # type: ignore[dict-item]
