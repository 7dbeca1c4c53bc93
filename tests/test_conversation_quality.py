"""The employee's voice feeds the signals: conversation quality per team or manager, only in
aggregate, only for the HR contact, never about fewer than the minimum group size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus import analysis
from gesprekscyclus.domain.access import MIN_GROUP_SIZE
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.voice import VoiceAnswer
from gesprekscyclus.errors import AccessDeniedError, InvalidValueError
from gesprekscyclus.examples.recorded import HR_CONTACT, recorded_year
from gesprekscyclus.planning.columns import COLUMNS
from gesprekscyclus.service import health, signals

TODAY = date(2028, 1, 1)
MAY = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)


def _answer(employee: str, score: int, *, team: str = "Zorg", manager: str = "m-1", day: int = 0,
            remark: str | None = None) -> VoiceAnswer:  # fmt: skip
    return VoiceAnswer(
        conversation_id=f"c-{employee}-{day}",
        employee_id=employee,
        manager_id=manager,
        team=team,
        type_key="check_in",
        at=MAY + timedelta(days=day),
        heard=score,
        useful=score,
        clear_agreements=score,
        remark=remark,
    )


def _records(answers: list[VoiceAnswer]) -> health.Records:
    people = tuple(
        Person(id=a.employee_id, name=f"Naam {a.employee_id}", hire_date=date(2020, 1, 1))
        for a in {a.employee_id: a for a in answers}.values()
    )
    return health.Records(people=people, conversations=(), voice_answers=tuple(answers))


def _quality(records: health.Records, **options: object) -> list[signals.Signal]:
    return [
        signal
        for signal in signals.signal_rows(records, today=TODAY, **options)  # type: ignore[arg-type]
        if signal.kind == "conversation_quality_low"
    ]


def test_low_ratings_of_enough_people_give_a_signal_that_names_no_one() -> None:
    answers = [_answer(f"e-{n}", 2, remark="niet gehoord") for n in range(MIN_GROUP_SIZE)]
    (signal,) = _quality(_records(answers))
    assert (signal.team, signal.year, signal.quarter) == ("Zorg", 2027, 2)
    assert signal.people == signal.group_people == MIN_GROUP_SIZE
    assert "heard 2.00" in signal.evidence
    assert "e-0" not in signal.evidence
    assert "niet gehoord" not in signal.evidence


def test_no_signal_below_the_minimum_group_size_or_above_the_threshold() -> None:
    too_few = [_answer(f"e-{n}", 1) for n in range(MIN_GROUP_SIZE - 1)]
    assert _quality(_records(too_few)) == []
    fine = [_answer(f"e-{n}", 4) for n in range(MIN_GROUP_SIZE)]
    assert _quality(_records(fine)) == []
    assert _quality(_records(fine), low_quality=4.0) != []
    # one person answering many times is still one person
    repeated = [_answer("e-0", 1, day=day) for day in range(10)]
    assert _quality(_records(repeated)) == []


def test_quarters_are_separate_groups() -> None:
    spring = [_answer(f"e-{n}", 2) for n in range(3)]
    autumn = [_answer(f"e-{n}", 2, day=120) for n in range(3, 6)]
    assert _quality(_records(spring + autumn)) == []


@settings(max_examples=60, deadline=None)
@given(
    answers=st.lists(
        st.builds(
            _answer,
            employee=st.sampled_from([f"e-{n}" for n in range(9)]),
            score=st.integers(1, 5),
            team=st.sampled_from(["A", "B", "C"]),
            manager=st.sampled_from(["m-1", "m-2"]),
            day=st.integers(0, 300),
        ),
        max_size=40,
        unique_by=lambda a: a.conversation_id,
    ),
    minimum=st.integers(MIN_GROUP_SIZE, 7),
)
def test_no_quality_signal_or_row_describes_fewer_than_the_minimum(
    answers: list[VoiceAnswer], minimum: int
) -> None:
    records = _records(answers)
    for signal in _quality(records, min_group_size=minimum):
        inside = {
            a.employee_id
            for a in answers
            if a.team == signal.team
            and (a.at.year, (a.at.month - 1) // 3 + 1) == (signal.year, signal.quarter)
        }
        assert len(inside) == signal.group_people >= minimum


@pytest.fixture(scope="module")
def service():  # type: ignore[no-untyped-def]
    return recorded_year()


def test_the_quality_table_is_for_the_hr_contact_in_the_documented_vocabulary(service) -> None:  # type: ignore[no-untyped-def]
    answers = [_answer(f"e-{n}", 3 + n % 2, manager="m-2" if n > 5 else "m-1") for n in range(12)]
    records = _records(answers)
    with pytest.raises(AccessDeniedError):
        analysis.conversation_quality(service, reader="m-1", records=records)
    with pytest.raises(InvalidValueError, match="by"):
        analysis.conversation_quality(service, reader=HR_CONTACT.id, by="type", records=records)
    teams = analysis.conversation_quality(service, reader=HR_CONTACT.id, records=records)
    assert list(teams["team"]) == ["Zorg"]
    assert list(teams["people"]) == [12]
    assert teams.loc[0, "heard"] == pytest.approx(3.5)
    managers = analysis.conversation_quality(
        service, reader=HR_CONTACT.id, by="manager", records=records
    )
    # m-2 has six employees, m-1 six: both shown; raising the minimum hides both
    assert list(managers["manager_id"]) == ["m-1", "m-2"]
    hidden = analysis.conversation_quality(
        service, reader=HR_CONTACT.id, by="manager", records=records, min_group_size=7
    )
    assert hidden.empty
    for table in (teams, managers, hidden):
        assert "remark" not in table.columns
        assert "employee_id" not in table.columns
        assert [column for column in table.columns if column not in COLUMNS] == []


def test_the_store_snapshot_carries_the_checks(service) -> None:  # type: ignore[no-untyped-def]
    with service.store.unit_of_work() as uow:
        stored = tuple(uow.voice_answers.all())
    assert health.read_records(service).voice_answers == stored
