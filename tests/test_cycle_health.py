"""Cycle health and early signals from a store: counts that add up, rates in [0, 1], groups
never smaller than the minimum, and signals only for the HR contact."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import matplotlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus import analysis
from gesprekscyclus.domain.access import MIN_GROUP_SIZE
from gesprekscyclus.domain.conversations import Answer, Conversation, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.questions import QuestionSetRef
from gesprekscyclus.errors import AccessDeniedError, InvalidValueError
from gesprekscyclus.examples.recorded import HR_CONTACT, recorded_year
from gesprekscyclus.planning.columns import COLUMNS
from gesprekscyclus.service import health, signals

matplotlib.use("Agg")

TODAY = date(2028, 1, 1)


@pytest.fixture(scope="module")
def service():  # type: ignore[no-untyped-def]
    return recorded_year()


@pytest.fixture(scope="module")
def records(service):  # type: ignore[no-untyped-def]
    return health.read_records(service)


def test_health_counts_add_up_and_rates_are_shares(records: health.Records) -> None:
    outcomes = health.conversation_outcomes(records, today=TODAY)
    assert len(outcomes) == len(records.conversations)
    for by in ((), ("team",), ("manager_id",), ("type_key",)):
        for period in ("month", "quarter", None):
            rows = health.health_rows(outcomes, by=by, period=period)
            assert sum(r["planned"] for r in rows) == len(outcomes)
            for row in rows:
                kinds = sum(row[o.value] for o in health.Outcome)
                assert row["planned"] == kinds
                assert row["due"] == row["held"] + row["missed"] + row["overdue"]
                for rate in ("on_time_rate", "held_rate"):
                    assert row[rate] is None or 0 <= row[rate] <= 1


def test_missed_conversations_keep_their_reason(records: health.Records) -> None:
    outcomes = health.conversation_outcomes(records, today=TODAY)
    missed = health.missed_rows(outcomes)
    assert {r["reason"] for r in missed} == {"verzet en niet opnieuw gepland", "ziek"}
    assert sum(r["conversations"] for r in missed) == sum(
        o.outcome is health.Outcome.MISSED for o in outcomes
    )


def test_sign_off_follow_through_and_poortwachter(service, records) -> None:  # type: ignore[no-untyped-def]
    sign = health.sign_off_rows(records)
    assert {r["type_key"] for r in sign} == {"growth_review", "appraisal"}
    for row in sign:
        assert row["reports"] == row["signed"] + row["refused"] + row["awaiting"]
        assert 0 <= row["sign_off_rate"] <= 1
        assert row["median_days_to_sign_off"] > 0  # signed some days after sharing
    assert sum(row["refused"] for row in sign) > 0
    (items,) = health.follow_through_rows(records, today=TODAY, by=())
    assert items["items"] == items["done_on_time"] + items["done_late"] + items["open"]
    assert 0 < items["open_overdue"] <= items["open"]
    assert items["done_late"] > 0
    assert 0 < items["escalated"] <= items["carried"]  # escalated after moving too often
    assert 0 <= items["done_on_time_rate"] <= 1
    rows = health.poortwachter_rows(health.conversation_outcomes(records, today=TODAY),
                                    service.catalog)  # fmt: skip
    assert rows
    assert {r["type_key"] for r in rows} == {"absence"}
    for row in rows:
        assert row["met_on_time"] + row["met_late"] == row["held"]


def test_unknown_grouping_or_period_is_refused(records: health.Records) -> None:
    outcomes = health.conversation_outcomes(records, today=TODAY)
    with pytest.raises(InvalidValueError, match="by: cannot group by 'name'"):
        health.health_rows(outcomes, by=("name",))
    with pytest.raises(InvalidValueError, match="period: unknown period 'week'"):
        health.health_rows(outcomes, period="week")


def test_reading_health_is_logged_for_health_related_records(service) -> None:  # type: ignore[no-untyped-def]
    health.read_records(service)
    logged = service.administration.access_log_by_reader("administration")
    assert any(entry.sensitivity == "health_related" for entry in logged)


def test_only_the_hr_contact_gets_signals(service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AccessDeniedError):
        analysis.early_signals(service, reader="m-01")
    with pytest.raises(AccessDeniedError):
        analysis.answer_trends(service, reader="m-01")
    frame = analysis.early_signals(service, reader=HR_CONTACT.id)
    assert set(frame["kind"]) <= set(signals.SIGNAL_KINDS)
    assert "employee_id" not in frame.columns
    assert (frame["group_people"] >= MIN_GROUP_SIZE).all()


def test_trends_never_describe_fewer_people_than_the_minimum(records: health.Records) -> None:
    for minimum in (2, MIN_GROUP_SIZE, 8, 20):
        rows = signals.answer_trend_rows(records, min_group_size=minimum)
        assert all(row["people"] >= minimum for row in rows)
    assert len(signals.answer_trend_rows(records, min_group_size=20)) < len(
        signals.answer_trend_rows(records)
    )
    with pytest.raises(InvalidValueError, match="min_group_size"):
        signals.answer_trend_rows(records, min_group_size=1)


# --- synthetic records for the invariants --------------------------------------------------

AT = datetime(2027, 1, 1, tzinfo=UTC)


def _held(talk_id: str, employee: str, day: date, answers: dict[str, object]) -> Conversation:
    talk = Conversation.plan(id=talk_id, type_key="check_in", employee_id=employee,
                             manager_id="m", window=Window(day, day, day))  # fmt: skip
    held = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    talk = talk.schedule(held, at=AT).hold(at=held, held_at=held)
    stamped = tuple(Answer(k, v, employee, held) for k, v in answers.items())  # type: ignore[arg-type]
    return Conversation(**{**{f: getattr(talk, f) for f in ("id", "type_key", "employee_id",
                        "manager_id", "participants", "window", "status", "starts_at",
                        "history", "held_at")}, "answers": stamped,
                        "question_set": QuestionSetRef("check_in", 1)})  # fmt: skip


answer_sets = st.lists(
    st.tuples(
        st.integers(0, 11),  # person
        st.integers(0, 2),  # team
        st.integers(0, 3),  # quarter
        st.integers(1, 5),  # workload, and the wellbeing score
        st.booleans(),  # considering leaving
        st.integers(0, 20),  # day of the month
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(answers=answer_sets, minimum=st.integers(2, 7))
def test_no_shown_cell_or_difference_describes_fewer_than_the_minimum(
    answers: list[tuple[int, int, int, int, bool, int]], minimum: int
) -> None:
    people = tuple(
        Person(id=f"p{n}", name=f"P {n}", hire_date=date(2020, 1, 1), team=f"t{n % 3}")
        for n in range(12)
    )
    talks = tuple(
        _held(
            f"c{i}",
            f"p{person}",
            date(2027, 3 * quarter + 1, 1 + day),
            {"workload": value, "wellbeing_score": value, "considering_leaving": leaving},
        )
        for i, (person, _team, quarter, value, leaving, day) in enumerate(answers)
    )
    records = health.Records(people=people, conversations=talks)
    rows = signals.answer_trend_rows(records, min_group_size=minimum)
    assert all(row["people"] >= minimum for row in rows)
    for question in signals.TREND_QUESTIONS:
        for quarter in range(1, 5):
            shown = [r for r in rows if r["quarter"] == quarter and r["question_key"] == question]
            everyone = [r for r in shown if r["team"] == signals.ORGANISATION]
            teams = [r for r in shown if r["team"] != signals.ORGANISATION]
            if everyone:
                hidden = everyone[0]["people"] - sum(r["people"] for r in teams)
                assert hidden == 0 or hidden >= minimum
    found = signals.signal_rows(records, today=date(2028, 1, 1), min_group_size=minimum)
    for signal in found:
        assert signal.group_people >= minimum
        assert 0 < signal.people <= signal.group_people
        assert not re.search(r"\bp\d+\b", signal.evidence)  # no person id


def test_workload_rising_two_quarters_in_a_row() -> None:
    people = tuple(Person(id=f"p{n}", name=f"P {n}", hire_date=date(2020, 1, 1), team="zorg")
                   for n in range(5))  # fmt: skip
    talks = tuple(
        _held(f"c{q}{n}", f"p{n}", date(2027, 3 * q + 1, 10), {"workload": 2 + q})
        for q in range(3)
        for n in range(5)
    )
    records = health.Records(people=people, conversations=talks)
    (signal,) = signals.signal_rows(records, today=date(2028, 1, 1))
    assert (signal.team, signal.kind, signal.year, signal.quarter) == (
        "zorg", "workload_rising", 2027, 3)  # fmt: skip
    assert signals.signal_rows(records, today=date(2028, 1, 1), min_group_size=6) == []


def _png(ax: object) -> bytes:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")  # type: ignore[attr-defined]
    matplotlib.pyplot.close(ax.figure)  # type: ignore[attr-defined]
    return buffer.getvalue()


@pytest.mark.parametrize(("locale", "word"), [("nl", "Gehouden"), ("en", "held")])
def test_plots_of_health_and_trends_render_in_the_language(service, locale, word) -> None:  # type: ignore[no-untyped-def]
    records = health.read_records(service)
    frame = analysis.cycle_health(service, by=(), period="quarter", records=records)
    ax = analysis.plot_health_over_time(frame, locale=locale)
    assert word in ax.get_title()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[-4:] == ["Q1 2027", "Q2 2027", "Q3 2027", "Q4 2027"]
    assert len(_png(ax)) > 5_000
    trends = analysis.answer_trends(service, reader=HR_CONTACT.id, records=records)
    ax = analysis.plot_signal_trends(trends, "wellbeing_score", label="welzijn", locale=locale)
    assert "welzijn" in ax.get_title()
    teams = {t for t in trends["team"] if t != signals.ORGANISATION}
    assert len(ax.get_lines()) == len(teams) + 1  # every team shown, and the organisation
    assert len(_png(ax)) > 5_000


def test_health_plots_draw_into_given_axes_and_say_when_there_is_nothing(service) -> None:  # type: ignore[no-untyped-def]
    _figure, (left, right) = matplotlib.pyplot.subplots(1, 2)
    frame = analysis.cycle_health(service, by=(), period="month")
    assert analysis.plot_health_over_time(frame, ax=left) is left
    trends = analysis.answer_trends(service, reader=HR_CONTACT.id, min_group_size=500)
    assert trends.empty
    ax = analysis.plot_signal_trends(trends, "workload", ax=right, locale="en")
    assert ax is right
    assert [t.get_text() for t in ax.texts] == ["no group large enough to show"]
    assert _png(ax).startswith(b"\x89PNG")


stories = st.lists(
    st.tuples(
        st.integers(0, 5),  # employee
        st.integers(0, 300),  # target day of 2027
        st.sampled_from(["open", "held", "missed", "cancelled"]),
        st.integers(-10, 40),  # held this many days after the target
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(stories=stories, today=st.integers(0, 400), period=st.sampled_from(["month", "quarter"]))
def test_every_conversation_has_one_outcome_and_the_counts_add_up(
    stories: list[tuple[int, int, str, int]], today: int, period: str
) -> None:
    start = date(2027, 1, 1)
    people = tuple(
        Person(id=f"p{n}", name=f"P {n}", hire_date=date(2020, 1, 1), team=f"t{n % 2}")
        for n in range(6)
    )
    talks = []
    for i, (person, offset, story, late) in enumerate(stories):
        target = date.fromordinal(start.toordinal() + offset)
        window = Window(
            date.fromordinal(target.toordinal() - 3),
            target,
            date.fromordinal(target.toordinal() + 7),
        )
        talk = Conversation.plan(id=f"c{i}", type_key="check_in", employee_id=f"p{person}",
                                 manager_id="m", window=window)  # fmt: skip
        if story == "held":
            held = datetime(target.year, target.month, target.day, 12, tzinfo=UTC)
            held += timedelta(days=late)
            talk = talk.schedule(held, at=AT).hold(at=held, held_at=held)
        elif story == "missed":
            talk = talk.mark_missed(reason="ziek", at=AT)
        elif story == "cancelled":
            talk = talk.cancel(reason="vervalt", at=AT)
        talks.append(talk)
    records = health.Records(people=people, conversations=tuple(talks))
    day = date.fromordinal(start.toordinal() + today)
    outcomes = health.conversation_outcomes(records, today=day)
    assert len(outcomes) == len(talks)
    for by in ((), ("team",), ("employee_id", "type_key")):
        rows = health.health_rows(outcomes, by=by, period=period)
        assert sum(row["planned"] for row in rows) == len(talks)
        for row in rows:
            assert row["planned"] == sum(row[o.value] for o in health.Outcome)
            assert row["due"] == row["held"] + row["missed"] + row["overdue"]
            assert row["held_on_time"] <= row["due"]
            for rate in ("on_time_rate", "held_rate"):
                assert row[rate] is None or 0 <= row[rate] <= 1
    for o in outcomes:
        if o.outcome is health.Outcome.OVERDUE:
            assert o.latest < day
        if o.outcome is health.Outcome.HELD_ON_TIME:
            assert o.held_on is not None
            assert o.earliest <= o.held_on <= o.latest


def test_poortwachter_milestones_follow_the_cases_of_the_stored_events(service, records) -> None:  # type: ignore[no-untyped-def]
    today = date(2027, 12, 31)
    rows = health.poortwachter_milestone_rows(records, today=today, locale="en")
    talks = {talk.id: talk for talk in records.conversations}
    statuses = {row["status"] for row in rows}
    assert statuses <= set(health.MILESTONE_STATUSES)
    assert {"met_on_time", "met_late", "missed", "not_recorded", "not_planned"} <= statuses
    for row in rows:
        assert row["deadline"] <= today
        if row["status"] == "not_recorded":
            assert row["conversation_id"] is None
            continue
        assert row["conversation_id"] is not None
        talk = talks.get(row["conversation_id"])
        assert (talk is None) is (row["status"] == "not_planned")
        if talk is not None:
            assert talk.type_key == "absence"
            assert talk.window.latest == row["deadline"]  # the planner's deadline
        if row["status"] == "met_on_time":
            assert row["held_on"] <= row["deadline"]
        if row["status"] == "met_late":
            assert row["held_on"] > row["deadline"]
    laws = [r for r in rows if r["milestone"] == "uwv_week_42_report"]
    assert laws
    assert all(r["basis"] == "law" for r in laws)
    frame = analysis.poortwachter_milestones(service, today=today, records=records)
    assert len(frame) == len(rows)
    assert frame["employee_name"].notna().all()
    assert str(frame["deadline"].dtype).startswith("datetime64")


def test_the_recorded_year_is_the_same_every_run() -> None:
    first = health.read_records(recorded_year(until=date(2027, 4, 30)))
    second = health.read_records(recorded_year(until=date(2027, 4, 30)))
    assert first == second
    assert any(talk.answers for talk in first.conversations)


def test_the_health_plots_take_a_service_in_one_call(service) -> None:  # type: ignore[no-untyped-def]
    ax = analysis.plot_health_over_time(service, period="quarter", locale="en")
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Q4 2027"
    assert len(_png(ax)) > 5_000
    ax = analysis.plot_signal_trends(service, "wellbeing_score", reader=HR_CONTACT.id)
    assert len(ax.get_lines()) > 1
    assert len(_png(ax)) > 5_000
    assert ax.get_ylim() == (1.0, 5.0)  # the whole scale, not a zoom on small moves
    ax = analysis.plot_signal_trends(service, "considering_leaving", reader=HR_CONTACT.id)
    assert ax.get_ylim() == (0.0, 1.0)
    assert ax.get_ylabel() == "aandeel ja"
    _png(ax)
    with pytest.raises(InvalidValueError, match="reader"):
        analysis.plot_signal_trends(service, "wellbeing_score")
    with pytest.raises(AccessDeniedError):
        analysis.plot_signal_trends(service, "wellbeing_score", reader="m-01")


def test_every_health_and_signal_table_uses_only_the_documented_vocabulary(service) -> None:  # type: ignore[no-untyped-def]
    records = health.read_records(service)
    tables = {
        "cycle_health": analysis.cycle_health(
            service, by=("team", "manager_id", "type_key", "employee_id"), records=records
        ),
        "missed_conversations": analysis.missed_conversations(service, records=records),
        "sign_off_health": analysis.sign_off_health(service, period="quarter", records=records),
        "follow_through": analysis.follow_through(service, period="month", records=records),
        "poortwachter_health": analysis.poortwachter_health(service, records=records),
        "poortwachter_milestones": analysis.poortwachter_milestones(service, records=records),
        "answer_trends": analysis.answer_trends(service, reader=HR_CONTACT.id, records=records),
        "early_signals": analysis.early_signals(service, reader=HR_CONTACT.id, records=records),
    }
    for name, table in tables.items():
        assert not table.empty, name
        unknown = [column for column in table.columns if column not in COLUMNS]
        assert not unknown, f"{name}: {unknown}"


def test_the_core_health_signals_and_design_document_need_no_pandas() -> None:
    code = (
        "import sys\n"
        "import gesprekscyclus.planning.design_document, gesprekscyclus.service.health\n"
        "import gesprekscyclus.service.signals, gesprekscyclus.examples.recorded\n"
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
