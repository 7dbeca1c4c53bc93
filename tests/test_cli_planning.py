"""The planning commands end to end: output formats, the absence test vector, bad input."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from gesprekscyclus.cli import main
from gesprekscyclus.cli.planning import (
    _CONFLICT_FIELDS,
    _CONVERSATION_FIELDS,
    _OBLIGATION_FIELDS,
    _SKIPPED_FIELDS,
    SECTIONS,
    _obligation_row,
    _sections,
    _text,
)
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.csv_cells import neutralise
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.planning.people_file import read_events, read_people
from gesprekscyclus.planning.planner import Plan, plan
from gesprekscyclus.serialization import to_data

EXAMPLES = directory()
DESIGN = str(EXAMPLES / "reference-design.toml")
PEOPLE = str(EXAMPLES / "people.csv")
EVENTS = str(EXAMPLES / "events.csv")
HORIZON = ("--from", "2027-01-01", "--until", "2027-12-31")
PLAN = ("plan", DESIGN, "--people", PEOPLE, "--events", EVENTS, *HORIZON)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must fail: exit code 2, nothing on stdout; returns stderr."""
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    return err


@pytest.fixture(scope="module")
def expected_plan() -> Plan:
    people = read_people(PEOPLE)
    return plan(
        load_design(DESIGN),
        people,
        read_events(EVENTS, people=people),
        start=date(2027, 1, 1),
        end=date(2027, 12, 31),
    )


# --- validate -------------------------------------------------------------------------------


def test_validate_prints_valid_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", DESIGN)
    assert (code, err) == (0, "")
    first, blank, *summary = out.splitlines()
    assert first == f"{DESIGN}: valid"
    assert blank == ""
    paragraph = " ".join(summary)
    assert paragraph.startswith("Voorbeeld mkb: gesprekscyclus 2027 (version 1)")
    assert "with 9 conversation types" in paragraph
    assert "Growth review (every year in March)" in paragraph
    assert "At most 3 conversations a day and 10 a week per manager" in paragraph


def test_validate_checks_people_and_events_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "validate", DESIGN, "--people", PEOPLE, "--events", EVENTS)
    assert code == 0
    assert f"{PEOPLE}: valid, 61 people" in out
    assert f"{EVENTS}: valid, 14 events" in out


def test_validate_reports_every_problem_of_every_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    design = tmp_path / "design.toml"
    design.write_text(
        'name = "x"\ncycle_start = 2027-01-01\n\n[types.check_in]\nconvention = "soon"\n'
        'cadence = [{ kind = "interval", every = 1, unit = "fortnights" }]\n',
        encoding="utf-8",
    )
    people = tmp_path / "people.csv"
    people.write_text("id,name,hire_date\ne-1,An,2020-02-30\n", encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("person_id,kind,on\ne-9,fired,2026-01-01\n", encoding="utf-8")
    err = fails(capsys, "validate", str(design), "--people", str(people), "--events", str(events))
    lines = err.splitlines()
    (convention,) = [line for line in lines if "convention" in line]
    assert convention.startswith(f"error: {design}:5: types.check_in.convention: unknown value")
    assert "(allowed: following, modified_following" in convention
    assert any(f"{design}:6: types.check_in.cadence[0].unit" in line for line in lines)
    assert f"error: {people}:2: hire_date: '2020-02-30' is not a valid date" in err
    assert f"error: {events}:2: kind: unknown value 'fired' (allowed: hired," in err


def test_validate_unknown_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert f"{missing}: cannot be read" in fails(capsys, "validate", str(missing))


# --- plan -----------------------------------------------------------------------------------


def test_plan_table_lists_every_section(
    capsys: pytest.CaptureFixture[str], expected_plan: Plan
) -> None:
    code, out, err = run(capsys, *PLAN)
    assert (code, err) == (0, "")
    for title in (
        "Planned conversations",
        "Skipped occurrences",
        "Capacity conflicts",
        "Absence obligations (no conversation)",
    ):
        assert f"\n{title}\n" in f"\n{out}"
    header = next(line for line in out.splitlines() if line.startswith("id "))
    assert header.split() == ["id", "person", "manager", "type", "target", "window", "origin"]
    assert "Lars Vermeulen (e-01)" in out
    assert "Joris van Dijk (m-01)" in out
    assert "absence: first_year_evaluation" in out
    conversations = expected_plan.conversations
    assert out.rstrip().endswith(
        f"{len(conversations)} conversations, {len(expected_plan.skipped)} skipped, "
        f"0 capacity conflicts, {len(expected_plan.obligations)} obligations from "
        "2027-01-01 to 2027-12-31."
    )


def test_plan_csv_with_one_section_is_plain_csv(
    capsys: pytest.CaptureFixture[str], expected_plan: Plan
) -> None:
    code, out, _err = run(capsys, *PLAN, "--format", "csv", "--show", "conversations")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    conversations = expected_plan.conversations
    assert len(rows) == len(conversations)
    assert list(rows[0]) == [
        "id",
        "type_key",
        "employee_id",
        "manager_id",
        "occurrence",
        "nominal",
        "earliest",
        "target",
        "latest",
        "starts_at",
        "origin",
        "basis",
        "milestone",
    ]
    first = conversations[0]
    assert rows[0]["id"] == first.id
    assert rows[0]["target"] == first.target.isoformat()
    assert first.starts_at is not None  # the design sets a default time of day
    assert rows[0]["starts_at"] == first.starts_at.isoformat()
    absence = [row for row in rows if row["origin"] == "absence"]
    assert absence
    assert all(row["basis"] in ("law", "guidance", "practice") for row in absence)


def test_plan_csv_sections_are_marked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, *PLAN, "--format", "csv", "--show", "skipped,obligations")
    assert code == 0
    skipped_part, obligations_part = out.split("\n\n")
    assert skipped_part.startswith("# skipped\nid,type_key,employee_id,nominal,reason\n")
    assert obligations_part.startswith("# obligations\nemployee_id,case_start,key,title,")
    rows = list(csv.DictReader(io.StringIO(obligations_part.split("\n", 1)[1])))
    assert {row["key"] for row in rows} == {"uwv_week_42_report", "labour_expert_assessment"}


def test_plan_json_has_every_section(
    capsys: pytest.CaptureFixture[str], expected_plan: Plan
) -> None:
    code, out, _err = run(capsys, *PLAN, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["design", "design_version", "start", "end", *SECTIONS]
    assert len(data["conversations"]) == len(expected_plan.conversations)
    assert data["conflicts"] == []
    assert data["obligations"][0]["milestone"]["title"]["en"]
    assert set(data["conversations"][0]) >= {"id", "type_key", "target", "basis", "milestone"}


def test_plan_json_show_limits_the_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, *PLAN, "--format", "json", "--show", "conflicts")
    assert code == 0
    assert list(json.loads(out)) == ["design", "design_version", "start", "end", "conflicts"]


def test_plan_without_events(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(
        capsys, "plan", DESIGN, "--people", PEOPLE, *HORIZON, "--show", "obligations"
    )
    assert code == 0
    assert "(none)" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--from", "2027-02-30", "--until", "2027-12-31"), "--from: '2027-02-30' is not a valid"),
        (("--from", "1-1-2027", "--until", "2027-12-31"), "--from: '1-1-2027' is not a valid"),
        (("--from", "2027-01-01", "--until", "tomorrow"), "--until: 'tomorrow' is not a valid"),
        (("--from", "2027-06-01", "--until", "2027-05-31"), "--until: 2027-05-31 lies before"),
    ],
)
def test_plan_rejects_bad_dates(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    assert expected in fails(capsys, "plan", DESIGN, "--people", PEOPLE, *argv)


def test_plan_rejects_an_unknown_section(capsys: pytest.CaptureFixture[str]) -> None:
    err = fails(capsys, *PLAN, "--show", "conversations,gossip")
    assert "--show: unknown section 'gossip' (allowed: conversations, skipped" in err


def test_plan_rejects_missing_and_bad_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nobody.csv"
    err = fails(capsys, "plan", DESIGN, "--people", str(missing), *HORIZON)
    assert f"error: {missing}: cannot be read" in err

    people = tmp_path / "people.csv"
    people.write_text(
        "id;name;manager_id;hire_date\nm;Mia;;2020-01-01\ne;Eva;x;2021-01-01\n", encoding="utf-8"
    )
    err = fails(capsys, "plan", DESIGN, "--people", str(people), *HORIZON)
    assert err == f"error: {people}:3: manager_id: 'x' is not the id of anyone in this file\n"

    people.write_text("id;name;hire_date\nm;Mia;2020-01-01\n", encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("person_id;kind;on\nm;recovery;2027-01-05\n", encoding="utf-8")
    err = fails(capsys, "plan", DESIGN, "--people", str(people), "--events", str(events), *HORIZON)
    assert f"{events}:2: kind: recovery on 2027-01-05 without an open sick report" in err


def test_plan_rejects_an_invalid_design(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    design = tmp_path / "design.toml"
    design.write_text('name = "x"\ncycle_start = "soon"\n', encoding="utf-8")
    err = fails(capsys, "plan", str(design), "--people", PEOPLE, *HORIZON)
    assert f"{design}" in err
    assert "cycle_start" in err


def test_missing_required_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["plan", DESIGN, *HORIZON])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--people" in captured.err


# --- absence timeline -----------------------------------------------------------------------

VECTOR = ("absence-timeline", "--first-sick-day", "2022-01-03")


def timeline(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, *VECTOR, *argv, "--format", "json")
    assert (code, err) == (0, "")
    cases: list[dict[str, object]] = json.loads(out)["cases"]
    return cases


def due(case: dict[str, object], key: str) -> str:
    milestones = case["milestones"]
    assert isinstance(milestones, list)
    return next(str(m["due"]) for m in milestones if m["key"] == key)


def test_the_samentelling_vector_moves_week_104(capsys: pytest.CaptureFixture[str]) -> None:
    (case,) = timeline(capsys, "--recovered", "2022-07-04:2022-07-24")
    assert case["gaps"] == [21]
    assert case["open"] is True
    assert due(case, "wage_payment_end") == "2024-01-22"
    (plain,) = timeline(capsys)
    assert due(plain, "wage_payment_end") == "2024-01-01"


def test_the_vector_in_table_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, *VECTOR, "--recovered", "2022-07-04:2022-07-24")
    assert code == 0
    assert out.startswith(
        "Case from 2022-01-03: 2 sick period(s), interruptions not counted: 21 days; open\n"
    )
    assert any(
        line.startswith("2024-01-22") and "wage_payment_end" in line for line in out.splitlines()
    )
    code, out, _err = run(
        capsys, *VECTOR, "--recovered", "2022-07-04:2022-07-24", "--format", "csv", "--locale", "nl"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    (wage_end,) = [row for row in rows if row["key"] == "wage_payment_end"]
    assert wage_end["due"] == "2024-01-22"
    assert wage_end["title"].startswith("Einde loondoorbetaling")
    assert wage_end["kind"] == "obligation"


def test_a_gap_of_four_weeks_starts_a_new_case(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = timeline(capsys, "--recovered", "2022-02-01:2022-02-28")
    assert first["open"] is False
    assert second["first_day"] == "2022-03-01"
    assert due(second, "wage_payment_end") == "2024-02-27"  # + 728 days
    milestones = first["milestones"]
    assert isinstance(milestones, list)
    assert all(str(m["due"]) < "2022-02-01" for m in milestones)


def test_recovery_without_return_of_sickness_closes_the_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (case,) = timeline(capsys, "--recovered", "2022-01-20")
    assert case["open"] is False
    milestones = case["milestones"]
    assert isinstance(milestones, list)
    assert [m["key"] for m in milestones] == ["sick_report", "health_service_report"]


def test_prognosis_and_last_working_day(capsys: pytest.CaptureFixture[str]) -> None:
    (case,) = timeline(capsys, "--prognosis", "2022-03-01:long", "--last-working-day", "2022-06-30")
    milestones = case["milestones"]
    assert isinstance(milestones, list)
    analysis = next(m for m in milestones if m["key"] == "problem_analysis")
    assert analysis["due"] == "2022-03-01"  # after week 6: at once when it becomes clear
    assert analysis["conditional"] is False
    assert due(case, "leaving_uwv_report") == "2022-06-30"
    assert max(str(m["due"]) for m in milestones) == "2022-06-30"


def test_until_cuts_the_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    (case,) = timeline(capsys, "--until", "2022-03-01")
    milestones = case["milestones"]
    assert isinstance(milestones, list)
    assert max(str(m["due"]) for m in milestones) <= "2022-03-01"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--recovered", "2022-13-01"), "--recovered[1]: '2022-13-01' is not a valid date"),
        (("--recovered", "2022-01-02"), "--recovered[1]: first day back 2022-01-02 must lie"),
        (("--recovered", "2022-02-01:2022-01-31"), "--recovered[1]: TO 2022-01-31"),
        (
            ("--recovered", "2022-02-01", "--recovered", "2022-03-01"),
            "--recovered[2]: follows a recovery without TO",
        ),
        (("--prognosis", "2022-02-01:maybe"), "--prognosis[1]: unknown expectation 'maybe'"),
        (("--prognosis", "2021-12-01:long"), "--prognosis[1]: 2021-12-01 lies before"),
        (("--last-working-day", "2021-12-31"), "--last-working-day: 2021-12-31 lies before"),
        (
            ("--recovered", "2022-02-01:2022-03-31", "--last-working-day", "2022-03-15"),
            "starts after the last working day 2022-03-15",
        ),
    ],
)
def test_absence_timeline_rejects_bad_input(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    assert expected in fails(capsys, *VECTOR, *argv)


def test_first_sick_day_must_be_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    err = fails(capsys, "absence-timeline", "--first-sick-day", "03-01-2022")
    assert "--first-sick-day: '03-01-2022' is not a valid date (expected YYYY-MM-DD)" in err


def test_sick_reports_without_an_absence_type_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = Path(DESIGN).read_text(encoding="utf-8")
    start = text.index("[types.absence]")
    following = text.find("\n[", start + 1)
    without = text[:start] + (text[following + 1 :] if following != -1 else "")
    design = tmp_path / "design.toml"
    design.write_text(without.replace('"absence", ', "").replace(', "absence"', ""), "utf-8")
    err = fails(capsys, "validate", str(design), "--people", PEOPLE, "--events", EVENTS)
    assert f"error: {EVENTS}:" in err
    assert "no absence type" in err
    assert "absence_handled_elsewhere = true" in err
    assert fails(capsys, "plan", str(design), "--people", PEOPLE, "--events", EVENTS, *HORIZON)
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text("absence_handled_elsewhere = true\n" + design.read_text("utf-8"), "utf-8")
    code, out, _err = run(
        capsys, "validate", str(elsewhere), "--people", PEOPLE, "--events", EVENTS
    )
    assert code == 0
    assert "valid" in out


def test_plan_refuses_far_and_long_horizons(capsys: pytest.CaptureFixture[str]) -> None:
    base = ("plan", DESIGN, "--people", PEOPLE)
    err = fails(capsys, *base, "--from", "9999-01-01", "--until", "9999-12-31")
    assert err.startswith("error: --from: 9999-01-01 lies outside")
    err = fails(capsys, *base, "--from", "2027-01-01", "--until", "3026-12-31")
    assert "--max-horizon-days (4000)" in err
    code, out, _err = run(
        capsys, *base, "--from", "2027-01-01", "--until", "2037-12-31",
        "--max-horizon-days", "4100", "--show", "conflicts", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("conversation_id,")


def test_far_absence_timelines_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    err = fails(capsys, "absence-timeline", "--first-sick-day", "9999-06-01")
    assert err.startswith("error: --first-sick-day: 9999-06-01 lies too far ahead")
    err = fails(
        capsys, "absence-timeline", "--first-sick-day", "2026-01-05",
        "--recovered", "2026-02-01:9999-12-31",
    )  # fmt: skip
    assert err.startswith("error: --recovered[1]:")
    err = fails(
        capsys, "absence-timeline", "--first-sick-day", "2026-01-05",
        "--prognosis", "9999-12-31:long",
    )  # fmt: skip
    assert err.startswith("error: --prognosis[1]:")


# --- streamed output ------------------------------------------------------------------------


def _whole_csv(result: Plan, sections: tuple[str, ...]) -> str:
    """The CSV as the command wrote it before it streamed: every table built, then written."""
    tables = {
        "conversations": (
            _CONVERSATION_FIELDS,
            [[getattr(c, n) for n in _CONVERSATION_FIELDS] for c in result.conversations],
        ),
        "skipped": (
            _SKIPPED_FIELDS,
            [[getattr(s, n) for n in _SKIPPED_FIELDS] for s in result.skipped],
        ),
        "conflicts": (
            _CONFLICT_FIELDS,
            [[getattr(c, n) for n in _CONFLICT_FIELDS] for c in result.conflicts],
        ),
        "obligations": (_OBLIGATION_FIELDS, [_obligation_row(o, "en") for o in result.obligations]),
    }
    out = io.StringIO()
    for index, section in enumerate(sections):
        if len(sections) > 1:
            out.write(("\n" if index else "") + f"# {section}\n")
        header, rows = tables[section]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([neutralise(_text(value)) for value in row] for row in rows)
    return out.getvalue()


@pytest.mark.parametrize("show", ["all", "conversations", "skipped,obligations", "conflicts"])
def test_streamed_output_is_the_whole_document_byte_for_byte(
    capsys: pytest.CaptureFixture[str], show: str
) -> None:
    people = read_people(PEOPLE)
    design = load_design(DESIGN)
    # Two years, with the sick-leave case's obligations.
    start, end = date(2026, 6, 1), date(2028, 6, 30)
    result = plan(design, people, read_events(EVENTS, people=people), start=start, end=end)
    sections = _sections(show)
    argv = ("plan", DESIGN, "--people", PEOPLE, "--events", EVENTS, "--from", str(start))
    argv += ("--until", str(end), "--show", show, "--locale", "en")

    code, out, _err = run(capsys, *argv, "--format", "csv")
    assert code == 0
    assert out == _whole_csv(result, sections)

    whole: dict[str, object] = {
        "design": design.name,
        "design_version": design.version,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    for section in sections:
        whole[section] = [to_data(item) for item in getattr(result, section)]
    code, out, _err = run(capsys, *argv, "--format", "json")
    assert code == 0
    assert out == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"


def test_streamed_formats_still_write_nothing_on_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id;name;manager_id;hire_date\np-1;Anna;;not a date\n", encoding="utf-8")
    for fmt in ("csv", "json"):
        err = fails(capsys, "plan", DESIGN, "--people", str(people), *HORIZON, "--format", fmt)
        assert "hire_date" in err
