"""The plan as a DataFrame, and the one column vocabulary every table shares."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import gesprekscyclus
from gesprekscyclus import analysis
from gesprekscyclus.analysis.frames import PLAN_COLUMNS, SKIPPED_COLUMNS
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.examples import load_reference
from gesprekscyclus.planning.columns import COLUMNS
from gesprekscyclus.planning.design import CycleDesign, DropNear, TypeRule
from gesprekscyclus.planning.simulation import Simulation, compare, simulate

DOCS = Path(__file__).resolve().parent.parent / "docs" / "analysis.md"


@cache
def reference_year() -> Simulation:
    """The reference organisation's design over 2027."""
    design, people, events = load_reference()
    return simulate(design, people, events, start="2027-01-01", end="2027-12-31")


def small_design(months: int = 1, **changes: object) -> CycleDesign:
    rhythm = Interval(every=months, unit="months", anchor="cycle_start")
    review = Interval(every=1, unit="years", anchor="fixed_month", month=3, day=3)
    return CycleDesign(
        name=f"every {months}",
        cycle_start=date(2026, 1, 1),
        types=(
            TypeRule(type="check_in", cadence=(rhythm,)),
            TypeRule(type="growth_review", cadence=(review,)),
        ),
        **changes,  # type: ignore[arg-type]
    )


PEOPLE = (
    Person(id="boss", name="Bo Baas", hire_date=date(2010, 1, 1)),
    Person(id="m", name="Mia Manager", hire_date=date(2012, 1, 1), manager_id="boss"),
    Person(id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m", team="sales"),
    Person(id="f", name="Finn", hire_date=date(2020, 1, 6), manager_id="m"),
)


def test_one_row_per_conversation_with_names_labels_minutes_and_version() -> None:
    year = simulate(small_design(version=4), PEOPLE, start="2026-01-01", end="2026-06-30")
    frame = analysis.plan_frame(year, locale="en")
    assert tuple(frame.columns) == PLAN_COLUMNS
    assert len(frame) == len(year.plan.conversations)
    assert frame["id"].tolist() == [c.id for c in year.plan.conversations]
    eva = frame[frame["employee_id"] == "e"].iloc[0]
    assert (eva.employee_name, eva.team, eva.manager_id, eva.manager_name) == (
        "Eva",
        "sales",
        "m",
        "Mia Manager",
    )
    assert set(frame["type_label"]) == {"Check-in", "Growth review"}
    assert set(analysis.plan_frame(year)["type_label"]) == {"Check-in", "Groeigesprek"}
    assert frame.loc[frame["type_key"] == "check_in", "minutes"].unique().tolist() == [30]
    assert frame["design_version"].unique().tolist() == [4]
    for column in ("nominal", "earliest", "target", "latest"):
        assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
    first = frame.iloc[0]  # 1 January is New Year's Day
    assert (first.nominal.date(), first.target.date(), first.moved_by) == (
        date(2026, 1, 1),
        date(2026, 1, 2),
        "holiday",
    )
    assert (frame["moved_by"] == "").sum() > 0


def test_the_skipped_frame_gives_each_reason() -> None:
    design = small_design(
        interactions=(DropNear(drop="check_in", near="growth_review", within_days=5),)
    )
    year = simulate(design, PEOPLE, start="2026-01-01", end="2026-06-30")
    skipped = analysis.skipped_frame(year, locale="en")
    assert tuple(skipped.columns) == SKIPPED_COLUMNS
    assert len(skipped) == len(year.plan.skipped) > 0
    assert set(skipped["reason"]) == {"within 5 days of a growth_review"}
    assert set(skipped["type_label"]) == {"Check-in"}


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidValueError, match="allowed: nl, en"):
        analysis.plan_frame(reference_year(), locale="fr")


def _every_table() -> dict[str, pd.DataFrame]:
    year = reference_year()
    other = analysis.with_capacity(year)
    tables = {
        "plan_frame": analysis.plan_frame(year),
        "skipped_frame": analysis.skipped_frame(year),
        "load_per_manager week": analysis.load_per_manager(year),
        "load_per_manager month": analysis.load_per_manager(year, period="month"),
        "load_per_type": analysis.load_per_type(year),
        "busiest_weeks": analysis.busiest_weeks(year),
        "coverage_per_person": analysis.coverage_per_person(year),
        "coverage_per_type": analysis.coverage_per_type(year),
        "compare_per_employee": analysis.compare_per_employee(year, other),
        "compare_per_manager": analysis.compare_per_manager(year, other),
        "compare_summary": analysis.compare_summary(year, other),
    }
    core = compare(
        year.design,
        other.design,
        year.people,
        year.events,
        start=date(2027, 1, 1),
        end=date(2027, 3, 31),
    )
    tables["Simulation.load"] = pd.DataFrame(year.load)
    tables["Simulation.counts"] = pd.DataFrame(year.counts)
    tables["Simulation.coverage"] = pd.DataFrame(year.coverage)
    tables["Comparison.rows"] = pd.DataFrame(core.rows())
    return tables


def _base(column: str) -> str:
    for suffix in ("_difference", "_a", "_b"):
        if column.endswith(suffix) and column.removesuffix(suffix) in COLUMNS:
            return column.removesuffix(suffix)
    return column


def test_every_table_uses_only_the_documented_vocabulary() -> None:
    for name, table in _every_table().items():
        unknown = [column for column in table.columns if _base(column) not in COLUMNS]
        assert not unknown, f"{name}: {unknown}"
        assert not {"person", "type", "manager"} & set(table.columns), name


def test_the_analysis_guide_documents_every_column() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))
    assert set(COLUMNS) <= documented, sorted(set(COLUMNS) - documented)


def test_the_package_lists_exactly_the_analysis_names_it_loads_on_first_use() -> None:
    # The top-level package keeps its own copy of the names so that importing it never
    # imports pandas; this keeps the two lists from drifting apart.
    assert frozenset(analysis.__all__) == gesprekscyclus._ANALYSIS
    for name in analysis.__all__:
        assert getattr(gesprekscyclus, name) is getattr(analysis, name)
