"""Simulation tables: load per manager and week, counts per type and month, coverage."""

from __future__ import annotations

from collections import Counter
from datetime import date

import attrs
from hypothesis import HealthCheck, given, settings

from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.planner import plan
from gesprekscyclus.planning.simulation import (
    compare,
    counts_per_type_per_month,
    coverage,
    load_per_manager_per_week,
    manager_led,
    simulate,
)

from .test_planner_properties import designs, horizons, organisations

START, END = date(2026, 1, 1), date(2026, 6, 30)
PEOPLE = [
    Person(id="boss", name="Bo", hire_date=date(2010, 1, 1)),
    Person(id="m", name="Mia", hire_date=date(2012, 1, 1), manager_id="boss"),
    Person(id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m"),
    Person(id="late", name="Lex", hire_date=date(2026, 5, 4), manager_id="m"),
    Person(id="gone", name="Gus", hire_date=date(2015, 1, 1), end_date=date(2025, 12, 31)),
]
MONTHLY = TypeRule(
    type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
)
REVIEW = TypeRule(
    type="growth_review",
    cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3, day=3),),
)
DESIGN = CycleDesign(name="d", cycle_start=START, types=(MONTHLY, REVIEW))


def test_load_uses_the_catalog_durations_per_manager_and_iso_week() -> None:
    result = plan(DESIGN, PEOPLE, start=START, end=END)
    rows = load_per_manager_per_week(result)
    march = [row for row in rows if row["iso_week"] == 10]
    # 2 March a check-in (30 minutes) and 3 March a growth review (60) for Eva and for Mia.
    assert march == [
        {"manager_id": "boss", "iso_year": 2026, "iso_week": 10, "conversations": 2, "minutes": 90},
        {"manager_id": "m", "iso_year": 2026, "iso_week": 10, "conversations": 2, "minutes": 90},
    ]
    assert rows == sorted(rows, key=lambda r: (r["manager_id"], r["iso_year"], r["iso_week"]))
    catalog = built_in_catalog()
    shorter = catalog.with_type(attrs.evolve(catalog.type("check_in"), duration_minutes=15))
    cheaper = load_per_manager_per_week(result, shorter)
    assert sum(r["minutes"] for r in cheaper) < sum(r["minutes"] for r in rows)


def test_counts_per_type_per_month() -> None:
    rows = counts_per_type_per_month(plan(DESIGN, PEOPLE, start=START, end=END))
    by_key = {(r["month"], r["type_key"]): r["conversations"] for r in rows}
    assert by_key[1, "check_in"] == 2  # Eva and Mia
    assert by_key[3, "growth_review"] == 2
    assert by_key[5, "check_in"] == 2
    assert by_key[6, "check_in"] == 3  # Lex joined in May
    assert all(r["year"] == 2026 for r in rows)


def test_coverage_counts_gaps_to_the_horizon_edges_within_the_employment() -> None:
    rows = {
        r["employee_id"]: r for r in coverage(plan(DESIGN, PEOPLE, start=START, end=END), PEOPLE)
    }
    assert "gone" not in rows  # not employed during the horizon
    assert rows["boss"] == {
        "employee_id": "boss",
        "has_manager": False,
        "conversations": 0,
        "longest_gap_days": (END - START).days,
        "types": [],
    }
    assert rows["e"]["types"] == ["check_in", "growth_review"]
    assert rows["e"]["conversations"] == 7
    # Lex: hired 4 May, first check-in 1 June (28 days), horizon ends 30 June (29 days).
    assert rows["late"]["longest_gap_days"] == 29
    assert rows["late"]["conversations"] == 1


def test_simulate_and_compare_report_side_by_side() -> None:
    quarterly = TypeRule(
        type="check_in", cadence=(Interval(every=3, unit="months", anchor="cycle_start"),)
    )
    lighter = CycleDesign(name="light", cycle_start=START, types=(quarterly, REVIEW))
    simulation = simulate(DESIGN, PEOPLE, start=START, end=END)
    summary = simulation.summary()
    assert summary["conversations"] == len(simulation.plan.conversations) == 15
    assert summary["people_without_conversation"] == 0  # the boss has no manager: not counted
    assert summary["minutes"] == sum(r["minutes"] for r in simulation.load)
    side_by_side = compare(DESIGN, lighter, PEOPLE, start=START, end=END)
    table = {row["measure"]: row for row in side_by_side.rows()}
    assert table["conversations"]["a"] == 15
    assert table["conversations"]["difference"] == table["conversations"]["b"] - 15
    assert table["conversations"]["b"] < table["conversations"]["a"]
    assert table["minutes"]["difference"] < 0
    assert not hasattr(side_by_side, "diff")  # occurrence matching means nothing across designs


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(capacity=True), organisations(), horizons)
def test_tables_add_up_to_the_plan(design, org, horizon) -> None:  # type: ignore[no-untyped-def]
    people, events = org
    result = simulate(design, people, events, start=horizon[0], end=horizon[1])
    total = len(result.plan.conversations)
    assert sum(r["conversations"] for r in result.counts) == total
    led = manager_led(result.catalog)
    with_manager = sum(
        1 for c in result.plan.conversations if c.manager_id is not None and c.type_key in led
    )
    assert sum(r["conversations"] for r in result.load) == with_manager
    assert sum(r["conversations"] for r in result.coverage) <= total
    per_person = Counter(c.employee_id for c in result.plan.conversations)
    for row in result.coverage:
        assert row["conversations"] == per_person[row["employee_id"]]
        assert row["longest_gap_days"] >= 0 or row["conversations"]
    assert set(result.summary()) == {
        row["measure"]
        for row in compare(design, design, people, events, start=horizon[0], end=horizon[1]).rows()
    }


def test_the_tables_count_only_the_horizon_and_add_up_over_parts() -> None:
    # "preceding" moves 1 January 2027 (New Year's Day) back to 31 December 2026.
    rule = attrs.evolve(MONTHLY, convention="preceding")
    design = CycleDesign(name="d", cycle_start=START, types=(rule,))
    year = simulate(design, PEOPLE, start=date(2027, 1, 1), end=date(2027, 12, 31))
    # January, May and August 2027 begin on a holiday or a weekend: their check-ins are
    # held the month before, and January's belongs to 2026.
    assert {(row["year"], row["month"]) for row in year.counts} == {
        (2027, month) for month in range(1, 13) if month not in (1, 5, 8)
    }
    assert all(row["iso_year"] in (2026, 2027) for row in year.load)  # ISO week 53 of 2026
    halves = [
        simulate(design, PEOPLE, start=date(2027, 1, 1), end=date(2027, 6, 30)),
        simulate(design, PEOPLE, start=date(2027, 7, 1), end=date(2027, 12, 31)),
    ]
    assert sum(row["conversations"] for part in halves for row in part.counts) == sum(
        row["conversations"] for row in year.counts
    )
    december = simulate(design, PEOPLE, start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert sum(row["conversations"] for row in december.counts) == 2 * 3  # m, e, late
