"""How life events steer the plan: manager changes, pauses during absence, prognoses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.planner import PAUSE_POSTPONE_DAYS, plan

MONTHLY = Interval(every=1, unit="months", anchor="cycle_start")
YEARLY_IN_MARCH = Interval(every=1, unit="years", anchor="fixed_month", month=3)
OLD = Person(id="m-old", name="Old manager", hire_date=date(2015, 1, 1))
NEW = Person(
    id="m-new",
    name="New manager",
    hire_date=date(2015, 1, 1),
    working_pattern=WorkingPattern.of("tue", "wed"),
)
EVA = Person(id="e", name="Eva", hire_date=date(2020, 1, 1), manager_id="m-old")


def design(*rules: TypeRule) -> CycleDesign:
    return CycleDesign(name="t", cycle_start=date(2026, 1, 1), types=rules)


def event(kind: LifeEventKind, on: date, detail: str | None = None) -> LifeEvent:
    return LifeEvent(on=on, person_id="e", kind=kind, detail=detail)


def test_a_manager_change_moves_later_conversations_to_the_new_manager() -> None:
    change = event(LifeEventKind.MANAGER_CHANGE, date(2026, 3, 15), "m-new")
    result = plan(
        design(TypeRule(type="check_in", cadence=(MONTHLY,))),
        [OLD, NEW, EVA],
        [change],
        start=date(2026, 1, 1),
        end=date(2026, 6, 30),
    )
    before = [c for c in result.conversations if c.nominal < change.on]
    after = [c for c in result.conversations if c.nominal >= change.on]
    assert before
    assert after
    assert {c.manager_id for c in before} == {"m-old"}
    assert {c.manager_id for c in after} == {"m-new"}
    # The new manager works Tuesdays and Wednesdays only: so do the conversations with them.
    assert {c.target.isoweekday() for c in after} <= {2, 3}


def test_a_paused_type_moves_to_the_first_day_back() -> None:
    rule = TypeRule(type="growth_review", cadence=(YEARLY_IN_MARCH,), pause_during_absence=True)
    sick = [
        event(LifeEventKind.SICK_REPORT, date(2026, 2, 23)),
        event(LifeEventKind.RECOVERY, date(2026, 3, 16)),
    ]
    result = plan(design(rule), [OLD, EVA], sick, start=date(2026, 1, 1), end=date(2026, 12, 31))
    (review,) = result.conversations
    assert review.nominal == date(2026, 3, 1)
    assert review.target == date(2026, 3, 16)
    # Only the sick-leave case itself, which this design without an absence type lists.
    assert [skip.type_key for skip in result.skipped] == ["absence"]

    still_sick = sick[:1]
    result = plan(
        design(rule), [OLD, EVA], still_sick, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert not result.conversations
    (skip,) = [skip for skip in result.skipped if skip.type_key == "growth_review"]
    assert skip.id == review.id  # the same occurrence comes back once the recovery is known
    assert "paused" in skip.reason


def test_a_long_absence_skips_the_paused_occurrence() -> None:
    rule = TypeRule(type="growth_review", cadence=(YEARLY_IN_MARCH,), pause_during_absence=True)
    back = date(2026, 3, 1).toordinal() + PAUSE_POSTPONE_DAYS + 10
    sick = [
        event(LifeEventKind.SICK_REPORT, date(2026, 2, 2)),
        event(LifeEventKind.RECOVERY, date.fromordinal(back)),
    ]
    result = plan(design(rule), [OLD, EVA], sick, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert not result.conversations
    assert any(f"more than {PAUSE_POSTPONE_DAYS} days" in skip.reason for skip in result.skipped)


@pytest.mark.parametrize("earlier", [0, 1, 7, 60, PAUSE_POSTPONE_DAYS + 30])
def test_an_occurrence_paused_from_before_the_horizon_is_planned_however_far_back_it_starts(
    earlier: int,
) -> None:
    # Weekly from the hire date, paused from November to the first day back, which is the
    # horizon's first day: every week of the absence within the pause limit lands there.
    rule = TypeRule(
        type="development",
        cadence=(Interval(every=1, unit="weeks", anchor="hire_date"),),
        pause_during_absence=True,
    )
    sick = [
        event(LifeEventKind.SICK_REPORT, date(2025, 11, 1)),
        event(LifeEventKind.RECOVERY, date(2026, 2, 5)),
    ]
    start, end = date(2026, 2, 5), date(2026, 3, 7)
    result = plan(design(rule), [OLD, EVA], sick, start=start, end=end)
    longer = plan(design(rule), [OLD, EVA], sick, start=start - timedelta(days=earlier), end=end)
    assert [c for c in longer.conversations if c.target >= start] == list(result.conversations)
    first_day = [c for c in result.conversations if c.target == start]
    back = date(2026, 2, 5)
    assert {c.nominal for c in first_day} == {
        day
        for day in (back - timedelta(days=n) for n in range(1, PAUSE_POSTPONE_DAYS + 1))
        if day.weekday() == EVA.hire_date.weekday()
    } | ({back} if back.weekday() == EVA.hire_date.weekday() else set())


def test_a_late_prognosis_event_moves_the_problem_analysis() -> None:
    rule = TypeRule(type="absence")
    sick = [event(LifeEventKind.SICK_REPORT, date(2026, 1, 5))]
    late = event(LifeEventKind.PROGNOSIS, date(2026, 3, 16), "long_term")

    def analysis(events: list[LifeEvent]) -> date:
        result = plan(
            design(rule), [OLD, EVA], events, start=date(2026, 1, 1), end=date(2026, 6, 30)
        )
        (found,) = [c for c in result.conversations if c.milestone == "problem_analysis"]
        return found.latest

    # Without a prognosis it is planned by the end of week 6 (Sunday 15 February 2026) ...
    assert analysis(sick) == date(2026, 2, 15)
    # ... and when long-term absence only becomes clear later, at once on that day.
    assert analysis([*sick, late]) == late.on


def test_legal_deadlines_ignore_the_company_day_off_policy() -> None:
    from gesprekscyclus.domain.calendar import DutchDayOffPolicy, WorkingCalendar  # noqa: PLC0415

    # A company that works on Good Friday and on 5 May outside lustrum years.
    working = WorkingCalendar(
        dutch_policy=DutchDayOffPolicy(good_friday=False, liberation_day="never")
    )
    sick = [event(LifeEventKind.SICK_REPORT, date(2026, 7, 15))]
    reports = {}
    for calendar in (working, WorkingCalendar()):
        found = plan(
            CycleDesign(
                name="t",
                cycle_start=date(2026, 1, 1),
                calendar=calendar,
                types=(TypeRule(type="absence"),),
            ),
            [OLD, EVA],
            sick,
            start=date(2027, 4, 1),
            end=date(2027, 6, 30),
        )
        (report,) = [o for o in found.obligations if o.milestone.key == "uwv_week_42_report"]
        reports[calendar] = report.milestone.due
    # Week 42 ends on Tuesday 4 May 2027; 5 May is an Atw day and 6 May Ascension Day.
    assert set(reports.values()) == {date(2027, 5, 7)}


def test_sick_leave_without_an_absence_type_is_listed_not_lost() -> None:
    sick = [event(LifeEventKind.SICK_REPORT, date(2026, 2, 23))]
    rule = TypeRule(type="check_in", cadence=(MONTHLY,))
    result = plan(design(rule), [OLD, EVA], sick, start=date(2026, 1, 1), end=date(2026, 12, 31))
    (skip,) = result.skipped
    assert (skip.type_key, skip.employee_id, skip.nominal) == ("absence", "e", sick[0].on)
    assert "absence_handled_elsewhere" in skip.reason
    assert not result.obligations
    elsewhere = CycleDesign(
        name="t", cycle_start=date(2026, 1, 1), types=(rule,), absence_handled_elsewhere=True
    )
    quiet = plan(elsewhere, [OLD, EVA], sick, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert not quiet.skipped
    assert quiet.conversations == result.conversations
