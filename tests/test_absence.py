"""Sick periods, samentelling, the Poortwachter timeline and frequent-absence measures."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.absence import (
    MILESTONE_KEYS,
    SAMENTELLING_DAYS,
    AbsenceCase,
    LegalBasis,
    Milestone,
    Prognosis,
    SickPeriod,
    absence_cases,
    absence_timeline,
    bradford_factor,
    date_of_sick_day,
    date_of_sick_week,
    frequent_absence_signals,
    periods_from_events,
    sick_day_number,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError, SerializationError
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs

D = date
ALL_DAYS = lambda _day: True  # noqa: E731 - a calendar on which every day is a working day


def one_case(*periods: SickPeriod) -> AbsenceCase:
    (case,) = absence_cases(periods)
    return case


def by_key(milestones: tuple[Milestone, ...]) -> dict[str, Milestone]:
    return {milestone.key: milestone for milestone in milestones}


def rank(key: str) -> int:
    return MILESTONE_KEYS.index("progress" if key.startswith("progress_") else key)


# --- the test vector and samentelling ----------------------------------------------------------


def test_the_week_104_date_moves_by_the_interruption() -> None:
    without_gap = one_case(SickPeriod(D(2022, 1, 3)))
    with_gap = one_case(
        SickPeriod(D(2022, 1, 3), recovered_on=D(2022, 7, 4)), SickPeriod(D(2022, 7, 25))
    )
    assert with_gap.gaps == (21,)
    assert date_of_sick_week(without_gap, 104) == D(2024, 1, 1)
    assert date_of_sick_week(with_gap, 104) == D(2024, 1, 22)
    assert by_key(absence_timeline(without_gap))["wage_payment_end"].due == D(2024, 1, 1)
    assert by_key(absence_timeline(with_gap))["wage_payment_end"].due == D(2024, 1, 22)


def test_the_test_vector_from_life_events() -> None:
    events = [
        LifeEvent(on=D(2022, 7, 25), person_id="e-1", kind=LifeEventKind.SICK_REPORT),
        LifeEvent(on=D(2022, 1, 3), person_id="e-1", kind=LifeEventKind.SICK_REPORT),
        LifeEvent(on=D(2022, 3, 1), person_id="e-1", kind=LifeEventKind.MANAGER_CHANGE, detail="m"),
        LifeEvent(on=D(2022, 7, 4), person_id="e-1", kind=LifeEventKind.RECOVERY),
    ]
    periods = periods_from_events(events)
    assert periods == (
        SickPeriod(D(2022, 1, 3), recovered_on=D(2022, 7, 4)),
        SickPeriod(D(2022, 7, 25)),
    )
    assert date_of_sick_week(one_case(*periods), 104) == D(2024, 1, 22)


@pytest.mark.parametrize(("gap", "cases"), [(0, 1), (27, 1), (28, 2), (29, 2)])
def test_samentelling_boundary_is_less_than_four_weeks(gap: int, cases: int) -> None:
    first = SickPeriod(D(2026, 1, 5), recovered_on=D(2026, 1, 19))
    second = SickPeriod(D(2026, 1, 19) + timedelta(days=gap))
    assert len(absence_cases([first, second])) == cases


def test_a_case_cannot_hold_a_four_week_interruption() -> None:
    with pytest.raises(InvalidValueError, match=r"AbsenceCase\.periods\[1\].*28 days"):
        AbsenceCase(
            (SickPeriod(D(2026, 1, 5), recovered_on=D(2026, 1, 19)), SickPeriod(D(2026, 2, 16)))
        )


def test_counting_skips_the_interruption() -> None:
    case = one_case(
        SickPeriod(D(2026, 1, 5), recovered_on=D(2026, 1, 8)), SickPeriod(D(2026, 1, 12))
    )
    assert date_of_sick_day(case, 3) == D(2026, 1, 7)
    assert date_of_sick_day(case, 4) == D(2026, 1, 12)
    assert sick_day_number(case, D(2026, 1, 10)) == 3
    assert date_of_sick_week(case, 1) == D(2026, 1, 16)


def test_a_closed_case_has_no_sick_days_beyond_its_own() -> None:
    case = one_case(SickPeriod(D(2026, 1, 5), recovered_on=D(2026, 1, 8)))
    assert case.sick_days == 3
    assert date_of_sick_day(case, 3) == D(2026, 1, 7)
    with pytest.raises(InvalidValueError, match="ended after 3 sick days"):
        date_of_sick_day(case, 4)
    with pytest.raises(InvalidValueError, match="week"):
        date_of_sick_week(case, 0)
    with pytest.raises(InvalidValueError, match="number"):
        date_of_sick_day(case, 0)


@given(gs.absence_cases(), st.integers(1, 900))
def test_sick_day_numbers_and_dates_are_inverse(case: AbsenceCase, number: int) -> None:
    if case.sick_days is not None and number > case.sick_days:
        with pytest.raises(InvalidValueError):
            date_of_sick_day(case, number)
        return
    day = date_of_sick_day(case, number)
    assert case.is_sick_on(day)
    assert sick_day_number(case, day) == number
    assert sick_day_number(case, day - timedelta(days=1)) == number - 1


@given(gs.sick_histories(max_gap=60))
def test_a_gap_of_four_weeks_or_more_splits_cases(history: list[SickPeriod]) -> None:
    cases = absence_cases(list(reversed(history)))
    long_gaps = sum(
        1
        for earlier, later in itertools.pairwise(history)
        if earlier.recovered_on is not None
        and (later.first_day - earlier.recovered_on).days >= SAMENTELLING_DAYS
    )
    assert len(cases) == long_gaps + 1
    assert [period for case in cases for period in case.periods] == history
    assert all(gap < SAMENTELLING_DAYS for case in cases for gap in case.gaps)


# --- inconsistent input ------------------------------------------------------------------------


def test_a_period_must_have_a_sick_day() -> None:
    with pytest.raises(InvalidValueError, match=r"SickPeriod\.recovered_on"):
        SickPeriod(D(2026, 1, 5), recovered_on=D(2026, 1, 5))


def test_overlapping_periods_name_the_input_index() -> None:
    periods = [
        SickPeriod(D(2026, 3, 1), recovered_on=D(2026, 3, 10)),
        SickPeriod(D(2026, 1, 5), recovered_on=D(2026, 1, 9)),
        SickPeriod(D(2026, 3, 5)),
    ]
    with pytest.raises(InvalidValueError, match=r"^periods\[2\]: .*overlap"):
        absence_cases(periods)
    with pytest.raises(InvalidValueError, match=r"^periods\[1\]: .*still open"):
        absence_cases([SickPeriod(D(2026, 1, 5)), SickPeriod(D(2026, 2, 5))])


def _event(day: int, kind: LifeEventKind, person: str = "e-1") -> LifeEvent:
    return LifeEvent(on=D(2026, 1, day), person_id=person, kind=kind)


SICK, BACK = LifeEventKind.SICK_REPORT, LifeEventKind.RECOVERY


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([_event(5, BACK)], r"events\[0\]: recovery on 2026-01-05 without an open sick report"),
        ([_event(5, SICK), _event(7, SICK)], r"events\[1\]: sick_report .* already sick"),
        ([_event(5, SICK), _event(5, BACK)], r"events\[1\]: recovery .* after the first"),
        ([_event(5, SICK), _event(9, BACK, "e-2")], r"events\[1\]: .*'e-2'"),
    ],
)
def test_inconsistent_events_are_named(events: list[LifeEvent], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        periods_from_events(events)


def test_recovery_and_relapse_on_one_day_leave_no_gap() -> None:
    periods = periods_from_events([_event(5, SICK), _event(9, BACK), _event(9, SICK)])
    assert one_case(*periods).gaps == (0,)


# --- the timeline ------------------------------------------------------------------------------


def test_the_default_timeline_of_an_open_case() -> None:
    case = one_case(SickPeriod(D(2024, 1, 1)))  # a Monday
    plan = by_key(absence_timeline(case, prognosis=[Prognosis(D(2024, 1, 10), True)]))
    expected = {
        "sick_report": (D(2024, 1, 1), D(2024, 1, 1)),
        "health_service_report": (D(2024, 1, 1), D(2024, 1, 7)),
        "problem_analysis": (None, D(2024, 2, 11)),
        "plan_of_action": (D(2024, 2, 11), D(2024, 2, 25)),
        "progress_1": (None, D(2024, 4, 7)),
        "uwv_week_42_report": (D(2024, 10, 14), D(2024, 10, 21)),
        "first_year_evaluation": (D(2024, 11, 11), D(2024, 12, 29)),
        "labour_expert_assessment": (None, D(2024, 12, 29)),
        "uwv_wia_letter": (D(2025, 9, 1), D(2025, 9, 7)),
        "final_evaluation": (None, D(2025, 9, 28)),
        "wia_application": (D(2025, 9, 1), D(2025, 10, 12)),
        "wage_payment_end": (None, D(2025, 12, 29)),
    }
    for key, (earliest, due) in expected.items():
        assert (plan[key].earliest, plan[key].due) == (earliest, due), key
    assert plan["uwv_week_42_report"].basis is LegalBasis.LAW
    assert plan["uwv_week_42_report"].source == "Ziektewet art. 38 lid 1"
    assert plan["uwv_week_42_report"].conversation_type is None
    assert plan["plan_of_action"].conversation_type == "absence"
    assert plan["sick_report"].basis is LegalBasis.PRACTICE
    assert plan["labour_expert_assessment"].basis is LegalBasis.GUIDANCE
    assert not plan["problem_analysis"].conditional
    progress = sorted(
        (m for m in plan.values() if m.key.startswith("progress_")), key=lambda m: m.due
    )
    steps = {(b.due - a.due).days for a, b in itertools.pairwise(progress)}
    assert steps == {42}
    assert progress[-1].due < plan["wage_payment_end"].due
    for milestone in plan.values():
        assert milestone.title.has("nl")
        assert milestone.title.has("en")


def test_problem_analysis_follows_the_prognosis() -> None:
    case = one_case(SickPeriod(D(2024, 1, 1)))
    week_6 = D(2024, 2, 11)

    unknown = by_key(absence_timeline(case))
    assert unknown["problem_analysis"].due == week_6
    assert unknown["problem_analysis"].conditional
    assert unknown["plan_of_action"].conditional
    assert unknown["progress_1"].conditional
    assert not unknown["uwv_week_42_report"].conditional

    short = by_key(absence_timeline(case, prognosis=[Prognosis(D(2024, 1, 3), False)]))
    assert short["problem_analysis"].conditional

    late = D(2024, 3, 20)
    later = by_key(
        absence_timeline(case, prognosis=[Prognosis(D(2024, 1, 3), False), Prognosis(late, True)])
    )
    assert later["problem_analysis"].due == late
    assert not later["problem_analysis"].conditional
    assert later["plan_of_action"].due == late + timedelta(days=14)

    with pytest.raises(InvalidValueError, match=r"prognosis\[0\]\.recorded_on"):
        absence_timeline(case, prognosis=[Prognosis(D(2023, 12, 31), True)])


def test_recorded_dates_move_what_follows() -> None:
    case = one_case(SickPeriod(D(2024, 1, 1)))
    analysis, plan_held, first_talk = D(2024, 1, 24), D(2024, 2, 1), D(2024, 3, 1)
    plan = by_key(
        absence_timeline(
            case,
            done={
                "problem_analysis": analysis,
                "plan_of_action": plan_held,
                "progress_1": first_talk,
            },
        )
    )
    assert plan["problem_analysis"].done_on == analysis
    assert plan["plan_of_action"].due == analysis + timedelta(days=14)
    assert plan["plan_of_action"].earliest == analysis
    assert plan["progress_1"].due == plan_held + timedelta(days=42)
    assert plan["progress_1"].done_on == first_talk
    assert plan["progress_2"].due == first_talk + timedelta(days=42)

    with pytest.raises(InvalidValueError, match=r"done\['interview'\].*allowed: sick_report"):
        absence_timeline(case, done={"interview": D(2024, 2, 1)})
    with pytest.raises(InvalidValueError, match=r"done\['plan_of_action'\].*before the first"):
        absence_timeline(case, done={"plan_of_action": D(2023, 2, 1)})


def test_both_views_are_required_from_july_2023() -> None:
    before = by_key(absence_timeline(one_case(SickPeriod(D(2023, 6, 30)))))
    after = by_key(absence_timeline(one_case(SickPeriod(D(2023, 7, 1)))))
    assert before["plan_of_action"].note is None
    assert after["plan_of_action"].note is not None
    assert "views" in after["plan_of_action"].note.in_("en")


def test_until_and_the_interval_bound_the_timeline() -> None:
    case = one_case(SickPeriod(D(2024, 1, 1)))
    plan = absence_timeline(case, until=D(2024, 6, 1), progress_interval_weeks=4)
    assert max(m.due for m in plan) <= D(2024, 6, 1)
    talks = [m.due for m in plan if m.key.startswith("progress_")]
    assert talks[:2] == [D(2024, 3, 24), D(2024, 4, 21)]
    with pytest.raises(InvalidValueError, match="progress_interval_weeks"):
        absence_timeline(case, progress_interval_weeks=0)


def test_the_42nd_week_report_skips_holidays() -> None:
    case = one_case(SickPeriod(D(2024, 1, 1)))
    closed = {D(2024, 10, 21), D(2024, 10, 22)}
    plan = by_key(
        absence_timeline(case, is_working_day=lambda d: d.weekday() < 5 and d not in closed)
    )
    assert plan["uwv_week_42_report"].due == D(2024, 10, 23)
    with pytest.raises(InvalidValueError, match="is_working_day"):
        absence_timeline(case, is_working_day=lambda _d: False)


@given(
    gs.absence_cases(),
    st.frozensets(st.integers(0, 6), min_size=1),
    st.frozensets(st.dates(min_value=D(2000, 1, 1), max_value=D(2052, 12, 31)), max_size=30),
)
def test_the_42nd_week_report_lands_on_the_first_working_day(
    case: AbsenceCase, weekdays: frozenset[int], holidays: frozenset[date]
) -> None:
    def works(day: date) -> bool:
        return day.weekday() in weekdays and day not in holidays

    open_case = AbsenceCase((*case.periods[:-1], SickPeriod(case.periods[-1].first_day)))
    report = by_key(absence_timeline(open_case, is_working_day=works))["uwv_week_42_report"]
    after_week_42 = date_of_sick_week(open_case, 42)
    assert works(report.due)
    assert report.due >= after_week_42
    assert not any(
        works(after_week_42 + timedelta(days=n)) for n in range((report.due - after_week_42).days)
    )


@given(gs.absence_cases(open_end=True), st.booleans())
def test_milestones_follow_the_order_of_the_table(case: AbsenceCase, expected: bool) -> None:
    prognosis = [Prognosis(case.first_day, True)] if expected else []
    plan = absence_timeline(case, prognosis=prognosis)
    assert list(plan) == sorted(plan, key=lambda m: (m.due, rank(m.key)))
    fixed = sorted(
        (m for m in plan if not m.key.startswith("progress_")), key=lambda m: rank(m.key)
    )
    assert [m.key for m in fixed] == [k for k in MILESTONE_KEYS[:12] if k != "progress"]
    dues = [m.due for m in fixed]
    assert dues == sorted(dues)
    earliest = [m.earliest for m in plan if m.earliest is not None]
    assert all(m.earliest is None or m.earliest <= m.due for m in plan)
    assert earliest


@given(gs.absence_cases(open_end=True), st.booleans())
def test_every_milestone_shifts_by_the_gaps_before_it(case: AbsenceCase, expected: bool) -> None:
    prognosis = [Prognosis(case.first_day, True)] if expected else []
    gapless = AbsenceCase((SickPeriod(case.first_day),))
    plain = by_key(absence_timeline(gapless, prognosis=prognosis, is_working_day=ALL_DAYS))
    shifted = by_key(absence_timeline(case, prognosis=prognosis, is_working_day=ALL_DAYS))
    assert plain.keys() == shifted.keys()
    pairs = list(itertools.pairwise(case.periods))
    for key, milestone in shifted.items():
        gaps_before = sum(
            (later.first_day - earlier.recovered_on).days
            for earlier, later in pairs
            if earlier.recovered_on is not None and later.first_day <= milestone.due
        )
        assert (milestone.due - plain[key].due).days == gaps_before, key


@given(gs.absence_cases(open_end=False))
def test_a_recovered_case_has_nothing_after_recovery(case: AbsenceCase) -> None:
    recovered = case.recovered_on
    assert recovered is not None
    plan = absence_timeline(case)
    assert all(m.due < recovered for m in plan)
    still_sick = AbsenceCase((*case.periods[:-1], SickPeriod(case.periods[-1].first_day)))
    assert plan == tuple(m for m in absence_timeline(still_sick) if m.due < recovered)


def test_leaving_while_sick() -> None:
    case = one_case(SickPeriod(D(2024, 1, 1)))
    leaving = D(2024, 5, 31)
    plan = absence_timeline(case, last_working_day=leaving)
    keys = by_key(plan)
    assert keys["leaving_uwv_report"].due == leaving
    assert keys["leaving_uwv_report"].source == "Ziektewet art. 38 lid 2"
    assert keys["leaving_final_evaluation"].due == leaving
    assert max(m.due for m in plan) == leaving
    assert "uwv_week_42_report" not in keys

    early = by_key(absence_timeline(case, last_working_day=D(2024, 1, 20)))
    assert "leaving_uwv_report" in early
    assert "leaving_final_evaluation" not in early  # no plan of action yet

    gap_case = one_case(
        SickPeriod(D(2024, 1, 1), recovered_on=D(2024, 3, 1)), SickPeriod(D(2024, 3, 20))
    )
    in_gap = by_key(absence_timeline(gap_case, last_working_day=D(2024, 3, 10)))
    assert "leaving_uwv_report" not in in_gap
    assert max(m.due for m in in_gap.values()) <= D(2024, 3, 10)

    with pytest.raises(InvalidValueError, match="last_working_day"):
        absence_timeline(case, last_working_day=D(2023, 12, 1))


@given(gs.absence_cases(), st.integers(0, 800))
def test_nothing_is_due_after_leaving(case: AbsenceCase, offset: int) -> None:
    leaving = case.first_day + timedelta(days=offset)
    plan = absence_timeline(case, last_working_day=leaving)
    assert all(m.due <= leaving for m in plan)
    left_sick = case.is_sick_on(leaving) and (
        case.recovered_on is None or leaving < case.recovered_on
    )
    assert any(m.key == "leaving_uwv_report" for m in plan) == left_sick


def test_milestone_dates_are_checked() -> None:
    with pytest.raises(InvalidValueError, match=r"Milestone\.earliest"):
        Milestone(
            key="x",
            title=LocalizedText(nl="x"),
            due=D(2026, 1, 1),
            earliest=D(2026, 1, 2),
            basis="law",
            who=("employee",),
            conversation_type=None,
            source="BW 7:629",
        )
    with pytest.raises(InvalidValueError, match="allowed: law, guidance, practice"):
        LegalBasis("custom")


# --- frequent absence --------------------------------------------------------------------------


def _spell(first: date, days: int = 2) -> SickPeriod:
    return SickPeriod(first, recovered_on=first + timedelta(days=days))


def test_the_third_report_within_a_year_signals() -> None:
    spells = [_spell(D(2025, 1, 6)), _spell(D(2025, 6, 2)), _spell(D(2026, 1, 5))]
    assert frequent_absence_signals(spells) == (D(2026, 1, 5),)  # 364 days after the first
    later = [*spells[:2], _spell(D(2026, 1, 6))]  # exactly 365 days: outside the window
    assert frequent_absence_signals(later) == ()
    fourth = [*spells, _spell(D(2026, 2, 2))]
    assert frequent_absence_signals(fourth) == (D(2026, 1, 5), D(2026, 2, 2))
    assert frequent_absence_signals(spells[:2], count=2) == (D(2025, 6, 2),)
    with pytest.raises(InvalidValueError, match="count"):
        frequent_absence_signals(spells, count=0)


@given(gs.sick_histories(max_periods=8), st.integers(1, 4), st.integers(1, 400))
def test_signals_match_a_plain_count(
    history: list[SickPeriod], count: int, window_days: int
) -> None:
    starts = [period.first_day for period in history]
    expected = tuple(
        day
        for day in starts
        if sum(1 for other in starts if 0 <= (day - other).days < window_days) >= count
    )
    assert frequent_absence_signals(history, count=count, window_days=window_days) == expected


def test_bradford_factor_counts_calendar_days_in_the_window() -> None:
    on = D(2026, 12, 31)
    window_start = on - timedelta(days=363)
    spells = [
        SickPeriod(window_start - timedelta(days=3), recovered_on=window_start + timedelta(days=2)),
        _spell(D(2026, 6, 1), days=5),
        SickPeriod(D(2026, 12, 29)),
        SickPeriod(D(2025, 1, 5), recovered_on=D(2025, 1, 9)),  # outside the window
    ]
    assert bradford_factor(spells, on=on) == 3 * 3 * (2 + 5 + 3)
    assert bradford_factor([], on=on) == 0
    assert bradford_factor(spells, on=D(2024, 1, 1)) == 0
    with pytest.raises(InvalidValueError, match="window_weeks"):
        bradford_factor(spells, on=on, window_weeks=0)


@given(gs.sick_histories(max_periods=6), gs.absence_dates)
def test_bradford_factor_matches_a_day_by_day_count(history: list[SickPeriod], on: date) -> None:
    window = [on - timedelta(days=n) for n in range(364)]
    spells = sum(1 for period in history if any(period.covers(day) for day in window))
    days = sum(1 for day in window for period in history if period.covers(day))
    assert bradford_factor(history, on=on) == spells * spells * days


# --- round trips -------------------------------------------------------------------------------


@given(gs.sick_periods())
def test_sick_period_round_trips(period: SickPeriod) -> None:
    assert from_data(SickPeriod, to_data(period)) == period


@given(gs.prognoses)
def test_prognosis_round_trips(prognosis: Prognosis) -> None:
    assert from_data(Prognosis, to_data(prognosis)) == prognosis


@given(gs.milestones)
def test_milestone_round_trips(milestone: Milestone) -> None:
    assert from_data(Milestone, to_data(milestone)) == milestone
    assert loads(Milestone, dumps(milestone)) == milestone


@given(gs.absence_cases())
def test_absence_case_round_trips(case: AbsenceCase) -> None:
    assert from_data(AbsenceCase, to_data(case)) == case
    assert loads(AbsenceCase, dumps(case)) == case


def test_timeline_milestones_round_trip() -> None:
    case = one_case(SickPeriod(D(2023, 9, 4)))
    for milestone in absence_timeline(case, done={"sick_report": D(2023, 9, 4)}):
        assert from_data(Milestone, to_data(milestone)) == milestone


def test_invalid_stored_data_is_rejected_with_its_path() -> None:
    with pytest.raises(SerializationError, match="28 days"):
        from_data(
            AbsenceCase,
            {
                "periods": [
                    {"first_day": "2026-01-05", "recovered_on": "2026-01-19"},
                    {"first_day": "2026-02-16", "recovered_on": None},
                ]
            },
        )
    with pytest.raises(SerializationError, match=r"expected bool"):
        from_data(Prognosis, {"recorded_on": "2026-01-05", "long_term_expected": "yes"})
    data = to_data(absence_timeline(one_case(SickPeriod(D(2026, 1, 5))))[0])
    with pytest.raises(SerializationError, match="allowed: law, guidance, practice"):
        from_data(Milestone, {**data, "basis": "rumour"})


def test_the_42nd_week_report_uses_the_statutory_holidays_by_default() -> None:
    # Sick from 6 March 2026: week 42 ends on Thursday 24 December, the report is due on the
    # next working day for a statutory deadline. Christmas and Boxing Day are Atw days, the
    # 26th and 27th a weekend: Monday 28 December, not Christmas Day.
    christmas = by_key(absence_timeline(one_case(SickPeriod(D(2026, 3, 6)))))
    assert christmas["uwv_week_42_report"].due == D(2026, 12, 28)
    # 5 May counts every year (2027 is no lustrum year); 6 May 2027 is Ascension Day.
    liberation = by_key(absence_timeline(one_case(SickPeriod(D(2026, 7, 15)))))
    assert liberation["uwv_week_42_report"].due == D(2027, 5, 7)
    # Good Friday counts too, although many companies work on it.
    good_friday = by_key(absence_timeline(one_case(SickPeriod(D(2026, 4, 3) - timedelta(294)))))
    assert good_friday["uwv_week_42_report"].due == D(2026, 4, 7)


def test_a_timeline_beyond_the_known_statutory_years_is_refused() -> None:
    with pytest.raises(InvalidValueError, match=r"case\.first_day: .*up to 4097-12-31"):
        absence_timeline(one_case(SickPeriod(D(9999, 6, 1))))
    assert absence_timeline(one_case(SickPeriod(D(4097, 12, 31))))
