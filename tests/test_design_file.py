"""The design file: every problem reported with where it is, and a lossless round trip."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from gesprekscyclus.domain.cadence import Threshold
from gesprekscyclus.errors import DesignError, InvalidValueError, MissingExtraError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.design_file import (
    dump_design,
    load_design,
    parse_design,
    validate_design,
    validate_design_text,
)
from gesprekscyclus.serialization import from_data, to_data

from . import strategies as gs

VALID = """\
name = "Voorbeeld mkb"
version = 2
cycle_start = 2026-01-01
after_notice = ["exit_interview"]
default_time = "10:00:00"

[capacity]
per_day = 2
per_week = 6

[[interactions]]
drop = "check_in"
near = "growth_review"
within_days = 14

[types.check_in]
convention = "nearest"
cadence = [{ kind = "interval", every = 1, unit = "months", anchor = "cycle_start" }]
follow_ups = [{ question_key = "considering_leaving", operator = "equals", value = true, \
schedule_type = "stay_interview", within_days = 14 }]

[types.growth_review]
window_after = 30
cadence = [{ kind = "interval", every = 1, unit = "years", anchor = "fixed_month", month = 3 }]

[types.stay_interview]
cadence = [{ kind = "anniversary" }]

[types.exit_interview]
cadence = [{ kind = "lifecycle", event = "last_day", offset_days = -5, working_days = true }]
"""


def _lines(problems: list[object]) -> list[str]:
    return [str(problem) for problem in problems]


def test_a_valid_file_has_no_problems_and_parses() -> None:
    assert validate_design_text(VALID) == []
    design = parse_design(VALID)
    assert design.type_keys == ("check_in", "growth_review", "stay_interview", "exit_interview")
    assert design.rule("check_in").follow_ups[0].type_key == "check_in"
    assert design.capacity is not None
    assert design.capacity.per_week == 6


BROKEN_VALUES = """\
name = "Kapot"
cycle_start = 2026-01-01

[types.check_in]
convention = "sometimes"
cadence = [{ kind = "interval", every = 1, unit = "fortnights" }]

[types.growth_review]
window_before = "seven"
"""


def test_every_value_problem_is_reported_with_line_path_and_allowed_values() -> None:
    problems = validate_design_text(BROKEN_VALUES, source="kapot.toml")
    by_path = {problem.path: problem for problem in problems}
    assert set(by_path) == {
        "types.check_in.convention",
        "types.check_in.cadence[0].unit",
        "types.growth_review.window_before",
    }
    convention = by_path["types.check_in.convention"]
    assert convention.file == "kapot.toml"
    assert convention.line == 5
    assert convention.allowed is not None
    assert "modified_following" in convention.allowed
    unit = by_path["types.check_in.cadence[0].unit"]
    assert unit.line == 6
    assert unit.allowed == ("weeks", "months", "quarters", "years")
    assert by_path["types.growth_review.window_before"].line == 9
    assert all(str(problem).startswith("kapot.toml:") for problem in problems)


BROKEN_REFERENCES = """\
name = "Verwijzingen"
cycle_start = 2026-01-01
after_notice = ["farewell_party"]

[[interactions]]
drop = "check_in"
near = "appraisal"
within_days = 7

[types.check_in]
cadence = [{ kind = "interval", every = 2, unit = "weeks" }]
follow_ups = [{ question_key = "mood", operator = "equals", value = true, \
schedule_type = "stay_interview", within_days = 14 }]

[types.coffee_walk]
cadence = [{ kind = "anniversary" }]

[types.growth_review]
question_set_version = 9
"""


def test_every_reference_problem_is_reported() -> None:
    problems = validate_design_text(BROKEN_REFERENCES, source="refs.toml")
    by_path = {problem.path: problem for problem in problems}
    assert set(by_path) == {
        "types.coffee_walk",
        "types.check_in.follow_ups[0].schedule_type",
        "types.check_in.follow_ups[0].question_key",
        "types.growth_review.question_set_version",
        "interactions[0].near",
        "after_notice",
    }
    unknown = by_path["types.coffee_walk"]
    assert unknown.line == 14
    assert unknown.allowed is not None
    assert "check_in" in unknown.allowed
    assert by_path["types.growth_review.question_set_version"].allowed == ("1",)
    assert by_path["types.growth_review.question_set_version"].line == 18
    assert by_path["interactions[0].near"].allowed == ("check_in", "coffee_walk", "growth_review")
    assert by_path["after_notice"].line == 3
    question = by_path["types.check_in.follow_ups[0].question_key"]
    assert question.allowed is not None
    assert "considering_leaving" in question.allowed


BROKEN_SHAPE = """\
name = "Vorm"
cycle_start = 2026-01-01
colour = "blue"

[types.check_in]
type = "growth_review"
"""


def test_shape_problems_are_reported() -> None:
    problems = validate_design_text(BROKEN_SHAPE, source="vorm.toml")
    assert _lines(problems) == [
        "vorm.toml:6: types.check_in.type: must be left out (the table name is the key)"
    ]
    problems = validate_design_text(BROKEN_SHAPE.replace('type = "growth_review"\n', ""))
    assert len(problems) == 1
    assert "colour" in problems[0].message


def test_syntax_errors_name_the_line() -> None:
    problems = validate_design_text('name = "x"\ncycle_start = 2026-01-01\n[types\n', source="s")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert problems[0].message.startswith("not valid TOML")
    json_problems = validate_design_text('{\n  "name": "x",\n}', source="s.json")
    # Python 3.13's json names the trailing comma (line 2), older ones the brace after it.
    assert json_problems[0].line == (2 if sys.version_info >= (3, 13) else 3)
    assert json_problems[0].message.startswith("not valid JSON")


def test_missing_required_keys_are_reported() -> None:
    problems = validate_design_text("[types.check_in]\n", source="leeg.toml")
    assert {problem.path for problem in problems} == {"name", "cycle_start"}


def test_load_design_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "kapot.toml"
    path.write_text(BROKEN_VALUES, encoding="utf-8")
    with pytest.raises(DesignError) as caught:
        load_design(path)
    assert len(caught.value.problems) == 3
    assert str(path) in str(caught.value)
    assert len(validate_design(path)) == 3
    missing = validate_design(tmp_path / "missing.toml")
    assert len(missing) == 1
    assert "cannot be read" in missing[0].message


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_the_example_round_trips_through_both_formats(tmp_path: Path, fmt: str) -> None:
    design = parse_design(VALID)
    text = dump_design(design, fmt=fmt)  # type: ignore[arg-type]
    path = tmp_path / f"design.{fmt}"
    path.write_text(text, encoding="utf-8")
    assert load_design(path) == design
    assert validate_design(path) == []


def test_dump_leaves_defaults_out() -> None:
    design = CycleDesign(name="Klein", cycle_start=date(2026, 1, 1))
    data = json.loads(dump_design(design, fmt="json"))
    assert data == {"name": "Klein", "cycle_start": "2026-01-01", "types": {}}


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(gs.cycle_designs())
def test_generated_designs_round_trip_through_json(design: CycleDesign) -> None:
    assert from_data(CycleDesign, to_data(design)) == design
    text = dump_design(design, fmt="json")
    assert validate_design_text(text, source="design.json") == []
    assert parse_design(text, source="design.json") == design


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(gs.cycle_designs())
def test_generated_designs_round_trip_through_toml(design: CycleDesign) -> None:
    if any(
        isinstance(cadence, Threshold) and cadence.after is None
        for rule in design.types
        for cadence in rule.cadence
    ):
        # TOML has no null: that one value can only be written as JSON, and says so.
        with pytest.raises(InvalidValueError, match=r"after: is empty \(null\)"):
            dump_design(design, fmt="toml")
        return
    text = dump_design(design, fmt="toml")
    assert validate_design_text(text, source="design.toml") == []
    assert parse_design(text, source="design.toml") == design


def test_a_threshold_without_after_survives_json() -> None:
    design = CycleDesign(
        name="Drempel",
        cycle_start=date(2026, 1, 1),
        types=(TypeRule(type="absence", cadence=(Threshold(after=None),)),),
    )
    text = dump_design(design, fmt="json")
    assert json.loads(text)["types"]["absence"]["cadence"] == [{"kind": "threshold", "after": None}]
    assert parse_design(text, source="d.json") == design


CATALOG = """\
name = "Met eigen catalogus"
cycle_start = 2026-01-01
hr_contact = "hr-1"

[catalog]
without = ["appraisal"]

[[catalog.question_sets]]
key = "retro"
version = 1
title = { nl = "Retro", en = "Retro" }

[[catalog.question_sets.questions]]
key = "went_well"
kind = "open_text"
text = { nl = "Wat ging goed?", en = "What went well?" }

[[catalog.types]]
key = "team_retro"
label = { nl = "Teamretro", en = "Team retrospective" }
purpose = { nl = "Terugkijken", en = "Looking back" }
participants = ["employee", "manager", "hr"]
led_by = "manager"
duration_minutes = 45
question_set = "retro"

[types.team_retro]
cadence = [{ kind = "interval", every = 3, unit = "months", anchor = "cycle_start" }]

[[types.team_retro.follow_ups]]
question_key = "went_well"
operator = "equals"
value = "niets"
schedule_type = "team_retro"
within_days = 7
"""


def test_the_catalog_and_hr_contact_live_in_the_design_and_round_trip() -> None:
    design = parse_design(CATALOG)
    catalog = design.full_catalog()
    assert design.hr_contact == "hr-1"
    assert "appraisal" not in catalog
    assert catalog.type("team_retro").duration_minutes == 45
    assert str(catalog.question_set_for("team_retro").ref) == "retro@1"
    assert parse_design(dump_design(design)) == design
    assert parse_design(dump_design(design, fmt="json"), fmt="json") == design


def test_catalog_problems_name_the_key_and_the_allowed_values() -> None:
    text = CATALOG.replace('without = ["appraisal"]', 'without = ["apraisal"]')
    (problem,) = validate_design_text(text, source="d.toml")
    assert (problem.path, problem.line) == ("catalog.without", 6)
    assert "'apraisal'" in problem.message
    assert "appraisal" in (problem.allowed or ())
    text = CATALOG.replace('question_set = "retro"', 'question_set = "retr"')
    (problem,) = validate_design_text(text, source="d.toml")
    assert problem.path == "catalog.types.team_retro.question_set"
    assert "retro" in (problem.allowed or ())


_BASE = 'name = "x"\ncycle_start = 2026-01-01\n'


@pytest.mark.parametrize(
    ("body", "path", "allowed"),
    [
        ("[types.check_in]\nwindow_after = 99999999\n", "types.check_in.window_after", "0..366"),
        ("[types.check_in]\nwindow_before = -1\n", "types.check_in.window_before", "0..366"),
        (
            '[types.check_in]\ncadence = [{ kind = "interval", every = 1000, unit = "months" }]\n',
            "types.check_in.cadence[0].every",
            "1..120 for months",
        ),
        (
            '[types.exit_interview]\ncadence = [{ kind = "lifecycle", event = "last_day", '
            "offset_days = -99999999 }]\n",
            "types.exit_interview.cadence[0].offset_days",
            "-3660..3660",
        ),
        (
            '[types.exit_interview]\ncadence = [{ kind = "lifecycle", event = "hired", '
            "offset_months = 5000 }]\n",
            "types.exit_interview.cadence[0].offset_months",
            "-120..120",
        ),
        ("version = 99999999999999999999\n", "version", "1..2147483647"),
        ("[capacity]\nper_day = 1000000\n", "capacity.per_day", "1..100"),
        (
            '[[interactions]]\ndrop = "check_in"\nnear = "growth_review"\nwithin_days = 100000\n',
            "interactions[0].within_days",
            "0..366",
        ),
    ],
)
def test_numbers_outside_sane_bounds_are_refused_with_the_range(
    body: str, path: str, allowed: str
) -> None:
    text = body + _BASE if body.startswith("version") else _BASE + body
    problems = validate_design_text(text, source="d.toml")
    assert [p.path for p in problems] == [path], _lines(problems)
    assert problems[0].allowed == (allowed,)
    assert problems[0].line is not None


@pytest.mark.parametrize(
    ("rule", "anchor"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "cycle_start"),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "hire_date"),
        ("FREQ=YEARLY;UNTIL=20250101", "cycle_start"),
        ("FREQ=YEARLY;BYMONTH=4", "hire_date"),  # the 31st of April, for a hire on the 31st
    ],
)
def test_a_rule_that_never_produces_a_date_is_refused(rule: str, anchor: str) -> None:
    cadence = f'{{ kind = "rrule", rule = "{rule}", anchor = "{anchor}" }}'
    text = _BASE + f"[types.check_in]\ncadence = [{cadence}]\n"
    problems = validate_design_text(text, source="d.toml")
    assert [(p.path, p.line) for p in problems] == [("types.check_in.cadence[0].rule", 4)]
    assert "never produces a date" in problems[0].message


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ('capacity = "x"\n', "capacity", "expected a table"),
        (
            '[types.check_in]\npopulation = { teams = "sales" }\n',
            "types.check_in.population.teams",
            "expected a list",
        ),
        ('after_notice = "exit_interview"\n', "after_notice", "expected a list"),
        ("calendar = 1\n", "calendar", "expected a table"),
        ("interactions = [1]\n", "interactions[0]", "expected a table"),
    ],
)
def test_wrong_shapes_say_what_was_expected(body: str, path: str, message: str) -> None:
    problems = validate_design_text(_BASE + body, source="d.toml")
    assert [p.path for p in problems] == [path]
    assert problems[0].message.startswith(message)
    assert "unknown error" not in problems[0].message


def test_writing_toml_without_its_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # tomli-w is installed here; a None entry in sys.modules makes its import fail as it
    # does where the extra is missing.
    monkeypatch.setitem(sys.modules, "tomli_w", None)
    design = parse_design(VALID)
    with pytest.raises(MissingExtraError, match=r'pip install "gesprekscyclus\[toml\]"'):
        dump_design(design)
    assert parse_design(dump_design(design, fmt="json"), fmt="json") == design


def test_a_carriage_return_in_a_text_survives_toml() -> None:
    design = CycleDesign(name="Regel een\r\nregel twee", cycle_start=date(2027, 1, 1))
    text = dump_design(design)
    assert parse_design(text) == design
    plain = CycleDesign(name="Regel een\nregel twee", cycle_start=date(2027, 1, 1))
    assert '"""' in dump_design(plain)  # line feeds alone stay readable multi-line text
    assert parse_design(dump_design(plain)) == plain
