"""The design document for the works council: plain words, every type, escaped output."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus.cli import main
from gesprekscyclus.domain.access import ReaderRole
from gesprekscyclus.domain.cadence import Anniversary, Interval, LifecycleOffset, Threshold
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.examples import directory, load_reference
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.design_document import design_document, design_summary, readable
from gesprekscyclus.planning.design_words import rhythm

EXAMPLES = directory()  # the installed package's example files
DESIGN_FILE = str(EXAMPLES / "reference-design.toml")


@pytest.fixture(scope="module")
def reference() -> tuple[CycleDesign, tuple[Person, ...], tuple[object, ...]]:
    design, people, events = load_reference()
    return design, tuple(people), tuple(events)


@pytest.mark.parametrize(
    ("cadence", "nl", "en"),
    [
        (
            Interval(every=1, unit="years", anchor="fixed_month", month=3),
            "elk jaar in maart",
            "every year in March",
        ),
        (
            LifecycleOffset("hired", offset_months=6),
            "zes maanden na indiensttreding",
            "six months after starting work",
        ),
        (
            Interval(every=6, unit="weeks", anchor="cycle_start"),
            "elke zes weken",
            "every six weeks",
        ),
        (Interval(every=1, unit="quarters", anchor="cycle_start"), "elk kwartaal", "every quarter"),
        (
            Interval(every=2, unit="weeks", anchor="hire_date", anchor_to="held"),
            "elke twee weken, gerekend vanaf indiensttreding, gerekend vanaf het vorige "
            "gehouden gesprek",
            "every two weeks, counted from starting work, counted from the last one held",
        ),
        (
            LifecycleOffset("last_day", -5, working_days=True),
            "vijf werkdagen voor de laatste werkdag",
            "five working days before the last working day",
        ),
        (
            Threshold(count=3, window_days=365, offset_days=3),
            "bij de derde ziekmelding binnen 365 dagen, drie dagen na het herstel",
            "at the third sick report within 365 days, three days after the recovery",
        ),
        (
            Anniversary(),
            "elk jaar rond de datum van indiensttreding",
            "every year around the anniversary of starting work",
        ),
    ],
)
def test_rhythms_are_written_in_words(cadence: object, nl: str, en: str) -> None:
    assert rhythm(cadence, "nl") == nl  # type: ignore[arg-type]
    assert rhythm(cadence, "en") == en  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_type_is_described_in_words_without_keys(reference: tuple, locale: str) -> None:
    design, _, _ = reference
    text = design_document(design, locale)
    catalog = design.full_catalog()
    for key in design.type_keys:
        kind = catalog.type(key)
        assert f"### {kind.label.in_(locale)}" in text
        assert kind.purpose.in_(locale).split(".")[0] in text
        for question in catalog.question_set_for(key).questions:
            assert question.text.in_(locale).replace("*", r"\*") in text
    # no stable keys, no raw enum values
    keys = [key for key in design.type_keys if "_" in key]
    for raw in (*keys, "fixed_month", "hire_date", "led_by", "hr_office", "_"):
        assert raw not in text.replace(r"\_", "")
    words = {
        "nl": ("elk jaar in maart", "zes maanden na indiensttreding", "Wie leidt:", "Wie plant:",
               "Wie bereidt voor:", "Wie legt vast:", "Wie volgt op:", "Bewaartermijn:",
               "Tijdens ziekteverzuim wordt dit gesprek niet gepland",
               "Na een opzegging wordt dit gesprek nog gepland", "Wet verbetering poortwachter"),
        "en": ("every year in March", "six months after starting work", "Who leads:",
               "Who plans:", "Who prepares:", "Who records:", "Who follows up:", "Retention:",
               "During sick leave this conversation is not planned",
               "After notice has been given, this conversation is still planned",
               "Wet verbetering poortwachter"),
    }[locale]  # fmt: skip
    for phrase in words:
        assert phrase in text, phrase


def test_who_may_read_what_follows_the_access_matrix() -> None:
    catalog = built_in_catalog()
    exit_interview = catalog.type("exit_interview")
    assert readable(ReaderRole.HR_OFFICE, exit_interview, "en") == [
        "that the conversation exists (type, date, participants, status)"
    ]
    assert readable(ReaderRole.MANAGER, exit_interview, "en") == [
        "that the conversation exists (type, date, participants, status)"
    ]
    reports_for_hr = attrs.evolve(catalog.type("check_in"), hr_reads_reports=True)
    assert "the shared report" in readable(ReaderRole.HR_OFFICE, reports_for_hr, "en")
    assert "the shared report" not in readable(ReaderRole.HR_OFFICE, catalog.type("check_in"), "en")
    absence = catalog.type("absence")
    physician = readable(ReaderRole.OCCUPATIONAL_PHYSICIAN, absence, "en")
    assert "the capacities and limitations the occupational physician gives" in physician
    manager = readable(ReaderRole.MANAGER, absence, "en")
    assert "the capacities and limitations the occupational physician gives" not in manager


def test_people_add_a_simulation_summary(reference: tuple) -> None:
    design, people, events = reference
    text = design_document(design, "nl", people, events=events)
    assert "## Wat dit betekent voor de organisatie" in text
    assert re.search(r"Voor 61 medewerkers plant .* gemiddeld \d+,\d per persoon per jaar", text)
    assert "| Leidinggevende | Uren per jaar |" in text
    managers = {p.manager_id for p in people if p.manager_id}
    names = {p.name for p in people if p.id in managers}
    assert sum(f"| {name} |" in text for name in names) >= len(names) - 1
    assert "Wat dit betekent" not in design_document(design, "nl")


HOSTILE = '<script>alert("x")</script> *bold* [link](javascript:x) | & #'


def test_html_escapes_names_from_files(reference: tuple) -> None:
    design, people, events = reference
    design = attrs.evolve(design, name=HOSTILE)
    manager = next(p for p in people if p.manager_id is None)
    people = tuple(attrs.evolve(p, name=HOSTILE) if p.id == manager.id else p for p in people)
    page = design_document(design, "en", people, events=events, fmt="html")
    assert "<script>" not in page
    assert html.escape(HOSTILE) in page

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: set[str] = set()

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.add(tag)

    parser = Tags()
    parser.feed(page)
    assert parser.tags <= {"html", "head", "meta", "title", "body", "h1", "h2", "h3", "p",
                           "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}  # fmt: skip


def test_markdown_escapes_names_from_files(reference: tuple) -> None:
    design, _, _ = reference
    text = design_document(attrs.evolve(design, name=HOSTILE), "nl")
    first = text.splitlines()[0]
    assert "<script>" not in text
    assert r"\*bold\*" in first
    assert r"\[link\]" in first
    assert r"\|" in first
    assert "&lt;script>" in first


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
    ).filter(lambda t: t.strip())
)
def test_no_design_name_breaks_out_of_the_html(name: str) -> None:
    design = CycleDesign(name=name, cycle_start=date(2027, 1, 1), types=(TypeRule("check_in"),))
    page = design_document(design, "en", fmt="html")
    body = page.split("<body>", 1)[1]
    stripped = re.sub(r"</?(h[123]|p|ul|li|table|thead|tbody|tr|th|td|body|html)>", "", body)
    assert "<" not in stripped


def test_unknown_format_is_refused(reference: tuple) -> None:
    with pytest.raises(InvalidValueError, match="fmt: unknown format 'pdf'"):
        design_document(reference[0], "nl", fmt="pdf")  # type: ignore[arg-type]


def test_summary_is_in_words(reference: tuple) -> None:
    summary = design_summary(reference[0], "nl")
    assert "Groeigesprek (elk jaar in maart)" in " ".join(summary.split())
    assert "growth_review" not in summary


def test_describe_prints_markdown_and_html(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", DESIGN_FILE]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Gesprekscyclus: Voorbeeld mkb")
    assert "elk jaar in maart" in out
    people, events = str(EXAMPLES / "people.csv"), str(EXAMPLES / "events.csv")
    code = main(["describe", DESIGN_FILE, "--lang", "en", "--format", "html",
                 "--people", people, "--events", events])  # fmt: skip
    assert code == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert "hours a year" in page.lower()


def test_describe_reports_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    events = str(EXAMPLES / "events.csv")
    assert main(["describe", DESIGN_FILE, "--events", events]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--events: needs --people" in captured.err
    broken = tmp_path / "broken.toml"
    broken.write_text(
        'name = "x"\ncycle_start = 2027-01-01\n[types.check_in]\nwindow_before = -1\n'
    )
    assert main(["describe", str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "broken.toml" in captured.err


def test_preparation_and_sign_off_are_only_mentioned_where_they_exist() -> None:
    design = CycleDesign(
        name="d",
        cycle_start=date(2027, 1, 1),
        types=(TypeRule("exit_interview"), TypeRule("growth_review"), TypeRule("absence")),
    )
    text = design_document(design, "en")
    exit_part = text.split("### Exit interview")[1].split("###")[0]
    growth_part = text.split("### Growth review")[1].split("###")[0]
    absence_part = text.split("### Absence conversation")[1].split("##")[0]
    assert "preparation" not in exit_part.split("Who may read what")[1]
    assert "a reminder to prepare" in exit_part
    assert "the other side's preparation" in growth_part
    assert "reminded to sign it" in growth_part
    assert "reminded to sign it" not in absence_part  # sign-off is optional there


def test_describe_escapes_hostile_names_from_the_people_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    people = (EXAMPLES / "people.csv").read_text(encoding="utf-8")
    hostile = people.replace("Ingrid Verhoeven", '<img src=x onerror="alert(1)"> Ingrid')
    assert hostile != people
    path = tmp_path / "people.csv"
    path.write_text(hostile, encoding="utf-8")
    assert main(["describe", DESIGN_FILE, "--format", "html", "--people", str(path)]) == 0
    page = capsys.readouterr().out
    assert "<img" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Ingrid" in page
    assert main(["describe", DESIGN_FILE, "--people", str(path)]) == 0
    text = capsys.readouterr().out
    assert "<img" not in text
    assert '&lt;img src=x onerror="alert(1)"> Ingrid' in text
