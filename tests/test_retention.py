"""Retention in the design file: defaults with their sources, overrides, validation."""

from __future__ import annotations

from datetime import date

import pytest

from gesprekscyclus.cli import main
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.examples import DESIGN_FILE, directory
from gesprekscyclus.planning.design import (
    CycleDesign,
    Retention,
    RetentionPolicy,
    TypeRule,
    default_retention,
)
from gesprekscyclus.planning.design_file import dump_design, parse_design, validate_design_text

TEXT = """
name = "Retentie"
cycle_start = 2026-01-01

[retention]
outbox_days = 30
access_log_days = 365

[types.check_in]
cadence = [{ kind = "interval", every = 1, unit = "months", anchor = "cycle_start" }]
retention = { years = 1, after = "held", basis = "works council agreement 2026" }

[types.exit_interview]
"""


def test_every_built_in_type_has_a_default_with_a_source() -> None:
    catalog = built_in_catalog()
    keys = catalog.keys()
    design = CycleDesign(
        name="all", cycle_start=date(2026, 1, 1), types=tuple(TypeRule(type=key) for key in keys)
    )
    for key in keys:
        rule = design.retention_for(key, catalog)
        assert rule.years == 2
        assert rule.basis is not None
        assert "AP guidance" in rule.basis
    assert design.retention_for("exit_interview", catalog).after.value == "held"
    assert design.retention_for("absence", catalog).after.value == "case_end"
    assert design.retention_for("growth_review", catalog).after.value == "exit"
    assert default_retention("made_up", "normal").after.value == "exit"


def test_the_file_sets_periods_per_type_and_for_the_rest() -> None:
    design = parse_design(TEXT)
    assert design.retention == RetentionPolicy(outbox_days=30, access_log_days=365)
    own = design.retention_for("check_in", built_in_catalog())
    assert own == Retention(years=1, after="held", basis="works council agreement 2026")
    assert parse_design(dump_design(design)) == design
    plain = CycleDesign(name="plain", cycle_start=date(2026, 1, 1))
    assert "retention" not in dump_design(plain)  # the defaults are not written out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('after = "held"', 'after = "hired"'),
            "design.toml:11: types.check_in.retention.after: unknown value 'hired'"
            " (allowed: exit, held, case_end)",
        ),
        (
            ("years = 1", "years = 0"),
            "design.toml:11: types.check_in.retention.years: must be a whole number",
        ),
        (
            ("outbox_days = 30", "outbox_days = -1"),
            "design.toml:6: retention.outbox_days: must be a whole",
        ),
    ],
)
def test_bad_periods_are_reported_with_the_path(change: tuple[str, str], expected: str) -> None:
    problems = [str(p) for p in validate_design_text(TEXT.replace(*change), source="design.toml")]
    assert any(expected in problem for problem in problems), problems


def test_validate_shows_the_retention_periods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(directory() / DESIGN_FILE)]) == 0
    out = capsys.readouterr().out
    assert "\nRetention:\n" in out
    assert "  exit_interview: 2 years after held — AP guidance" in out
    assert "  sent messages' payloads and dead letters: 90 days; access log: 90 days" in out
