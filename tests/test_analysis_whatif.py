"""What-ifs in one call: no holidays, everyone full-time, a team split, another capacity."""

from __future__ import annotations

from datetime import date

import pytest

from gesprekscyclus import analysis
from gesprekscyclus.domain.calendar import Closure, WorkingCalendar
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.errors import InvalidValueError, NotFoundError

from .test_analysis_frames import reference_year


def reasons(simulation) -> set[str]:  # type: ignore[no-untyped-def]
    return {reason for c in simulation.plan.conversations for reason in c.moved_by}


def test_a_calendar_without_country_has_no_holidays_but_keeps_closures() -> None:
    calendar = WorkingCalendar(
        country=None, closures=(Closure(date(2027, 7, 1), date(2027, 7, 2), "Uitje"),)
    )
    assert calendar.holidays(2027) == {}
    assert calendar.is_working_day(date(2027, 1, 1))  # New Year's Day
    assert not calendar.is_working_day(date(2027, 7, 1))


def test_without_holidays_nothing_moves_for_a_holiday() -> None:
    year = reference_year()
    assert "holiday" in reasons(year)
    bare = analysis.without_holidays(year)
    assert "holiday" not in reasons(bare)
    assert bare.design.calendar.country is None
    assert bare.design.calendar.closures == year.design.calendar.closures
    assert bare.plan.start == year.plan.start
    assert bare.plan.end == year.plan.end
    none_at_all = analysis.without_holidays(year, keep_closures=False)
    assert not {"holiday", "closure"} & reasons(none_at_all)


def test_everyone_full_time_removes_the_part_time_moves() -> None:
    year = reference_year()
    assert "part_time" in reasons(year)
    full = analysis.everyone_full_time(year)
    assert "part_time" not in reasons(full)
    assert {p.working_pattern for p in full.people} == {WorkingPattern()}


def test_with_capacity_changes_or_lifts_the_limit() -> None:
    year = reference_year()
    assert "capacity" in reasons(year)
    unlimited = analysis.with_capacity(year)
    assert unlimited.design.capacity is None
    assert "capacity" not in reasons(unlimited)
    tighter = analysis.with_capacity(year, per_day=1)
    assert tighter.design.capacity is not None
    assert tighter.design.capacity.per_day == 1
    assert tighter.design.capacity.per_week == year.design.capacity.per_week  # type: ignore[union-attr]
    moved = sum("capacity" in c.moved_by for c in tighter.plan.conversations)
    assert moved > sum("capacity" in c.moved_by for c in year.plan.conversations)


def test_splitting_a_team_moves_half_of_the_load_to_a_new_manager() -> None:
    year = reference_year()
    team = sorted(p.id for p in year.people if p.manager_id == "m-02")
    split = analysis.split_team(year, "m-02")
    new = {p.id: p for p in split.people}["m-02-2"]
    assert new.name.endswith("(2)")
    assert new.manager_id == {p.id: p for p in year.people}["m-02"].manager_id
    moved = sorted(p.id for p in split.people if p.manager_id == "m-02-2")
    assert moved == team[len(team) // 2 :]
    managers = analysis.compare_per_manager(year, split).set_index("manager_id")
    assert managers.loc["m-02-2", "conversations_a"] == 0
    assert managers.loc["m-02-2", "conversations_b"] > 0
    assert managers.loc["m-02", "conversations_difference"] < 0


def test_splitting_to_someone_named_with_chosen_members() -> None:
    year = reference_year()
    team = sorted(p.id for p in year.people if p.manager_id == "m-02")
    lead = Person(id="lead", name="Lot Leider", hire_date=date(2027, 1, 1), manager_id="d-01")
    split = analysis.split_team(year, "m-02", new_manager=lead, members=team[:1])
    assert [p.id for p in split.people if p.manager_id == "lead"] == team[:1]
    with pytest.raises(InvalidValueError, match="does not report to 'm-02'"):
        analysis.split_team(year, "m-02", members=["d-01"])
    with pytest.raises(NotFoundError):
        analysis.split_team(year, "nobody")
    with pytest.raises(InvalidValueError, match="has nobody reporting"):
        analysis.split_team(year, team[0])
