"""Reading people and life events from CSV: round trips, formats and every kind of problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import LeapDayPolicy, Person, WorkingPattern
from gesprekscyclus.errors import DesignError, GesprekscyclusError, Problem
from gesprekscyclus.planning.csv_cells import FORMULA_STARTS, neutralise, restore
from gesprekscyclus.planning.people_file import (
    PEOPLE_COLUMNS,
    CsvLimits,
    events_to_csv,
    parse_events,
    parse_people,
    people_to_csv,
    read_events,
    read_people,
)

from . import strategies as gs

HEADER = "id,name,manager_id,hire_date"


def problems_of(text: str, *, events: bool = False, people: tuple[Person, ...] = ()) -> list[str]:
    def parse() -> object:
        if events:
            return parse_events(text, source="events.csv", people=people or None)
        return parse_people(text, source="people.csv")

    with pytest.raises(DesignError) as caught:
        parse()
    assert all(isinstance(problem, Problem) for problem in caught.value.problems)
    return [str(problem) for problem in caught.value.problems]


# --- round trips ----------------------------------------------------------------------------


@given(gs.staff(), st.sampled_from([",", ";"]), st.booleans())
def test_people_round_trip_through_csv(
    people: tuple[Person, ...], delimiter: str, bom: bool
) -> None:
    text = people_to_csv(people, delimiter=delimiter)
    assert parse_people(("\ufeff" if bom else "") + text) == people


@given(gs.staff(max_size=4).flatmap(lambda ps: st.tuples(st.just(ps), gs.staff_events(ps))))
def test_events_round_trip_through_csv(
    drawn: tuple[tuple[Person, ...], tuple[LifeEvent, ...]],
) -> None:
    people, events = drawn
    for delimiter in (",", ";"):
        text = events_to_csv(events, delimiter=delimiter)
        assert parse_events(text, people=people) == events


def test_files_are_read_with_bom_and_windows_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    text = "id;name;hire_date;working_days\r\ne-1;José Núñez;2024-02-29;ma di do\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    (person,) = read_people(path)
    assert person.name == "José Núñez"
    assert person.working_pattern == WorkingPattern.of("mon", "tue", "thu")
    events = tmp_path / "events.csv"
    events.write_text("person_id,kind,on\ne-1,sick_report,2026-03-02\n", encoding="utf-8")
    (event,) = read_events(events, people=[person])
    assert event == LifeEvent(on=date(2026, 3, 2), person_id="e-1", kind="sick_report")


def test_optional_columns_default_and_blank_lines_are_skipped() -> None:
    text = "\n\nid,name,hire_date,locale,leap_day_policy,time_zone\n\ne-1,An,2020-01-01,,,\n\n"
    (person,) = parse_people(text)
    assert person == Person(id="e-1", name="An", hire_date=date(2020, 1, 1))


def test_columns_in_any_order_and_case() -> None:
    text = "Hire_Date;NAME;Id;Leap_Day_Policy;Working_Days\n2024-02-29;An;e-1;MAR1;Mon Wed\n"
    (person,) = parse_people(text)
    assert person.leap_day_policy is LeapDayPolicy.MAR1
    assert person.working_pattern.names == ("mon", "wed")


def test_quoted_fields_keep_delimiters_and_line_breaks() -> None:
    text = (
        'id,name,hire_date,team\ne-1,"Vries, Anna de",2020-01-01,"R&D\nlab"\ne-2,Bo,2021-01-01,\n'
    )
    first, second = parse_people(text)
    assert first.name == "Vries, Anna de"
    assert first.team == "R&D\nlab"
    assert second.id == "e-2"


def test_every_column_is_documented_in_people_to_csv() -> None:
    assert people_to_csv([]).strip() == ",".join(PEOPLE_COLUMNS)


# --- problems: every one, with file, line, column and allowed values --------------------------


def test_every_bad_value_is_reported_with_line_and_column() -> None:
    text = (
        "id,name,hire_date,end_date,locale,time_zone,working_days,email,leap_day_policy\n"
        "e-1,An,2020-13-01,,fr,Mars/Base,mon xyz,not-an-address,feb29\n"
        "e-2,,01-02-2020,2019-01-01,nl,UTC,mon,,\n"
    )
    assert problems_of(text) == [
        "people.csv:2: hire_date: '2020-13-01' is not a valid date (expected YYYY-MM-DD)",
        "people.csv:2: locale: unknown value 'fr' (allowed: nl, en)",
        "people.csv:2: time_zone: unknown IANA time zone 'Mars/Base' (e.g. 'Europe/Amsterdam', "
        "'UTC')",
        "people.csv:2: working_days: unknown day 'xyz' (Dutch names such as 'ma', 'di' work too) "
        "(allowed: mon, tue, wed, thu, fri, sat, sun)",
        "people.csv:2: email: 'not-an-address' is not an e-mail address",
        "people.csv:2: leap_day_policy: unknown value 'feb29' (allowed: feb28, mar1, omit)",
        "people.csv:3: name: is required",
        "people.csv:3: hire_date: '01-02-2020' is not a date (expected YYYY-MM-DD)",
    ]


def test_domain_rules_are_reported_as_columns() -> None:
    text = f"{HEADER},end_date\ne-1,An,e-1,2020-01-01,\ne-2,Bo,,2020-01-01,2019-12-31\n"
    assert problems_of(text) == [
        "people.csv:2: manager_id: a person cannot manage themselves",
        "people.csv:3: end_date: 2019-12-31 lies before the hire date 2020-01-01",
    ]


def test_references_between_rows_are_checked() -> None:
    text = (
        f"{HEADER},working_days\n"
        "a,A,c,2020-01-01,\n"
        "b,B,a,2020-01-01,\n"
        "c,C,b,2020-01-01,\n"
        "a,A again,,2020-01-01,\n"
        "d,D,nobody,2020-01-01,\n"
        "m,M,,2020-01-01,mon tue\n"
        "e,E,m,2020-01-01,wed thu\n"
    )
    found = problems_of(text)
    assert "people.csv:5: id: duplicate id 'a' (first on line 2)" in found
    assert "people.csv:6: manager_id: 'nobody' is not the id of anyone in this file" in found
    assert (
        "people.csv:8: working_days: 'e' (wed thu) shares no working day with their manager "
        "'m' (mon tue)" in found
    )
    cycles = [problem for problem in found if "circular" in problem]
    assert len(cycles) == 1  # one cycle, reported once
    assert "a -> c -> b -> a" in cycles[0] or "b -> a -> c -> b" in cycles[0]


def test_header_problems() -> None:
    assert problems_of("name,hire_date,nickname\nAn,2020-01-01,Annie\n") == [
        "people.csv:1: nickname: unknown column (allowed: " + ", ".join(PEOPLE_COLUMNS) + ")",
        "people.csv:1: id: required column is missing (allowed: " + ", ".join(PEOPLE_COLUMNS) + ")",
    ]
    found = problems_of("id,name,hire_date,name\ne-1,An,2020-01-01,An\n")
    assert found == ["people.csv:1: name: column appears more than once"]


def test_an_unknown_column_does_not_hide_row_problems() -> None:
    found = problems_of("id,name,hire_date,shoe_size\ne-1,An,2020-02-30,42\n")
    assert len(found) == 2
    assert found[1].startswith("people.csv:2: hire_date:")


def test_empty_file_and_ragged_rows() -> None:
    assert problems_of("  \n") == [
        "people.csv: is empty; expected a header line with the columns (allowed: "
        + ", ".join(PEOPLE_COLUMNS)
        + ")"
    ]
    found = problems_of("id,name,hire_date\ne-1,An\ne-2,Bo,2020-01-01,extra\n")
    assert found == [
        "people.csv:2: has 2 fields where the header has 3",
        "people.csv:3: has 4 fields where the header has 3",
    ]


def test_line_numbers_count_physical_lines_of_multi_line_records() -> None:
    text = 'id,name,hire_date,team\ne-1,An,2020-01-01,"R&D\nlab"\ne-2,Bo,someday,\n'
    assert problems_of(text) == [
        "people.csv:4: hire_date: 'someday' is not a date (expected YYYY-MM-DD)"
    ]


def test_event_problems() -> None:
    people = parse_people(f"{HEADER}\nm,Mia,,2020-01-01\ne,Eva,m,2022-01-01\n")
    text = (
        "person_id,kind,on,detail\n"
        "x,sick_report,2026-01-05,\n"
        "e,holiday,2026-01-05,\n"
        "e,recovery,2026-02-01,\n"
        "e,manager_change,2026-03-01,\n"
        "e,manager_change,2026-04-01,nobody\n"
        "e,manager_change,2026-05-01,e\n"
        "e,notice_given,2021-12-31,\n"
        "e,sick_report,2026-06-01,\n"
        "e,sick_report,2026-06-10,\n"
        "e,sick_report,2026-06-10,\n"
        ",,,\n"
        "m,last_day,2026-13-01,\n"
    )
    found = problems_of(text, events=True, people=people)
    kinds = ", ".join(kind.value for kind in LifeEventKind)
    assert found == [
        "events.csv:2: person_id: 'x' is not the id of a known person",
        f"events.csv:3: kind: unknown value 'holiday' (allowed: {kinds})",
        "events.csv:4: kind: recovery on 2026-02-01 without an open sick report for 'e'",
        "events.csv:5: detail: a manager_change needs the new manager's id here",
        "events.csv:6: detail: 'nobody' is not the id of a known person",
        "events.csv:7: detail: a person cannot become their own manager",
        "events.csv:8: on: 2021-12-31 lies before the hire date 2022-01-01",
        "events.csv:10: kind: sick_report on 2026-06-10 while 'e' is already sick since "
        "2026-06-01 (line 9); add the recovery in between",
        "events.csv:11: kind: the same sick_report event again (line 10)",
        "events.csv:11: kind: sick_report on 2026-06-10 while 'e' is already sick since "
        "2026-06-01 (line 9); add the recovery in between",
        "events.csv:13: on: '2026-13-01' is not a valid date (expected YYYY-MM-DD)",
    ]


def test_blank_event_row_is_skipped_but_missing_values_are_not() -> None:
    found = problems_of("person_id,kind,on\n,,\ne-1,,\n", events=True)
    assert found[0].startswith("events.csv:3: kind: is required (allowed: hired,")
    assert found[1] == "events.csv:3: on: is required"


def test_recovery_on_the_first_sick_day_is_rejected() -> None:
    text = "person_id,kind,on\ne,sick_report,2026-01-05\ne,recovery,2026-01-05\n"
    found = problems_of(text, events=True)
    assert found == [
        "events.csv:3: kind: recovery on 2026-01-05 without an open sick report for 'e'"
    ] or found == [
        "events.csv:3: on: recovery on 2026-01-05 must lie after the first sick day "
        "2026-01-05 (line 2)"
    ]


def test_events_without_people_skip_reference_checks() -> None:
    (event,) = parse_events("person_id,kind,on,detail\nanyone,manager_change,2026-01-01,m\n")
    assert event.detail == "m"


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(DesignError) as caught:
        read_people(missing)
    assert str(caught.value).startswith(f"{missing}: cannot be read:")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name,hire_date\ne-1,Jos\xe9,2020-01-01\n".encode("latin-1"))
    with pytest.raises(GesprekscyclusError, match=r"latin\.csv: is not UTF-8 text"):
        read_events(latin)


def test_a_prognosis_needs_its_detail() -> None:
    (event,) = parse_events("person_id,kind,on,detail\ne,prognosis,2026-02-09,long_term\n")
    assert (event.kind, event.detail) == (LifeEventKind.PROGNOSIS, "long_term")
    with pytest.raises(DesignError) as caught:
        parse_events("person_id,kind,on,detail\ne,prognosis,2026-02-09,flu\n")
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert problem.allowed == ("long_term", "short_term")
    assert "detail" in str(problem)


# --- hostile input: bounded cost, one-line values, formula cells ---------------------------


def test_a_long_management_chain_and_a_long_cycle_are_checked_in_one_pass() -> None:
    count = 2_000
    chain = "".join(
        f"p{i},P{i},{f'p{i + 1}' if i + 1 < count else ''},2020-01-01\n" for i in range(count)
    )
    assert len(parse_people(f"{HEADER}\n{chain}")) == count
    cycle = "".join(f"p{i},P{i},p{(i + 1) % count},2020-01-01\n" for i in range(count))
    (problem,) = problems_of(f"{HEADER}\n{cycle}")
    assert problem.startswith(
        "people.csv:2: manager_id: circular management chain of 2000 people: p0 -> p1 -> "
    )
    assert problem.endswith("-> p1999 -> p0")


def test_two_cycles_are_reported_once_each_at_their_first_member() -> None:
    text = f"{HEADER}\nx,X,a,2020-01-01\nb,B,a,2020-01-01\na,A,b,2020-01-01\nc,C,c2,2020-01-01\n"
    text += "c2,C2,c,2020-01-01\n"
    cycles = [problem for problem in problems_of(text) if "circular" in problem]
    assert cycles == [
        "people.csv:3: manager_id: circular management chain: b -> a -> b",
        "people.csv:5: manager_id: circular management chain: c -> c2 -> c",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("An\r\nBcc: x@y", "name: contains a line break (U+000D) at position 2"),
        ("An\u2028na", "name: contains a line break (U+2028) at position 2"),
        ("An\x1bna", "name: contains a control character (U+001B) at position 2"),
        ("An\x00na", "name: contains a NUL character (U+0000) at position 2"),
        ("An\udc80na", "name: contains a lone surrogate (U+DC80) at position 2"),
    ],
)
def test_names_are_one_line_of_storable_text(value: str, expected: str) -> None:
    (problem,) = problems_of(f'{HEADER}\ne-1,"{value}",,2020-01-01\n')
    assert problem.startswith(f"people.csv:2: {expected}")


def test_ids_and_addresses_are_one_line_too() -> None:
    text = 'id,name,hire_date,email\n"e\n1",An,2020-01-01,\ne-2,Bo,2020-01-01,"b@x.nl\nBcc: c@y"\n'
    found = problems_of(text)
    assert found[0].startswith("people.csv:2: id: contains a line break (U+000A)")
    assert found[1].startswith("people.csv:4: email: contains a line break (U+000A)")


def test_values_longer_than_the_limit_are_refused_by_name() -> None:
    text = f"{HEADER}\ne-1,{'x' * 1_001},,2020-01-01\n"
    assert problems_of(text) == [
        "people.csv:2: name: is 1001 characters long; at most 1000 are allowed "
        "(CsvLimits.max_field_chars)"
    ]
    wider = CsvLimits(max_field_chars=2_000)
    assert parse_people(text, limits=wider)[0].name == "x" * 1_001


def test_rows_beyond_the_limit_are_not_read() -> None:
    text = HEADER + "\n" + "".join(f"p{i},P,,2020-01-01\n" for i in range(4))
    with pytest.raises(DesignError) as caught:
        parse_people(text, limits=CsvLimits(max_rows=3))
    assert [str(problem) for problem in caught.value.problems] == [
        "people.csv:5: has more than 3 data rows; the rest is not read (CsvLimits.max_rows)"
    ]
    assert len(parse_people(text, limits=CsvLimits(max_rows=4))) == 4


def test_problems_beyond_the_limit_are_summarised() -> None:
    text = HEADER + "\n" + "".join(f"p{i},P,,someday\n" for i in range(150))
    found = problems_of(text)
    assert len(found) == 101
    assert found[-1] == (
        "people.csv: 50 more problems not shown (at most 100 are listed; CsvLimits.max_problems)"
    )


def test_files_larger_than_the_limit_are_not_read(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    rows = "".join(f"e{i:03},An,,2020-01-01\n" for i in range(100))
    path.write_text(f"{HEADER}\n{rows}", encoding="utf-8")
    with pytest.raises(DesignError, match=r"is larger than 1000 bytes, the most that is read"):
        read_people(path, limits=CsvLimits(max_bytes=1_000))
    assert len(read_people(path, limits=CsvLimits(max_bytes=10_000))) == 100
    with pytest.raises(DesignError, match=r"holds 2029 characters; at most 1000 are read"):
        parse_people(path.read_text(encoding="utf-8"), limits=CsvLimits(max_bytes=1_000))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_read_only_up_to_the_limit() -> None:
    with pytest.raises(DesignError, match=r"/dev/zero: is larger than 4096 bytes"):
        read_people("/dev/zero", limits=CsvLimits(max_bytes=4_096))


@pytest.mark.parametrize("day", ["9999-12-31", "9999-01-01", "0001-01-01", "1899-12-31"])
def test_dates_outside_the_supported_range_are_refused(day: str) -> None:
    (problem,) = problems_of(f"{HEADER},end_date\ne-1,An,,2020-01-01,{day}\n")
    assert problem.startswith(f"people.csv:2: end_date: {date.fromisoformat(day)} lies outside ")
    (problem,) = problems_of(f"person_id,kind,on\ne-1,sick_report,{day}\n", events=True)
    assert problem.startswith("events.csv:2: on: ")


def test_limits_come_from_the_environment_and_are_checked() -> None:
    limits = CsvLimits.from_environment(
        {"GESPREKSCYCLUS_MAX_INPUT_BYTES": "10", "GESPREKSCYCLUS_MAX_FIELD_CHARS": " 5 "}
    )
    assert (limits.max_bytes, limits.max_field_chars, limits.max_rows) == (10, 5, 100_000)
    for bad in ("0", "-1", "1e9", "١٠", "9" * 40):
        with pytest.raises(GesprekscyclusError, match="GESPREKSCYCLUS_MAX_ROWS"):
            CsvLimits.from_environment({"GESPREKSCYCLUS_MAX_ROWS": bad})
    with pytest.raises(GesprekscyclusError, match=r"CsvLimits\.max_rows"):
        CsvLimits(max_rows=0)


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+31 6"]
)
def test_exported_formula_cells_are_neutralised_and_read_back(name: str) -> None:
    person = Person(id="-1", name=name, hire_date=date(2021, 3, 1), team="@team")
    text = people_to_csv([person])
    cells = next(__import__("csv").reader(text.splitlines()[1:]))
    assert cells[0] == "'-1"
    assert cells[1] == "'" + name
    assert cells[5] == "'@team"
    assert parse_people(text) == (person,)


@given(st.text(alphabet="'=+-@\t\rab", max_size=8))
def test_neutralise_is_undone_by_restore_and_never_leaves_a_formula(cell: str) -> None:
    safe = neutralise(cell)
    assert restore(safe) == cell
    assert not safe.startswith(FORMULA_STARTS)


def test_bytes_instead_of_text_is_a_typed_error() -> None:
    with pytest.raises(GesprekscyclusError, match="text: must be str, got bytes"):
        parse_people(b"id,name,hire_date\n")  # type: ignore[arg-type]
    with pytest.raises(GesprekscyclusError, match="text: must be str, got NoneType"):
        parse_events(None)  # type: ignore[arg-type]


def test_a_line_longer_than_the_limit_ends_the_reading() -> None:
    text = f"{HEADER}\ne-1,An,,2020-01-01\ne-2,{',' * 200},,2020-01-01\ne-3,Bo,,2020-01-01\n"
    with pytest.raises(DesignError) as caught:
        parse_people(text, limits=CsvLimits(max_line_chars=100))
    assert [str(problem) for problem in caught.value.problems] == [
        "people.csv:3: is 217 characters long; at most 100 are read (CsvLimits.max_line_chars); "
        "the rest of the file is not read"
    ]
    short = f"{HEADER}\ne-1,An,,2020-01-01\ne-2,Cy,,2020-01-01\ne-3,Bo,,2020-01-01\n"
    assert len(parse_people(short, limits=CsvLimits(max_line_chars=100))) == 3
