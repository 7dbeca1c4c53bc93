"""Planning commands: ``validate``, ``plan`` and ``absence-timeline``.

- ``validate DESIGN [--people FILE] [--events FILE]`` checks a cycle design (and optionally
  the people and events files) and prints a one-paragraph summary;
- ``plan DESIGN --people FILE [--events FILE] --from DATE --until DATE`` prints the planned
  conversations, the skipped occurrences, capacity conflicts and absence obligations;
- ``absence-timeline --first-sick-day DATE ...`` prints the Poortwachter milestones of a
  sick-leave case, with samentelling.

Every bad input (a file that cannot be read, a bad date, a bad CSV row, an invalid design)
raises a library error, so the command exits with code 2, names the file, line or option and
the problem on standard error, and writes nothing to standard output. See ``docs/cli.md``.

>>> from gesprekscyclus.cli import main
>>> main(["absence-timeline", "--first-sick-day", "2022-01-03",
...       "--recovered", "2022-07-04:2022-07-24", "--format", "csv"])  # doctest: +ELLIPSIS
case_start,key,due,earliest,basis,kind,who,conditional,title
...
2022-01-03,wage_payment_end,2024-01-22,,law,obligation,,no,End of wage payment ...
0
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any, TextIO

from gesprekscyclus.cli.json_text import indented
from gesprekscyclus.domain.absence import (
    EARLIEST_SICK_DAY,
    LATEST_SICK_DAY,
    AbsenceCase,
    Milestone,
    Prognosis,
    SickPeriod,
    absence_cases,
    absence_timeline,
)
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.question_lint import question_warnings
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import DesignError, InvalidValueError, Problem
from gesprekscyclus.planning.csv_cells import neutralise
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.design_document import design_summary
from gesprekscyclus.planning.design_events import design_event_problems
from gesprekscyclus.planning.design_file import DesignLimits, load_design
from gesprekscyclus.planning.people_file import (
    CsvLimits,
    parse_events,
    read_csv_text,
    read_people,
)
from gesprekscyclus.planning.planner import (
    MAX_HORIZON_DAYS,
    CapacityConflict,
    Obligation,
    Plan,
    PlannedConversation,
    Skipped,
    check_horizon,
    plan,
)
from gesprekscyclus.serialization import to_data

__all__ = ["SECTIONS", "read_inputs", "register"]

#: The parts of a plan that ``--show`` can select, in output order.
SECTIONS = ("conversations", "skipped", "conflicts", "obligations")
FORMATS = ("table", "csv", "json")
#: The formats ``plan`` writes straight to standard output as it goes, instead of in one
#: piece at the end (the command line reads ``streamed`` from the parsed arguments).
STREAMED = ("csv", "json")
#: Items of a JSON list written at once.
_JSON_CHUNK = 500
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def register(subparsers: Any) -> None:
    """Add the planning commands to the command line."""
    validate = subparsers.add_parser(
        "validate",
        help="check a cycle design file (and optionally people and events files)",
        description="Check a cycle design file and print a summary, or every problem found.",
    )
    validate.add_argument("design", metavar="DESIGN", help="the design file (.toml or .json)")
    validate.add_argument("--people", metavar="PEOPLE.csv", help="also check this people file")
    validate.add_argument("--events", metavar="EVENTS.csv", help="also check this events file")
    _design_limit(validate)
    validate.set_defaults(handler=run_validate)

    planner = subparsers.add_parser(
        "plan",
        help="plan the conversations of a design for people over a horizon",
        description="Plan every conversation of DESIGN for the people in [--from, --until].",
    )
    planner.add_argument("design", metavar="DESIGN", help="the design file (.toml or .json)")
    planner.add_argument("--people", metavar="PEOPLE.csv", required=True, help="people file")
    planner.add_argument("--events", metavar="EVENTS.csv", help="life events file")
    planner.add_argument("--from", dest="start", metavar="DATE", required=True, help="first day")
    planner.add_argument("--until", dest="end", metavar="DATE", required=True, help="last day")
    planner.add_argument("--format", choices=FORMATS, default="table", help="output format")
    planner.add_argument(
        "--max-horizon-days",
        metavar="DAYS",
        type=_whole_number,
        default=MAX_HORIZON_DAYS,
        help=f"refuse a longer horizon (default: {MAX_HORIZON_DAYS})",
    )
    planner.add_argument(
        "--show",
        metavar="SECTIONS",
        default=",".join(SECTIONS),
        help=f"comma-separated parts to print: {', '.join(SECTIONS)} or all (default: all)",
    )
    planner.add_argument(
        "--locale", choices=[m.value for m in Locale], default="en", help="language of titles"
    )
    _design_limit(planner)
    planner.set_defaults(handler=run_plan, streamed=STREAMED)

    timeline = subparsers.add_parser(
        "absence-timeline",
        help="the Poortwachter milestones of a sick-leave case",
        description=(
            "The Wet verbetering poortwachter milestones from a first sick day, with "
            "samentelling of sick periods less than four weeks apart."
        ),
    )
    timeline.add_argument("--first-sick-day", metavar="DATE", required=True)
    timeline.add_argument(
        "--recovered",
        metavar="FROM[:TO]",
        action="append",
        default=[],
        help=(
            "a recovery: FROM is the first day back at work, TO the last day before falling "
            "sick again (leave TO out when the employee stayed healthy); repeatable"
        ),
    )
    timeline.add_argument(
        "--prognosis",
        metavar="DATE:long|short",
        action="append",
        default=[],
        help="a prognosis recorded on DATE: long-term absence expected or not; repeatable",
    )
    timeline.add_argument("--last-working-day", metavar="DATE")
    timeline.add_argument("--until", metavar="DATE", help="leave out milestones due later")
    timeline.add_argument("--format", choices=FORMATS, default="table", help="output format")
    timeline.add_argument(
        "--locale", choices=[m.value for m in Locale], default="en", help="language of titles"
    )
    timeline.set_defaults(handler=run_absence_timeline)


# --- input --------------------------------------------------------------------------------------


def _design_limit(parser: argparse.ArgumentParser) -> None:
    default = DesignLimits().max_bytes
    parser.add_argument(
        "--max-design-bytes",
        metavar="BYTES",
        type=_whole_number,
        default=default,
        help=f"refuse a larger design file (default: {default})",
    )


def _whole_number(text: str) -> int:
    """A count given on the command line (argparse reports the option when this fails)."""
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 to 999999999")
    return int(text)


def parse_date(text: str, option: str) -> date:
    """An ISO date given on the command line, or an error naming the option."""
    if _ISO_DATE.fullmatch(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise InvalidValueError(option, f"{text!r} is not a valid date (expected YYYY-MM-DD)")


def read_inputs(
    design_path: str,
    people_path: str | None,
    events_path: str | None,
    max_design_bytes: int | None = None,
) -> tuple[CycleDesign | None, tuple[Person, ...], tuple[LifeEvent, ...]]:
    """Read every input file; raise one :class:`DesignError` with the problems of all."""
    problems: list[Problem] = []
    design: CycleDesign | None = None
    people: tuple[Person, ...] = ()
    events: tuple[LifeEvent, ...] = ()
    design_limits = DesignLimits() if max_design_bytes is None else _limits(max_design_bytes)
    try:
        design = load_design(design_path, limits=design_limits)
    except DesignError as error:
        problems.extend(error.problems)
    people_ok = True
    limits = CsvLimits.from_environment(os.environ)
    if people_path is not None:
        try:
            people = read_people(people_path, limits=limits)
        except DesignError as error:
            problems.extend(error.problems)
            people_ok = False
    if events_path is not None:
        try:
            known = people if people_path is not None and people_ok else None
            # Read once: the lines of the design's problems come from the same text (a pipe
            # such as /dev/stdin cannot be read twice).
            events_text = read_csv_text(events_path, limits)
            events = parse_events(events_text, source=events_path, people=known, limits=limits)
        except DesignError as error:
            problems.extend(error.problems)
        else:
            if design is not None:
                problems.extend(
                    design_event_problems(
                        design, events, source=events_path, line_of=_row_lines(events_text)
                    )
                )
    if problems:
        raise DesignError(problems)
    return design, people, events


def _limits(max_design_bytes: int) -> DesignLimits:
    try:
        return DesignLimits(max_bytes=max_design_bytes)
    except InvalidValueError as error:
        raise InvalidValueError(
            "--max-design-bytes", error.problem, allowed=error.allowed
        ) from None


def _row_lines(text: str) -> list[int]:
    """The first line of each data row of CSV text that has been read without problems."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter_of(text))
    lines: list[int] = []
    end = 0
    for row in reader:
        start, end = end + 1, reader.line_num
        if any(cell.strip() for cell in row):
            lines.append(start)
    return lines[1:]  # the header is no data row


def _delimiter_of(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _sections(text: str) -> tuple[str, ...]:
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names:
        raise InvalidValueError("--show", "names no section", allowed=(*SECTIONS, "all"))
    for name in names:
        if name not in (*SECTIONS, "all"):
            raise InvalidValueError(
                "--show", f"unknown section {name!r}", allowed=(*SECTIONS, "all")
            )
    if "all" in names:
        return SECTIONS
    return tuple(section for section in SECTIONS if section in names)


# --- output helpers -----------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, tuple | list | frozenset):
        return " ".join(_text(item) for item in value)
    return str(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], out: TextIO) -> None:
    cells = [[_text(value) or "-" for value in row] for row in rows]
    widths = [len(name) for name in header]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = [header, ["-" * width for width in widths], *cells]
    for line in lines:
        text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        out.write(text.rstrip() + "\n")
    if not cells:
        out.write("(none)\n")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]], out: TextIO) -> None:
    """Rows as CSV; cells a spreadsheet would run as formulas are neutralised."""
    _csv_cells(header, _cells(rows), out)


def _cells(rows: Iterable[Sequence[object]]) -> Iterator[list[str]]:
    """The CSV cells of ``rows``: values as text, neutralised."""
    return ([neutralise(_text(value)) for value in row] for row in rows)


def _csv_cells(header: Sequence[str], rows: Iterable[Sequence[str]], out: TextIO) -> None:
    """Rows of cells made safe already (by :func:`neutralise`) as CSV."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _json(data: object, out: io.StringIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))
    out.write("\n")


# --- validate -----------------------------------------------------------------------------------


def run_validate(args: argparse.Namespace, out: io.StringIO) -> int:
    """``validate``: print ``DESIGN: valid``, a summary, the retention periods and a warning
    per open question phrased as a closed or leading one, or raise with every problem."""
    from gesprekscyclus.cli.privacy import describe_retention  # noqa: PLC0415

    design, people, events = read_inputs(
        args.design, args.people, args.events, args.max_design_bytes
    )
    assert design is not None
    out.write(f"{args.design}: valid\n")
    if args.people is not None:
        out.write(f"{args.people}: valid, {len(people)} people\n")
    if args.events is not None:
        out.write(f"{args.events}: valid, {len(events)} events\n")
    out.write("\n" + design_summary(design, "en") + "\n")
    out.write("\n" + describe_retention(design) + "\n")
    warnings = question_warnings(design.full_catalog())
    if warnings:
        out.write("\n" + "".join(f"{warning}\n" for warning in warnings))
    return 0


# --- plan ---------------------------------------------------------------------------------------

_CONVERSATION_FIELDS = (
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
)
_SKIPPED_FIELDS = ("id", "type_key", "employee_id", "nominal", "reason")
_CONFLICT_FIELDS = ("conversation_id", "manager_id", "earliest", "latest", "reason")
_OBLIGATION_FIELDS = (
    "employee_id",
    "case_start",
    "key",
    "title",
    "due",
    "earliest",
    "basis",
    "who",
    "source",
    "conditional",
)


def _obligation_row(obligation: Obligation, locale: str) -> list[object]:
    milestone = obligation.milestone
    return [
        obligation.employee_id,
        obligation.case_start,
        milestone.key,
        milestone.title.in_(locale),
        milestone.due,
        milestone.earliest,
        milestone.basis,
        milestone.who,
        milestone.source,
        milestone.conditional,
    ]


def _plan_csv(result: Plan, sections: Sequence[str], locale: str, out: TextIO) -> None:
    """The sections as CSV, row by row (no table is built whole)."""
    tables: dict[str, tuple[Sequence[str], Callable[[], Iterable[Sequence[str]]]]] = {
        "conversations": (_CONVERSATION_FIELDS, lambda: _conversation_cells(result.conversations)),
        "skipped": (
            _SKIPPED_FIELDS,
            lambda: _cells([getattr(s, n) for n in _SKIPPED_FIELDS] for s in result.skipped),
        ),
        "conflicts": (
            _CONFLICT_FIELDS,
            lambda: _cells([getattr(c, n) for n in _CONFLICT_FIELDS] for c in result.conflicts),
        ),
        "obligations": (
            _OBLIGATION_FIELDS,
            lambda: _cells(_obligation_row(o, locale) for o in result.obligations),
        ),
    }
    for index, section in enumerate(sections):
        if len(sections) > 1:
            out.write(("\n" if index else "") + f"# {section}\n")
        header, rows = tables[section]
        _csv_cells(header, rows(), out)


_conversation_values = attrgetter(*_CONVERSATION_FIELDS)


def _conversation_cells(conversations: Iterable[PlannedConversation]) -> Iterator[list[str]]:
    """The CSV cells of each conversation, as :func:`_cells` makes them from
    :data:`_CONVERSATION_FIELDS`, faster: text goes straight to :func:`neutralise`, and
    dates, times and legal bases (a few hundred distinct values in a plan of millions of
    cells) are turned into text once each."""
    texts: dict[object, str] = {}
    for values in map(_conversation_values, conversations):
        cells = []
        for value in values:
            if type(value) is str:
                cells.append(neutralise(value))
            elif value is None:
                cells.append("")
            else:
                text = texts.get(value)
                if text is None:
                    text = texts[value] = neutralise(_text(value))
                cells.append(text)
        yield cells


def _plan_table(
    result: Plan,
    sections: Sequence[str],
    people: dict[str, Person],
    locale: str,
    out: TextIO,
) -> None:
    def name(person_id: str | None) -> str:
        if person_id is None:
            return "-"
        person = people.get(person_id)
        return person_id if person is None else f"{person.name} ({person_id})"

    def origin(conversation: PlannedConversation) -> str:
        if conversation.milestone is not None:
            return f"{conversation.origin}: {conversation.milestone}"
        return conversation.origin

    def window(earliest: date | None, latest: date | None) -> str:
        return f"{_text(earliest) or '...'}..{_text(latest)}"

    renderers: dict[str, Callable[[], None]] = {
        "conversations": lambda: _table(
            ("id", "person", "manager", "type", "target", "window", "origin"),
            (
                (
                    c.id,
                    name(c.employee_id),
                    name(c.manager_id),
                    c.type_key,
                    c.target,
                    window(c.earliest, c.latest),
                    origin(c),
                )
                for c in result.conversations
            ),
            out,
        ),
        "skipped": lambda: _table(
            ("id", "person", "type", "nominal", "reason"),
            ((s.id, name(s.employee_id), s.type_key, s.nominal, s.reason) for s in result.skipped),
            out,
        ),
        "conflicts": lambda: _table(
            ("conversation", "manager", "window", "reason"),
            (
                (c.conversation_id, name(c.manager_id), window(c.earliest, c.latest), c.reason)
                for c in result.conflicts
            ),
            out,
        ),
        "obligations": lambda: _table(
            ("person", "case start", "milestone", "due", "basis", "title"),
            (
                (
                    name(o.employee_id),
                    o.case_start,
                    o.milestone.key,
                    o.milestone.due,
                    o.milestone.basis,
                    o.milestone.title.in_(locale),
                )
                for o in result.obligations
            ),
            out,
        ),
    }
    titles = {
        "conversations": "Planned conversations",
        "skipped": "Skipped occurrences",
        "conflicts": "Capacity conflicts",
        "obligations": "Absence obligations (no conversation)",
    }
    for index, section in enumerate(sections):
        if index:
            out.write("\n")
        out.write(f"{titles[section]}\n\n")
        renderers[section]()
    out.write(
        f"\n{len(result.conversations)} conversations, {len(result.skipped)} skipped, "
        f"{len(result.conflicts)} capacity conflicts, {len(result.obligations)} obligations "
        f"from {result.start.isoformat()} to {result.end.isoformat()}.\n"
    )


def _plan_json(result: Plan, design: CycleDesign, sections: Sequence[str], out: TextIO) -> None:
    """The plan as one JSON document, written item by item: the same text as
    ``json.dumps(..., ensure_ascii=False, indent=2)`` of the whole, without building it."""
    head: dict[str, Any] = {
        "design": design.name,
        "design_version": design.version,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
    }
    parts: dict[str, Sequence[PlannedConversation | Skipped | CapacityConflict | Obligation]] = {
        "conversations": result.conversations,
        "skipped": result.skipped,
        "conflicts": result.conflicts,
        "obligations": result.obligations,
    }

    out.write("{")
    lead = "\n  "
    for key, value in head.items():
        out.write(f"{lead}{indented(key)}: {indented(value, '  ')}")
        lead = ",\n  "
    for section in sections:
        out.write(f"{lead}{indented(section)}: [")
        items = parts[section]
        text: Callable[[Any], str] = (
            _conversation_json({})
            if section == "conversations"
            else lambda item: indented(to_data(item), "    ")
        )
        for begin in range(0, len(items), _JSON_CHUNK):
            chunk = items[begin : begin + _JSON_CHUNK]
            out.write(("\n    " if begin == 0 else ",\n    ") + ",\n    ".join(map(text, chunk)))
        out.write("\n  ]" if items else "]")
    out.write("\n}\n")


#: Where each field of a conversation starts in the plan's JSON text.
_JSON_FIELD_STARTS = tuple(f'\n      "{name}": ' for name in (*_CONVERSATION_FIELDS, "moved_by"))
_conversation_fields = attrgetter(*_CONVERSATION_FIELDS, "moved_by")


def _conversation_json(texts: dict[object, str]) -> Callable[[PlannedConversation], str]:
    """A function giving ``indented(to_data(conversation), "    ")`` faster: text is encoded
    as it comes, and dates, times, legal bases and reasons for a move (few distinct values
    in a large plan) are turned into JSON text once each, in ``texts``."""

    def text(conversation: PlannedConversation) -> str:
        parts = []
        values = _conversation_fields(conversation)
        for start, value in zip(_JSON_FIELD_STARTS, values, strict=True):
            if type(value) is str:
                parts.append(start + encode_basestring(value))
            elif value is None:
                parts.append(start + "null")
            else:
                found = texts.get(value)
                if found is None:
                    found = texts[value] = indented(to_data(value), "      ")
                parts.append(start + found)
        return "{" + ",".join(parts) + "\n    }"

    return text


def run_plan(args: argparse.Namespace, out: TextIO) -> int:
    """``plan``: plan the design for the people and events over the horizon.

    Its CSV and JSON output are written as they are made (see :data:`STREAMED`); every
    check that can fail runs before the first line is written."""
    start = parse_date(args.start, "--from")
    end = parse_date(args.end, "--until")
    if end < start:
        raise InvalidValueError("--until", f"{end} lies before --from {start}")
    try:
        check_horizon(start, end, max_horizon_days=args.max_horizon_days)
    except InvalidValueError as error:
        option = {"start": "--from", "end": "--until"}.get(error.path, error.path)
        problem = error.problem.replace("max_horizon_days", "--max-horizon-days")
        raise InvalidValueError(option, problem) from None
    sections = _sections(args.show)
    design, people, events = read_inputs(
        args.design, args.people, args.events, args.max_design_bytes
    )
    assert design is not None
    result = plan(
        design, people, events, start=start, end=end, max_horizon_days=args.max_horizon_days
    )
    if args.format == "json":
        _plan_json(result, design, sections, out)
    elif args.format == "csv":
        _plan_csv(result, sections, args.locale, out)
    else:
        _plan_table(result, sections, {p.id: p for p in people}, args.locale, out)
    return 0


# --- absence timeline ---------------------------------------------------------------------------


def _periods(first_sick_day: date, recovered: Sequence[str]) -> list[SickPeriod]:
    """Sick periods from the first sick day and ``FROM[:TO]`` recoveries, in order."""
    periods: list[SickPeriod] = []
    start: date | None = first_sick_day
    for index, text in enumerate(recovered):
        option = f"--recovered[{index + 1}]"
        if start is None:
            raise InvalidValueError(
                option,
                "follows a recovery without TO (the employee stayed healthy); give TO there "
                "or drop this one",
            )
        back_text, colon, sick_again_text = text.partition(":")
        back = parse_date(back_text, option)
        if back <= start:
            raise InvalidValueError(
                option, f"first day back {back} must lie after the sick day {start}"
            )
        periods.append(SickPeriod(start, recovered_on=back))
        if not colon:
            start = None
            continue
        last_healthy = parse_date(sick_again_text, option)
        if last_healthy < back:
            raise InvalidValueError(
                option,
                f"TO {last_healthy} (the last day before falling sick again) lies before "
                f"FROM {back} (the first day back)",
            )
        if last_healthy >= LATEST_SICK_DAY:
            raise InvalidValueError(
                option,
                f"falling sick again after {last_healthy} lies too far ahead (allowed: up to "
                f"{LATEST_SICK_DAY})",
            )
        start = last_healthy + timedelta(days=1)
    if start is not None:
        periods.append(SickPeriod(start))
    return periods


def _prognoses(texts: Sequence[str]) -> list[Prognosis]:
    result = []
    for index, text in enumerate(texts):
        option = f"--prognosis[{index + 1}]"
        day_text, _colon, kind = text.partition(":")
        day = parse_date(day_text, option)
        kind = kind.strip().lower()
        if kind not in ("long", "short"):
            raise InvalidValueError(
                option, f"unknown expectation {kind!r} after DATE:", allowed=("long", "short")
            )
        result.append(Prognosis(day, long_term_expected=kind == "long"))
    return result


def _case_timelines(
    args: argparse.Namespace,
) -> list[tuple[AbsenceCase, tuple[Milestone, ...]]]:
    first = parse_date(args.first_sick_day, "--first-sick-day")
    if first > LATEST_SICK_DAY:
        raise InvalidValueError(
            "--first-sick-day",
            f"{first} lies too far ahead: its 104 weeks run past the last year with known "
            f"statutory holidays (allowed: up to {LATEST_SICK_DAY})",
        )
    if first < EARLIEST_SICK_DAY:
        raise InvalidValueError(
            "--first-sick-day",
            f"{first} lies before the first year with known statutory holidays (allowed: "
            f"from {EARLIEST_SICK_DAY})",
        )
    periods = _periods(first, args.recovered)
    prognoses = _prognoses(args.prognosis)
    last_day = (
        None
        if args.last_working_day is None
        else parse_date(args.last_working_day, "--last-working-day")
    )
    until = None if args.until is None else parse_date(args.until, "--until")
    for index, prognosis in enumerate(prognoses):
        if prognosis.recorded_on < first:
            raise InvalidValueError(
                f"--prognosis[{index + 1}]",
                f"{prognosis.recorded_on} lies before the first sick day {first}",
            )
        if prognosis.recorded_on > LATEST_SICK_DAY:
            raise InvalidValueError(
                f"--prognosis[{index + 1}]",
                f"{prognosis.recorded_on} lies too far ahead (allowed: up to {LATEST_SICK_DAY})",
            )
    if last_day is not None and last_day < first:
        raise InvalidValueError(
            "--last-working-day", f"{last_day} lies before the first sick day {first}"
        )
    cases = absence_cases(periods)
    if last_day is not None:
        for case in cases:
            if case.first_day > last_day:
                raise InvalidValueError(
                    "--recovered",
                    f"a sick period from {case.first_day} starts after the last working day "
                    f"{last_day}",
                )
    result = []
    for index, case in enumerate(cases):
        following = cases[index + 1].first_day if index + 1 < len(cases) else None
        own = [
            p
            for p in prognoses
            if case.first_day <= p.recorded_on and (following is None or p.recorded_on < following)
        ]
        milestones = absence_timeline(
            case,
            prognosis=own,
            last_working_day=last_day,
            until=until,
        )
        result.append((case, milestones))
    return result


_MILESTONE_HEADER = (
    "case_start",
    "key",
    "due",
    "earliest",
    "basis",
    "kind",
    "who",
    "conditional",
    "title",
)


def _milestone_row(case: AbsenceCase, milestone: Milestone, locale: str) -> list[object]:
    return [
        case.first_day,
        milestone.key,
        milestone.due,
        milestone.earliest,
        milestone.basis,
        "conversation" if milestone.conversation_type else "obligation",
        milestone.who,
        milestone.conditional,
        milestone.title.in_(locale),
    ]


def run_absence_timeline(args: argparse.Namespace, out: io.StringIO) -> int:
    """``absence-timeline``: the Poortwachter milestones of each case."""
    timelines = _case_timelines(args)
    if args.format == "json":
        _json(
            {
                "cases": [
                    {
                        "first_day": case.first_day.isoformat(),
                        "periods": [to_data(period) for period in case.periods],
                        "gaps": list(case.gaps),
                        "open": case.is_open,
                        "milestones": [to_data(milestone) for milestone in milestones],
                    }
                    for case, milestones in timelines
                ]
            },
            out,
        )
    elif args.format == "csv":
        _csv(
            _MILESTONE_HEADER,
            (
                _milestone_row(case, milestone, args.locale)
                for case, milestones in timelines
                for milestone in milestones
            ),
            out,
        )
    else:
        for index, (case, milestones) in enumerate(timelines):
            if index:
                out.write("\n")
            gaps = ", ".join(f"{gap} days" for gap in case.gaps)
            state = "open" if case.is_open else f"recovered on {case.recovered_on}"
            out.write(
                f"Case from {case.first_day}: {len(case.periods)} sick period(s)"
                + (f", interruptions not counted: {gaps}" if gaps else "")
                + f"; {state}\n\n"
            )
            _table(
                ("due", "earliest", "milestone", "kind", "basis", "conditional", "title"),
                (
                    (
                        m.due,
                        m.earliest,
                        m.key,
                        "conversation" if m.conversation_type else "obligation",
                        m.basis,
                        m.conditional,
                        m.title.in_(args.locale),
                    )
                    for m in milestones
                ),
                out,
            )
    return 0
