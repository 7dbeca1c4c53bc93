"""Table tests of the planner: daylight saving time, leap days, holidays, follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from gesprekscyclus.domain.cadence import Anniversary, AnswerTrigger, Interval
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.planning.design import Capacity, CycleDesign, TypeRule
from gesprekscyclus.planning.planner import conversation_id, plan
from gesprekscyclus.planning.planner.ids import follow_up_occurrence

MANAGER = Person(id="m", name="Mia", hire_date=date(2010, 1, 1))
EVA = Person(id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m")


def _design(*rules: TypeRule, **kwargs: object) -> CycleDesign:
    return CycleDesign(name="test", cycle_start=date(2026, 1, 1), types=rules, **kwargs)  # type: ignore[arg-type]


WEEKLY = TypeRule(
    type="check_in",
    convention="following",
    cadence=(Interval(every=1, unit="weeks", anchor="cycle_start"),),
    time=time(10, 0),
)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 2026-03-29: clocks go forward in Europe/Amsterdam.
        (
            date(2026, 3, 20),
            date(2026, 4, 5),
            ["2026-03-26T10:00:00+01:00", "2026-04-02T10:00:00+02:00"],
        ),
        # 2026-10-25: clocks go back.
        (
            date(2026, 10, 16),
            date(2026, 11, 1),
            ["2026-10-22T10:00:00+02:00", "2026-10-29T10:00:00+01:00"],
        ),
    ],
)
def test_the_wall_time_is_kept_across_daylight_saving_changes(
    start: date, end: date, expected: list[str]
) -> None:
    result = plan(_design(WEEKLY), [MANAGER, EVA], start=start, end=end)
    starts = [c.starts_at for c in result.conversations]
    assert all(moment is not None for moment in starts)
    assert [m.isoformat() for m in starts if m is not None] == expected


def test_levelling_keeps_the_wall_time_when_it_moves_across_the_change() -> None:
    # Capacity one a week: the second person's check-in moves into the next week, past the
    # change to summer time, and still starts at 10:00 local time.
    rule = TypeRule(
        type="check_in",
        convention="following",
        cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3, day=27),),
        time=time(10, 0),
        window_after=14,
    )
    ben = Person(id="f", name="Ben", hire_date=date(2020, 1, 6), manager_id="m")
    design = _design(rule, capacity=Capacity(per_day=1, per_week=1))
    result = plan(design, [MANAGER, EVA, ben], start=date(2026, 3, 1), end=date(2026, 4, 30))
    moments = sorted(c.starts_at for c in result.conversations if c.starts_at is not None)
    assert [m.isoformat() for m in moments] == [
        "2026-03-27T10:00:00+01:00",
        "2026-03-30T10:00:00+02:00",
    ]
    assert moments[1].astimezone(UTC).hour == 8


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("feb28", [("y1", date(2025, 2, 28), date(2025, 2, 28))]),
        # Saturday 1 March moves to Monday 3 March (modified following stays in March).
        ("mar1", [("y1", date(2025, 3, 1), date(2025, 3, 3))]),
        ("omit", []),
    ],
)
def test_a_leap_day_hire_follows_the_persons_policy(
    policy: str, expected: list[tuple[str, date, date]]
) -> None:
    hired = Person(
        id="e", name="Eva", hire_date=date(2024, 2, 29), manager_id="m", leap_day_policy=policy
    )
    design = _design(TypeRule(type="development", cadence=(Anniversary(),)))
    result = plan(design, [MANAGER, hired], start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert [(c.occurrence, c.nominal, c.target) for c in result.conversations] == expected
    leap = plan(design, [MANAGER, hired], start=date(2028, 1, 1), end=date(2028, 12, 31))
    assert [(c.occurrence, c.target) for c in leap.conversations] == [("y4", date(2028, 2, 29))]


def test_koningsdag_2025_on_saturday_is_a_day_off_for_weekend_workers() -> None:
    every_day = WorkingPattern.of("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    boss = Person(id="m", name="Mia", hire_date=date(2010, 1, 1), working_pattern=every_day)
    worker = Person(
        id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m", working_pattern=every_day
    )
    rule = TypeRule(
        type="check_in",
        convention="following",
        cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=4, day=26),),
    )
    design = CycleDesign(name="t", cycle_start=date(2025, 1, 1), types=(rule,))
    result = plan(design, [boss, worker], start=date(2025, 1, 1), end=date(2026, 12, 31))
    assert [(c.nominal, c.target) for c in result.conversations] == [
        (date(2025, 4, 26), date(2025, 4, 27)),  # Koningsdag on Saturday 26 April 2025
        (date(2026, 4, 26), date(2026, 4, 26)),  # a Sunday, and 2026's Koningsdag is the 27th
    ]


def _held_check_in(answers: dict[str, object], held_on: datetime) -> Conversation:
    catalog = built_in_catalog()
    talk = Conversation.plan(
        id="held-1",
        type_key="check_in",
        employee_id="e",
        manager_id="m",
        window=Window(date(2026, 2, 20), date(2026, 3, 2), date(2026, 3, 10)),
    )
    talk = talk.schedule(held_on, at=held_on - timedelta(days=7))
    talk = talk.hold(at=held_on)
    if not answers:
        return talk
    question_set = catalog.question_set_for("check_in")
    return talk.record_answers(question_set, "e", answers, at=held_on)  # type: ignore[arg-type]


LEAVING = AnswerTrigger("check_in", "considering_leaving", "equals", True, "stay_interview", 14)
FOLLOW_UP_DESIGN = _design(
    TypeRule(type="check_in", follow_ups=(LEAVING,)),
    TypeRule(type="stay_interview"),
)


def test_considering_leaving_asks_for_a_stay_interview_within_14_days() -> None:
    held = _held_check_in({"considering_leaving": True}, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    result = plan(
        FOLLOW_UP_DESIGN,
        [MANAGER, EVA],
        start=date(2026, 3, 1),
        end=date(2026, 4, 30),
        existing=[held],
    )
    (follow_up,) = result.conversations
    assert follow_up.type_key == "stay_interview"
    assert follow_up.origin == "follow_up"
    assert (follow_up.earliest, follow_up.latest) == (date(2026, 3, 3), date(2026, 3, 16))
    assert follow_up.target == date(2026, 3, 16)  # a Monday: the latest day, both work it
    assert follow_up.id == conversation_id(
        "e", "stay_interview", follow_up_occurrence("held-1", "considering_leaving")
    )


def test_no_follow_up_without_the_answer_or_outside_the_horizon() -> None:
    content = _held_check_in({"considering_leaving": False}, datetime(2026, 3, 2, 9, tzinfo=UTC))
    result = plan(
        FOLLOW_UP_DESIGN,
        [MANAGER, EVA],
        start=date(2026, 3, 1),
        end=date(2026, 4, 30),
        existing=[content],
    )
    assert result.conversations == ()
    leaving = _held_check_in({"considering_leaving": True}, datetime(2026, 3, 2, 9, tzinfo=UTC))
    later = plan(
        FOLLOW_UP_DESIGN,
        [MANAGER, EVA],
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        existing=[leaving],
    )
    assert later.conversations == ()


def test_a_held_anchored_rhythm_counts_from_the_last_held_date() -> None:
    rule = TypeRule(
        type="check_in",
        convention="unadjusted",
        cadence=(Interval(every=1, unit="months", anchor="cycle_start", anchor_to="held"),),
    )
    design = _design(rule)
    before = plan(design, [MANAGER, EVA], start=date(2026, 3, 1), end=date(2026, 5, 31))
    assert [c.nominal.day for c in before.conversations] == [1, 1, 1]
    held = _held_check_in({}, datetime(2026, 3, 11, 9, 0, tzinfo=UTC))
    after = plan(
        design, [MANAGER, EVA], start=date(2026, 3, 1), end=date(2026, 5, 31), existing=[held]
    )
    assert [(c.occurrence, c.nominal) for c in after.conversations] == [
        ("after-2026-03-11-n1", date(2026, 4, 11)),
        ("after-2026-03-11-n2", date(2026, 5, 11)),
    ]


def test_a_convention_never_moves_a_conversation_past_the_last_day() -> None:
    leaver = Person(
        id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m", end_date=date(2026, 1, 31)
    )
    design = CycleDesign(
        name="t",
        cycle_start=date(2026, 1, 3),
        types=(
            TypeRule(
                type="check_in",
                convention="following",
                cadence=(Interval(every=1, unit="weeks", anchor="cycle_start"),),
            ),
        ),
    )
    result = plan(design, [MANAGER, leaver], start=date(2026, 1, 1), end=date(2026, 3, 1))
    last = result.conversations[-1]
    assert last.nominal == date(2026, 1, 31)  # a Saturday, the last day
    assert last.target == date(2026, 1, 30)  # the Friday before, not the Monday after
    assert all(c.target <= date(2026, 1, 31) for c in result.conversations)


def test_two_rhythms_of_one_type_get_distinct_ids() -> None:
    rule = TypeRule(
        type="check_in",
        cadence=(
            Interval(every=1, unit="months", anchor="cycle_start"),
            Interval(every=3, unit="months", anchor="cycle_start"),
        ),
    )
    result = plan(_design(rule), [MANAGER, EVA], start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert len({c.id for c in result.conversations}) == len(result.conversations) == 4
    assert sorted(c.occurrence for c in result.conversations) == ["c1:n0", "n0", "n1", "n2"]


def test_a_sick_report_after_the_last_day_plans_nothing() -> None:
    leaver = Person(
        id="e", name="Eva", hire_date=date(2020, 1, 6), manager_id="m", end_date=date(2026, 1, 31)
    )
    sick = LifeEvent(on=date(2026, 2, 10), person_id="e", kind="sick_report")
    result = plan(
        _design(TypeRule(type="absence")),
        [MANAGER, leaver],
        [sick],
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    assert result.conversations == ()
    assert result.obligations == ()
