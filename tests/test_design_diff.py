"""Plan differences matched by stable ids."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, DropNear, TypeRule
from gesprekscyclus.planning.diff import Moved, PlanDiff, diff_designs, diff_plans
from gesprekscyclus.planning.planner import plan
from gesprekscyclus.serialization import from_data, to_data

from .test_planner_properties import designs, horizons, organisations

PEOPLE = [
    Person(id="m", name="Mia", hire_date=date(2010, 1, 1)),
    Person(id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m"),
]
START, END = date(2026, 1, 1), date(2026, 12, 31)


def _design(*rules: TypeRule, **kwargs: object) -> CycleDesign:
    return CycleDesign(name="d", cycle_start=START, types=rules, **kwargs)  # type: ignore[arg-type]


MONTHLY = TypeRule(
    type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
)
REVIEW = TypeRule(
    type="growth_review",
    cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3, day=3),),
)


def test_the_same_design_gives_an_empty_diff() -> None:
    change = diff_designs(_design(MONTHLY), _design(MONTHLY), PEOPLE, start=START, end=END)
    assert change.is_empty
    assert change.unchanged_count == 12
    assert change.rows() == []


def test_adding_a_type_and_a_drop_rule_shows_what_appears_and_disappears() -> None:
    before = _design(MONTHLY)
    after = _design(
        MONTHLY,
        REVIEW,
        interactions=(DropNear(drop="check_in", near="growth_review", within_days=3),),
    )
    change = diff_designs(before, after, PEOPLE, start=START, end=END)
    assert [(c.type_key, c.target) for c in change.appeared] == [
        ("growth_review", date(2026, 3, 3))
    ]
    assert [(c.type_key, c.target) for c in change.disappeared] == [("check_in", date(2026, 3, 2))]
    assert change.moved == ()
    assert change.unchanged_count == 11
    assert [row["change"] for row in change.rows()] == ["appeared", "disappeared"]


def test_a_new_convention_moves_conversations_with_old_and_new_days() -> None:
    nearest = TypeRule(
        type="check_in",
        convention="preceding",
        cadence=MONTHLY.cadence,
    )
    change = diff_designs(_design(MONTHLY), _design(nearest), PEOPLE, start=START, end=END)
    # New Year's Day moves January's check-in back to 31 December with "preceding": the
    # horizon holds the conversations targeted in it, so 2026's leaves and 2027's comes in.
    assert [(c.nominal, c.target) for c in change.appeared] == [
        (date(2027, 1, 1), date(2026, 12, 31))
    ]
    assert [(c.nominal, c.target) for c in change.disappeared] == [
        (date(2026, 1, 1), date(2026, 1, 2))
    ]
    # Only first-of-the-month days that are no working day move.
    moved = {(item.before.target, item.after.target) for item in change.moved}
    assert (date(2026, 2, 2), date(2026, 1, 30)) in moved
    assert all(item.days < 0 for item in change.moved)
    assert change.unchanged_count + len(change.moved) == 11
    row = next(r for r in change.rows() if r["old_target"] == date(2026, 2, 2))
    assert row["new_target"] == date(2026, 1, 30)
    assert row["days"] == -3


def test_a_notice_removes_the_conversations_after_it() -> None:
    first = plan(_design(MONTHLY), PEOPLE, start=START, end=END)
    notice = LifeEvent(on=date(2026, 9, 15), person_id="e", kind="notice_given")
    second = plan(_design(MONTHLY), PEOPLE, [notice], start=START, end=END)
    change = diff_plans(first, second)
    assert [c.nominal.month for c in change.disappeared] == [10, 11, 12]
    assert change.unchanged_count == 9


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(designs(), designs(capacity=True), organisations(), horizons)
def test_a_diff_accounts_for_every_conversation(first, second, org, horizon) -> None:  # type: ignore[no-untyped-def]
    people, events = org
    before = plan(first, people, events, start=horizon[0], end=horizon[1])
    after = plan(second, people, events, start=horizon[0], end=horizon[1])
    change = diff_plans(before, after)
    assert len(before.conversations) == (
        len(change.disappeared) + len(change.moved) + change.unchanged_count
    )
    assert len(after.conversations) == (
        len(change.appeared) + len(change.moved) + change.unchanged_count
    )
    assert diff_plans(before, before) == PlanDiff(unchanged_count=len(before.conversations))
    backwards = diff_plans(after, before)
    assert backwards.appeared == change.disappeared
    assert backwards.disappeared == change.appeared
    assert from_data(PlanDiff, to_data(change)) == change
    assert len(change.rows()) == len(change.appeared) + len(change.disappeared) + len(change.moved)


@SETTINGS
@given(designs(), organisations(), horizons, st.randoms())
def test_diff_order_does_not_depend_on_input_order(design, org, horizon, random) -> None:  # type: ignore[no-untyped-def]
    people, events = org
    before = plan(design, people, start=horizon[0], end=horizon[1])
    after = plan(design, people, events, start=horizon[0], end=horizon[1])
    shuffled = list(people)
    random.shuffle(shuffled)
    again = plan(design, shuffled, list(reversed(events)), start=horizon[0], end=horizon[1])
    assert diff_plans(before, after) == diff_plans(before, again)


def test_moved_round_trips() -> None:
    first = plan(_design(MONTHLY), PEOPLE, start=START, end=END).conversations[0]
    moved = Moved(first, first)
    assert from_data(Moved, to_data(moved)) == moved
    assert moved.days == 0
    assert moved.id == first.id
