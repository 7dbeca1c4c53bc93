"""The reference example: it validates, and a year's plan has the properties the design promises."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise

import pytest

from gesprekscyclus.domain.absence import absence_cases, periods_from_events
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.design_file import design_problems, load_design, validate_design
from gesprekscyclus.planning.people_file import read_events, read_people
from gesprekscyclus.planning.planner import Plan, PlannedConversation, plan

EXAMPLES = directory()
START, END = date(2027, 1, 1), date(2027, 12, 31)


@pytest.fixture(scope="module")
def design() -> CycleDesign:
    return load_design(EXAMPLES / "reference-design.toml")


@pytest.fixture(scope="module")
def people() -> tuple[Person, ...]:
    return read_people(EXAMPLES / "people.csv")


@pytest.fixture(scope="module")
def events(people: tuple[Person, ...]) -> tuple[LifeEvent, ...]:
    return read_events(EXAMPLES / "events.csv", people=people)


@pytest.fixture(scope="module")
def year(design: CycleDesign, people: tuple[Person, ...], events: tuple[LifeEvent, ...]) -> Plan:
    return plan(design, people, events, start=START, end=END)


def of(result: Plan, person_id: str, type_key: str | None = None) -> list[PlannedConversation]:
    return [
        c
        for c in result.conversations
        if c.employee_id == person_id and (type_key is None or c.type_key == type_key)
    ]


def test_the_examples_are_valid(design: CycleDesign, people: tuple[Person, ...]) -> None:
    assert validate_design(EXAMPLES / "reference-design.toml") == []
    assert design_problems(design) == []
    assert set(design.type_keys) == set(built_in_catalog().keys())
    assert 55 <= len(people) <= 70
    managers = {p.manager_id for p in people if p.manager_id is not None}
    assert len(managers) == 9  # eight team managers and the director above them
    assert any(p.id in managers and len(p.working_pattern.weekdays) < 5 for p in people)
    assert any(p.id not in managers and len(p.working_pattern.weekdays) < 5 for p in people)
    assert {p.locale.value for p in people} == {"nl", "en"}
    assert any(p.hire_date == date(2024, 2, 29) for p in people)


def test_a_year_plans_without_capacity_conflicts(year: Plan, design: CycleDesign) -> None:
    assert year.conflicts == ()
    assert design.capacity is not None
    manager_led = {
        key
        for key in built_in_catalog().keys()  # noqa: SIM118 - a Catalog is not a dict
        if Role.MANAGER in built_in_catalog().type(key).participants
    }
    per_day: Counter[tuple[str, date]] = Counter()
    per_week: Counter[tuple[str, tuple[int, int]]] = Counter()
    for c in year.conversations:
        if c.manager_id is not None and c.type_key in manager_led:
            per_day[c.manager_id, c.target] += 1
            per_week[c.manager_id, c.target.isocalendar()[:2]] += 1
    assert max(per_day.values()) <= design.capacity.per_day
    assert max(per_week.values()) <= design.capacity.per_week


def test_planning_is_repeatable(
    year: Plan, design: CycleDesign, people: tuple[Person, ...], events: tuple[LifeEvent, ...]
) -> None:
    assert plan(design, people, events, start=START, end=END) == year
    reversed_input = plan(design, people[::-1], events[::-1], start=START, end=END)
    assert reversed_input == year


def test_every_employee_in_service_gets_a_growth_review(
    year: Plan, people: tuple[Person, ...]
) -> None:
    march = date(2027, 3, 1)
    expected = {p.id for p in people if p.manager_id is not None and p.hire_date <= march}
    sick = {"e-16"}  # on sick leave all of March: the review is paused, not lost
    reviewed = Counter(c.employee_id for c in year.conversations if c.type_key == "growth_review")
    assert set(reviewed) == expected - sick
    assert set(reviewed.values()) == {1}
    assert all(c.target.month == 3 for c in year.conversations if c.type_key == "growth_review")
    (paused,) = [
        s for s in year.skipped if s.employee_id == "e-16" and s.type_key == "growth_review"
    ]
    assert paused.reason == "paused while an absence case is open"


def test_check_ins_near_a_growth_review_are_dropped(year: Plan) -> None:
    dropped = [s for s in year.skipped if s.reason == "within 14 days of a growth_review"]
    assert dropped
    assert {s.type_key for s in dropped} == {"check_in"}
    reviews = {c.employee_id: c.target for c in year.conversations if c.type_key == "growth_review"}
    for c in year.conversations:
        if c.type_key == "check_in" and c.employee_id in reviews:
            # Dropping compares targets before capacity levelling, so allow the levelled shift.
            assert abs((c.nominal - reviews[c.employee_id]).days) > 7


def test_conversations_fall_on_days_both_people_work(
    year: Plan, people: tuple[Person, ...], design: CycleDesign
) -> None:
    by_id = {p.id: p for p in people}
    catalog = built_in_catalog()
    checked_part_timers = 0
    for c in year.conversations:
        employee = by_id[c.employee_id]
        patterns = [employee.working_pattern]
        if c.manager_id is not None and Role.MANAGER in catalog.type(c.type_key).participants:
            patterns.append(by_id[c.manager_id].working_pattern)
        assert design.calendar.is_working_day(c.target, *patterns), c
        assert c.earliest <= c.target <= c.latest
        if any(len(pattern.weekdays) < 5 for pattern in patterns):
            checked_part_timers += 1
    assert checked_part_timers > 100


def test_no_conversation_on_closures_or_the_bridge_day(year: Plan) -> None:
    closed = {date(2027, 5, 7)} | {date(2027, 12, 27) + timedelta(days=n) for n in range(5)}
    holidays = {
        date(2027, 1, 1),
        date(2027, 4, 27),
        date(2027, 5, 6),
        date(2027, 12, 24) + timedelta(1),
    }
    assert not [c for c in year.conversations if c.target in closed | holidays]


def test_the_leaver_gets_an_exit_interview_and_nothing_after_the_last_day(year: Plan) -> None:
    last_day, notice = date(2027, 6, 30), date(2027, 4, 30)
    (exit_interview,) = of(year, "e-01", "exit_interview")
    assert exit_interview.target == date(2027, 6, 23)  # five working days before
    assert exit_interview.manager_id == "m-01"
    for c in of(year, "e-01"):
        assert c.latest <= last_day
        assert c.type_key == "exit_interview" or c.nominal < notice
    after_notice = [s for s in year.skipped if s.employee_id == "e-01"]
    assert after_notice
    notice_reason = "notice given: only the after-notice types remain"
    assert {s.nominal >= notice for s in after_notice if s.reason == notice_reason} == {True}
    assert all(s.reason == notice_reason for s in after_notice if s.nominal >= notice)


def test_a_fixed_term_contract_ending_gets_an_exit_interview(year: Plan) -> None:
    (exit_interview,) = of(year, "e-18", "exit_interview")
    assert exit_interview.target == date(2027, 8, 24)
    assert max(c.latest for c in of(year, "e-18")) <= date(2027, 8, 31)


def test_the_samentelling_case_moves_its_milestones(
    year: Plan, events: tuple[LifeEvent, ...]
) -> None:
    (case,) = absence_cases(periods_from_events([e for e in events if e.person_id == "e-16"]))
    assert case.gaps == (21,)
    first_day, gap = date(2026, 11, 2), timedelta(days=21)

    def end_of_week(week: int) -> date:
        return first_day + timedelta(days=7 * week - 1) + gap

    milestones = {c.milestone: c for c in of(year, "e-16", "absence")}
    assert milestones["plan_of_action"].latest == end_of_week(8)
    assert milestones["first_year_evaluation"].latest == end_of_week(52)
    assert milestones["first_year_evaluation"].earliest == end_of_week(45) + timedelta(days=1)
    progress = sorted(c.latest for key, c in milestones.items() if key.startswith("progress_"))
    assert {(later - earlier).days for earlier, later in pairwise(progress)} == {42}
    obligations = {
        o.milestone.key: o.milestone.due for o in year.obligations if o.employee_id == "e-16"
    }
    assert obligations["uwv_week_42_report"] == end_of_week(42) + timedelta(days=1)
    assert obligations["uwv_week_42_report"] == date(2027, 9, 13)
    for key in ("growth_review", "appraisal", "development"):
        assert not of(year, "e-16", key)
        assert any(s.type_key == key for s in year.skipped if s.employee_id == "e-16")


def test_the_third_sick_report_leads_to_a_frequent_absence_conversation(year: Plan) -> None:
    (frequent,) = [c for c in of(year, "e-24", "absence") if c.origin == "cadence"]
    assert frequent.occurrence.endswith("trigger:2027-04-12")
    assert frequent.nominal == date(2027, 4, 18)  # three days after the recovery on 15 April
    assert frequent.target == date(2027, 4, 19)  # a Sunday, moved to the following Monday


def test_the_leap_day_hire_follows_their_policy(year: Plan, people: tuple[Person, ...]) -> None:
    (leap,) = [p for p in people if p.hire_date == date(2024, 2, 29)]
    assert leap.leap_day_policy.value == "mar1"
    (anniversary,) = [c for c in of(year, leap.id, "stay_interview") if c.occurrence.endswith("y3")]
    assert anniversary.nominal == date(2027, 3, 1)


def test_new_hires_get_three_onboarding_conversations(
    year: Plan, people: tuple[Person, ...]
) -> None:
    onboarding: dict[str, list[date]] = defaultdict(list)
    for c in year.conversations:
        if c.type_key == "onboarding":
            onboarding[c.employee_id].append(c.nominal)
    new_hires = {p.id: p.hire_date for p in people if p.hire_date.year == 2027}
    assert set(onboarding) == set(new_hires)
    for person_id, hired in new_hires.items():
        assert sorted(onboarding[person_id]) == [hired + timedelta(days=n) for n in (30, 60, 90)]


def test_appraisals_only_for_permanent_and_fixed_term_staff(
    year: Plan, people: tuple[Person, ...]
) -> None:
    contracts = {p.id: p.contract for p in people}
    appraised = {c.employee_id for c in year.conversations if c.type_key == "appraisal"}
    assert appraised
    assert {contracts[person_id] for person_id in appraised} <= {"vast", "tijdelijk"}


def test_the_top_of_the_organisation_has_no_manager_led_conversations(year: Plan) -> None:
    assert of(year, "d-01") == []
