"""The demo shows a living organisation on any day of the year, not only in the example's."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from gesprekscyclus.cli import main
from gesprekscyclus.cli.demo import LEAVER_LEAD, living_example
from gesprekscyclus.domain.events import LifeEventKind
from gesprekscyclus.examples import load_reference


@pytest.mark.parametrize(
    "today",
    ["2026-06-01", "2026-12-01", "2027-01-04", "2027-09-30", "2028-02-29", "2031-11-15"],
)
def test_the_busiest_managers_have_conversations_and_reminders_go_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], today: str
) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert main(["demo", "--db", db, "--today", today, "--out", str(tmp_path / "feeds")]) == 0
    out = capsys.readouterr().out
    agenda = out.split("3. The coming two weeks", 1)[1].split("4. A prepared", 1)[0]
    counts = [int(n) for n in re.findall(r"\((\d+) conversations?\)", agenda)]
    assert len(counts) == 2
    assert min(counts) >= 1, agenda
    planned = re.search(r": (\d+) added", out)
    assert planned is not None
    assert int(planned.group(1)) > 500
    assert "nothing in the coming two weeks" not in out
    year = date.fromisoformat(today).year
    assert f"gesprekscyclus {year}" in out.splitlines()[0]
    exit_interview = out.split("7. An exit interview", 1)[1]
    target = re.search(r"Exit interview of \w[\w ]*, target (\d{4}-\d\d-\d\d)", exit_interview)
    assert target is not None, exit_interview
    assert date.fromisoformat(target.group(1)) >= date.fromisoformat(today)
    assert "(manager) is refused" in exit_interview
    assert "in the manager's agenda or calendar feed: no" in exit_interview


def test_the_example_moves_by_whole_years_and_keeps_its_story() -> None:
    _design, people, events = load_reference()
    moved_design, moved_people, moved_events = living_example(date(2029, 3, 1))
    assert moved_design.cycle_start == date(2029, 1, 1)
    assert [p.id for p in moved_people] == [p.id for p in people]
    assert all(
        (new.hire_date.year - old.hire_date.year) == 2
        for old, new in zip(people, moved_people, strict=True)
    )
    assert [(e.person_id, e.kind, e.on.year - 2) for e in moved_events] == [
        (e.person_id, e.kind, e.on.year) for e in events
    ]
    labels = [closure.label for closure in moved_design.calendar.closures]
    assert labels == ["Kerstsluiting 2028", "Kerstsluiting 2029", "Kerstsluiting 2030"]


def test_the_examples_own_year_is_not_moved() -> None:
    assert living_example(date(2027, 1, 31)) == load_reference()
    assert living_example(date(2027, 12, 31))[0] == load_reference()[0]
    assert living_example(date(2027, 1, 1))[0].cycle_start == date(2027, 1, 1)
    assert living_example(date(2026, 12, 31))[0].cycle_start == date(2026, 1, 1)


@pytest.mark.parametrize("today", [date(2027, 6, 3), date(2027, 6, 30), date(2027, 12, 31)])
def test_a_leaver_close_to_or_past_the_last_day_leaves_a_year_later(today: date) -> None:
    _design, people, events = load_reference()
    _moved_design, moved_people, moved_events = living_example(today)
    last_days = [e.on for e in moved_events if e.kind is LifeEventKind.LAST_DAY]
    end_dates = [p.end_date for p in moved_people if p.end_date is not None]
    assert min(last_days + end_dates) >= today + LEAVER_LEAD
    leaving = {LifeEventKind.NOTICE_GIVEN, LifeEventKind.LAST_DAY}
    for old, new in zip(events, moved_events, strict=True):
        assert new.on in (
            {old.on, old.on.replace(year=old.on.year + 1)} if old.kind in leaving else {old.on}
        )
    assert [p.hire_date for p in moved_people] == [p.hire_date for p in people]


@pytest.mark.parametrize("today", ["1983-02-15", "4096-11-16"])
def test_the_first_and_last_day_the_demo_allows_run_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], today: str
) -> None:
    code = main(["demo", "--db", "memory:", "--today", today, "--out", str(tmp_path / "feeds")])
    assert code == 0
    assert capsys.readouterr().err == ""
