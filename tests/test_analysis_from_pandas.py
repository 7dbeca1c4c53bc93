"""People and events from a DataFrame, with the checks and messages of the CSV readers."""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from gesprekscyclus import analysis
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.errors import DesignError, InvalidValueError, NoWorkingDayError
from gesprekscyclus.examples import directory, load_reference
from gesprekscyclus.planning.people_file import PEOPLE_COLUMNS, parse_events, parse_people
from gesprekscyclus.planning.planner import plan

from .test_analysis_frames import small_design


def test_the_reference_people_read_from_a_dataframe_equal_the_csv_file() -> None:
    _design, people, events = load_reference()
    frame = pd.read_csv(directory() / "people.csv", sep=";", dtype=str)
    from_frame = analysis.people_from_frame(frame)
    assert from_frame == people
    parsed = pd.read_csv(directory() / "people.csv", sep=";", parse_dates=["hire_date", "end_date"])
    assert analysis.people_from_frame(parsed) == people
    event_frame = pd.read_csv(directory() / "events.csv", sep=";", parse_dates=["on"])
    assert analysis.events_from_frame(event_frame, people=people) == events


def test_pandas_values_become_what_a_file_would_hold() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "name": ["Mila", "Daan"],
            "manager_id": [np.nan, 1.0],  # what pandas makes of an id column with a gap
            "hire_date": [pd.Timestamp("2019-04-01"), datetime(2024, 2, 29)],
            "end_date": [pd.NaT, date(2030, 1, 31)],
            "working_days": [WorkingPattern.of("mon tue"), ["ma", "dinsdag"]],
            "team": [None, pd.NA],
        }
    )
    mila, daan = analysis.people_from_frame(frame)
    assert (mila.id, mila.manager_id, mila.end_date, mila.team) == ("1", None, None, None)
    assert (daan.manager_id, daan.hire_date, daan.end_date) == (
        "1",
        date(2024, 2, 29),
        date(2030, 1, 31),
    )
    assert daan.working_pattern.names == ("mon", "tue")
    records = [{"id": "e-1", "name": "Eva", "hire_date": date(2021, 3, 1)}]
    assert analysis.people_from_frame(records)[0].hire_date == date(2021, 3, 1)


BAD = """id,name,manager_id,hire_date,working_days,time_zone
m-1,Mila,,2019-04-01,,
e-1,Daan,m-9,2024-02-30,mon xyz,
e-2,,m-1,2024-01-01,,Mars/Base
"""


def test_the_same_problems_as_the_csv_reader_on_the_same_rows() -> None:
    with pytest.raises(DesignError) as from_file:
        parse_people(BAD, source="people")
    frame = pd.read_csv(io.StringIO(BAD), dtype=str, keep_default_na=False)
    with pytest.raises(DesignError) as from_frame:
        analysis.people_from_frame(frame, source="people")
    # The file counts the header as line 1; records count from 1.
    shifted = [str(problem).replace("people:", "", 1) for problem in from_file.value.problems]
    mine = [str(problem).replace("people:", "", 1) for problem in from_frame.value.problems]
    assert [text.split(":", 1)[1] for text in mine] == [text.split(":", 1)[1] for text in shifted]
    assert [int(text.split(":", 1)[0]) + 1 for text in mine] == [
        int(text.split(":", 1)[0]) for text in shifted
    ]
    assert "unknown day 'xyz'" in str(from_frame.value)


def test_unknown_and_missing_columns_are_named_with_the_allowed_ones() -> None:
    with pytest.raises(DesignError) as caught:
        analysis.people_from_frame(pd.DataFrame({"id": ["e"], "naam": ["Eva"]}))
    text = str(caught.value)
    assert "DataFrame: naam: unknown column (allowed: " + ", ".join(PEOPLE_COLUMNS) in text
    assert "DataFrame: name: required column is missing" in text
    assert "DataFrame: hire_date: required column is missing" in text
    with pytest.raises(DesignError, match="holds no records"):
        analysis.people_from_frame(pd.DataFrame(columns=["id", "name", "hire_date"]))


def test_a_time_of_day_where_a_date_is_meant_is_refused_clearly() -> None:
    frame = pd.DataFrame(
        {"id": ["e"], "name": ["Eva"], "hire_date": [pd.Timestamp("2021-03-01 09:30")]}
    )
    with pytest.raises(
        DesignError,
        match=r"DataFrame:1: hire_date: '2021-03-01T09:30:00' is not "
        r"a date \(expected YYYY-MM-DD\)",
    ):
        analysis.people_from_frame(frame)


def test_events_are_checked_against_the_people() -> None:
    people = (Person(id="e", name="Eva", hire_date=date(2021, 3, 1)),)
    frame = pd.DataFrame(
        {
            "person_id": ["e", "x"],
            "kind": ["sick_report", "recovery"],
            "on": pd.to_datetime(["2027-01-11", "2027-01-20"]),
        }
    )
    with pytest.raises(DesignError) as caught:
        analysis.events_from_frame(frame, people=people)
    assert "DataFrame:2: person_id: 'x' is not the id of a known person" in str(caught.value)
    same_as_file = parse_events("person_id,kind,on\ne,sick_report,2027-01-11\n", people=people)
    assert analysis.events_from_frame(frame.iloc[:1], people=people) == same_as_file


def test_plan_takes_text_and_timestamps_for_its_horizon() -> None:
    people = [
        Person(id="m", name="Mia", hire_date=date(2020, 1, 1)),
        Person(id="e", name="Eva", hire_date=date(2020, 1, 1), manager_id="m"),
    ]
    expected = plan(small_design(), people, start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert plan(small_design(), people, start="2026-01-01", end="2026-03-31") == expected
    assert (
        plan(
            small_design(), people, start=pd.Timestamp("2026-01-01"), end=pd.Timestamp("2026-03-31")
        )
        == expected
    )
    with pytest.raises(InvalidValueError, match=r"start: '2026-02-30' is not a valid date"):
        plan(small_design(), people, start="2026-02-30", end="2026-03-31")
    with pytest.raises(InvalidValueError, match="end: '31-03-2026' is not a date"):
        plan(small_design(), people, start="2026-01-01", end="31-03-2026")
    with pytest.raises(InvalidValueError, match=r"end: .* has a time of day"):
        plan(small_design(), people, start="2026-01-01", end=pd.Timestamp("2026-03-31 12:00"))
    with pytest.raises(InvalidValueError, match="start: must be a date or YYYY-MM-DD text"):
        plan(small_design(), people, start=20260101, end="2026-03-31")  # type: ignore[arg-type]


def test_working_patterns_take_lists_and_dutch_names_as_the_file_does() -> None:
    assert WorkingPattern.of(["mon"]) == WorkingPattern.of("mon") == WorkingPattern.of("ma")
    assert WorkingPattern.of("maandag, woensdag") == WorkingPattern.of("Monday", "wed")
    (person,) = parse_people("id,name,hire_date,working_days\ne,Eva,2021-03-01,ma wo vr\n")
    assert person.working_pattern == WorkingPattern.of(["ma", "wo", "vr"])
    with pytest.raises(InvalidValueError, match=r"unknown day 'xyz' \(Dutch names such as"):
        WorkingPattern.of(["mon", "xyz"])
    with pytest.raises(InvalidValueError, match="is not a day name"):
        WorkingPattern.of([1])  # type: ignore[list-item]


def test_no_common_working_day_says_who() -> None:
    people = [
        Person(
            id="m", name="Mia", hire_date=date(2020, 1, 1), working_pattern=WorkingPattern.of("mon")
        ),
        Person(
            id="e",
            name="Eva",
            hire_date=date(2020, 1, 1),
            manager_id="m",
            working_pattern=WorkingPattern.of(["di"]),
        ),
    ]
    with pytest.raises(
        NoWorkingDayError,
        match=r"'e' \(tue\) and their manager 'm' \(mon\) "
        r"share no working day",
    ):
        plan(small_design(), people, start="2026-01-01", end="2026-03-31")


def test_a_column_named_twice_is_refused_as_in_a_file_instead_of_losing_a_value() -> None:
    frame = pd.DataFrame(
        [["e-1", "Eva", "2020-01-01", "Eva de Vries"]], columns=["id", "name", "hire_date", "name"]
    )
    with pytest.raises(DesignError) as caught:
        analysis.people_from_frame(frame)
    assert [str(problem) for problem in caught.value.problems] == [
        "DataFrame: name: column appears more than once"
    ]
    events = pd.DataFrame([["e-1", "sick_report", "2026-01-05", "e-1"]],
                          columns=["person_id", "kind", "on", "person_id"])  # fmt: skip
    with pytest.raises(DesignError, match="person_id: column appears more than once"):
        analysis.events_from_frame(events)


@pytest.mark.parametrize("data", [None, 5, "id,name", b"id", {"id": "e-1"}])
def test_something_that_is_no_table_is_a_design_error(data: object) -> None:
    with pytest.raises(DesignError) as caught:
        analysis.people_from_frame(data)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"DataFrame: expected a DataFrame or an iterable of records, got {type(data).__name__}"
    )


def test_a_row_that_is_no_record_is_a_design_error_naming_its_position() -> None:
    rows: list[object] = [{"id": "e-1", "name": "Eva", "hire_date": "2020-01-01"}, 7]
    with pytest.raises(DesignError, match=r"^DataFrame:2: a record is a Person or a mapping"):
        analysis.people_from_frame(rows)  # type: ignore[arg-type]
    eva = Person(id="e-1", name="Eva", hire_date=date(2020, 1, 1))
    with pytest.raises(DesignError, match=r"^DataFrame:1: a record is a mapping, got Person$"):
        analysis.events_from_frame([eva])  # type: ignore[list-item]


def test_floats_that_stand_for_no_id_are_refused_with_row_and_column() -> None:
    frame = pd.DataFrame(
        {
            "id": [2.0**53, 2.0**53 + 2, float("inf")],
            "name": ["Mila", "Daan", "Eva"],
            "manager_id": [np.nan, 2.0**53, -float("inf")],
            "hire_date": ["2020-01-01"] * 3,
        }
    )
    with pytest.raises(DesignError) as caught:
        analysis.people_from_frame(frame)
    found = [(p.line, p.path) for p in caught.value.problems]
    # 2**53 itself is exact; past it a float stands for more than one whole number.
    assert found == [(2, "id"), (3, "id"), (3, "manager_id")]
    assert "past 2**53" in str(caught.value)
    assert "Int64" in str(caught.value)
    assert "inf is not a value a file could hold" in str(caught.value)
    exact = analysis.people_from_frame(frame.iloc[:1])
    assert exact[0].id == str(2**53)
