"""People and life events from CSV files, with every problem reported at once.

An HR system usually exports staff as a spreadsheet. These functions read such an export
(UTF-8, a header line, ``;`` or ``,`` between the fields, a byte-order mark tolerated) into
:class:`~gesprekscyclus.domain.people.Person` and
:class:`~gesprekscyclus.domain.events.LifeEvent` values. Parsing is pure: :func:`parse_people`
and :func:`parse_events` take the text, :func:`read_people` and :func:`read_events` only add
reading the file.

Nothing stops at the first mistake: every problem is collected as a
:class:`~gesprekscyclus.errors.Problem` with the file, the line, the column and, for closed
sets, the allowed values, and all of them are raised together as one
:class:`~gesprekscyclus.errors.DesignError`. Besides the values themselves the checks cover
the references between rows: unique ids, managers that exist, no circular management chains,
events about known people, and sick reports and recoveries that alternate.

>>> text = '''id;name;manager_id;hire_date;working_days
... m-1;Mila Jansen;;2019-04-01;
... e-1;Daan Bakker;m-1;2024-02-29;mon tue thu
... '''
>>> mila, daan = parse_people(text, source="people.csv")
>>> daan.manager_id, daan.working_pattern.names
('m-1', ('mon', 'tue', 'thu'))
>>> parse_people(text.replace("2024-02-29", "2024-02-30"), source="people.csv")
Traceback (most recent call last):
...
gesprekscyclus.errors.DesignError: people.csv:3: hire_date: '2024-02-30' is not a valid date \
(expected YYYY-MM-DD)
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from gesprekscyclus.domain.events import PROGNOSIS_DETAILS, LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import (
    DAY_SEPARATORS,
    LeapDayPolicy,
    Person,
    WorkingPattern,
    unknown_day,
    weekday_number,
)
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import DesignError, InvalidValueError, Problem

__all__ = [
    "EVENT_COLUMNS",
    "PEOPLE_COLUMNS",
    "REQUIRED_EVENT_COLUMNS",
    "REQUIRED_PEOPLE_COLUMNS",
    "events_from_records",
    "events_to_csv",
    "parse_events",
    "parse_people",
    "people_from_records",
    "people_to_csv",
    "read_events",
    "read_people",
]

#: The columns a people file may have, in the order :func:`people_to_csv` writes them.
PEOPLE_COLUMNS = (
    "id",
    "name",
    "manager_id",
    "hire_date",
    "end_date",
    "team",
    "contract",
    "location",
    "locale",
    "time_zone",
    "working_days",
    "email",
    "leap_day_policy",
)
#: The columns every people file must have.
REQUIRED_PEOPLE_COLUMNS = ("id", "name", "hire_date")
#: The columns an events file may have.
EVENT_COLUMNS = ("person_id", "kind", "on", "detail")
#: The columns every events file must have.
REQUIRED_EVENT_COLUMNS = ("person_id", "kind", "on")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class _Row:
    """One data row: its starting line and its values by column name (stripped)."""

    def __init__(self, line: int, values: Mapping[str, str]):
        self.line = line
        self.values = values

    def get(self, column: str) -> str:
        return self.values.get(column, "")


class _Collector:
    """Collects the problems of one file."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(
        self,
        column: str,
        message: str,
        *,
        line: int | None = None,
        allowed: Iterable[object] | None = None,
    ) -> None:
        self.problems.append(Problem(self.source, column, message, line=line, allowed=allowed))

    def raise_if_any(self) -> None:
        """Raise every problem, in line order (the order of checks within a line)."""
        if self.problems:
            raise DesignError(sorted(self.problems, key=lambda problem: problem.line or 0))


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _rows(
    text: str,
    columns: Sequence[str],
    required: Sequence[str],
    problems: _Collector,
) -> list[_Row]:
    """The data rows of ``text``; problems with the header or row shapes go to ``problems``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        problems.add(
            "",
            "is empty; expected a header line with the columns",
            allowed=columns,
        )
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[first]))
    header: list[str] | None = None
    rows: list[_Row] = []
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(value.strip() for value in record):
                continue  # blank lines carry nothing
            if header is None:
                header = [name.strip().lower() for name in record]
                if not _check_header(header, start, columns, required, problems):
                    return []  # without a required column every row would fail the same way
                continue
            if len(record) != len(header):
                problems.add(
                    "",
                    f"has {len(record)} fields where the header has {len(header)}",
                    line=start,
                )
                continue
            values = {
                name: value.strip()
                for name, value in zip(header, record, strict=True)
                if name in columns
            }
            rows.append(_Row(start, values))
    except csv.Error as error:
        problems.add("", f"is not valid CSV: {error}", line=reader.line_num)
    return rows


def _check_header(
    header: Sequence[str],
    line: int | None,
    columns: Sequence[str],
    required: Sequence[str],
    problems: _Collector,
) -> bool:
    """Report header problems; whether the rows can be read (every required column exists)."""
    seen: set[str] = set()
    for name in header:
        if name not in columns:
            problems.add(name or "(empty)", "unknown column", line=line, allowed=columns)
        elif name in seen:
            problems.add(name, "column appears more than once", line=line)
        seen.add(name)
    missing = [name for name in required if name not in seen]
    for name in missing:
        problems.add(name, "required column is missing", line=line, allowed=columns)
    return not missing


def _date(row: _Row, column: str, problems: _Collector, *, required: bool) -> date | None:
    text = row.get(column)
    if not text:
        if required:
            problems.add(column, "is required", line=row.line)
        return None
    if not _ISO_DATE.fullmatch(text):
        problems.add(column, f"{text!r} is not a date (expected YYYY-MM-DD)", line=row.line)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.add(column, f"{text!r} is not a valid date (expected YYYY-MM-DD)", line=row.line)
        return None


def _choice(
    row: _Row, column: str, kind: Callable[[str], Any], allowed: Iterable[str], problems: _Collector
) -> Any:
    text = row.get(column)
    if not text:
        return None
    try:
        return kind(text.lower())
    except InvalidValueError:
        problems.add(column, f"unknown value {text!r}", line=row.line, allowed=allowed)
        return None


def _working_days(row: _Row, problems: _Collector) -> WorkingPattern | None:
    text = row.get("working_days")
    if not text:
        return None
    days = []
    for name in DAY_SEPARATORS.split(text):
        if not name:
            continue
        number = weekday_number(name)
        if number is None:
            problems.add(
                "working_days",
                unknown_day(name),
                line=row.line,
                allowed=_DAY_NAMES,
            )
            return None
        days.append(number)
    return WorkingPattern(frozenset(days))


def _time_zone(row: _Row, problems: _Collector) -> str | None:
    text = row.get("time_zone")
    if not text:
        return None
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.add(
            "time_zone",
            f"unknown IANA time zone {text!r} (e.g. 'Europe/Amsterdam', 'UTC')",
            line=row.line,
        )
        return None
    return text


def _column_of(error: InvalidValueError) -> str:
    """The file's column for a ``Person.<field>`` / ``LifeEvent.<field>`` error path."""
    field = error.path.rpartition(".")[2]
    return {"working_pattern": "working_days", "weekdays": "working_days"}.get(field, field)


def _person(row: _Row, problems: _Collector) -> Person | None:
    before = len(problems.problems)
    for column in ("id", "name"):
        if not row.get(column):
            problems.add(column, "is required", line=row.line)
    hire_date = _date(row, "hire_date", problems, required=True)
    end_date = _date(row, "end_date", problems, required=False)
    locale = _choice(row, "locale", Locale, [m.value for m in Locale], problems)
    zone = _time_zone(row, problems)
    pattern = _working_days(row, problems)
    email = row.get("email")
    if email and not _EMAIL.fullmatch(email):
        problems.add("email", f"{email!r} is not an e-mail address", line=row.line)
    policy = _choice(
        row, "leap_day_policy", LeapDayPolicy, [m.value for m in LeapDayPolicy], problems
    )
    if len(problems.problems) > before or hire_date is None:
        return None
    optional: dict[str, Any] = {
        "locale": locale,
        "leap_day_policy": policy,
        "working_pattern": pattern,
        "time_zone": zone,
    }
    for column in ("manager_id", "team", "contract", "location", "email"):
        optional[column] = row.get(column) or None
    try:
        return Person(
            id=row.get("id"),
            name=row.get("name"),
            hire_date=hire_date,
            end_date=end_date,
            **{key: value for key, value in optional.items() if value is not None},
        )
    except InvalidValueError as error:
        problems.add(_column_of(error), error.problem, line=row.line, allowed=error.allowed)
        return None


def _check_people(people: Sequence[tuple[int, Person]], problems: _Collector) -> None:
    lines: dict[str, int] = {}
    for line, person in people:
        if person.id in lines:
            problems.add(
                "id", f"duplicate id {person.id!r} (first on line {lines[person.id]})", line=line
            )
        else:
            lines[person.id] = line
    first: dict[str, Person] = {}
    for _line, person in people:
        first.setdefault(person.id, person)
    managers = {person_id: person.manager_id for person_id, person in first.items()}
    for line, person in people:
        if person.manager_id is not None and person.manager_id not in lines:
            problems.add(
                "manager_id",
                f"{person.manager_id!r} is not the id of anyone in this file",
                line=line,
            )
    for line, person in people:
        manager = first.get(person.manager_id) if person.manager_id else None
        if manager is not None and not (
            person.working_pattern.weekdays & manager.working_pattern.weekdays
        ):
            own, theirs = person.working_pattern.names, manager.working_pattern.names
            problems.add(
                "working_days",
                f"{person.id!r} ({' '.join(own)}) shares no working day with their manager "
                f"{manager.id!r} ({' '.join(theirs)})",
                line=line,
            )
    reported: set[str] = set()
    for line, person in people:
        chain = [person.id]
        current = managers.get(person.id)
        while current is not None and current in managers and current not in chain:
            chain.append(current)
            current = managers[current]
        if current is None or current not in chain or current != person.id:
            continue  # the chain reaches the top, an unknown id, or a cycle elsewhere
        if reported.isdisjoint(chain):
            reported.update(chain)
            loop = " -> ".join([*chain, person.id])
            problems.add("manager_id", f"circular management chain: {loop}", line=line)


def parse_people(text: str, *, source: str = "people.csv") -> tuple[Person, ...]:
    """The people in a CSV text, in file order; :class:`DesignError` with every problem.

    Columns (see :data:`PEOPLE_COLUMNS`): ``id``, ``name`` and ``hire_date`` are required,
    the rest may be left out or empty for their defaults. Dates are ``YYYY-MM-DD``;
    ``working_days`` lists day names (``mon tue thu``, Dutch ``ma di do`` too); ``locale``,
    ``leap_day_policy`` and ``time_zone`` take the values of the domain types.
    """
    problems = _Collector(source)
    read: list[tuple[int, Person]] = []
    for row in _rows(text, PEOPLE_COLUMNS, REQUIRED_PEOPLE_COLUMNS, problems):
        person = _person(row, problems)
        if person is not None:
            read.append((row.line, person))
    _check_people(read, problems)
    problems.raise_if_any()
    return tuple(person for _line, person in read)


def _event(row: _Row, problems: _Collector) -> LifeEvent | None:
    before = len(problems.problems)
    if not row.get("person_id"):
        problems.add("person_id", "is required", line=row.line)
    kind = None
    if not row.get("kind"):
        problems.add("kind", "is required", line=row.line, allowed=[k.value for k in LifeEventKind])
    else:
        kind = _choice(row, "kind", LifeEventKind, [k.value for k in LifeEventKind], problems)
    on = _date(row, "on", problems, required=True)
    detail = row.get("detail") or None
    if kind is LifeEventKind.MANAGER_CHANGE and detail is None:
        problems.add("detail", "a manager_change needs the new manager's id here", line=row.line)
    if kind is LifeEventKind.PROGNOSIS and detail not in PROGNOSIS_DETAILS:
        problems.add(
            "detail",
            f"a prognosis needs {' or '.join(PROGNOSIS_DETAILS)} here, got {detail!r}",
            line=row.line,
            allowed=PROGNOSIS_DETAILS,
        )
    if len(problems.problems) > before or on is None or kind is None:
        return None
    try:
        return LifeEvent(on=on, person_id=row.get("person_id"), kind=kind, detail=detail)
    except InvalidValueError as error:  # pragma: no cover - the checks above come first
        problems.add(_column_of(error), error.problem, line=row.line, allowed=error.allowed)
        return None


def _check_events(
    events: Sequence[tuple[int, LifeEvent]],
    people: Sequence[Person] | None,
    problems: _Collector,
) -> None:
    known = None if people is None else {person.id: person for person in people}
    seen: dict[tuple[str, str, date], int] = {}
    for line, event in events:
        key = (event.person_id, event.kind.value, event.on)
        if key in seen:
            problems.add(
                "kind", f"the same {event.kind.value} event again (line {seen[key]})", line=line
            )
        seen.setdefault(key, line)
        if known is None:
            continue
        person = known.get(event.person_id)
        if person is None:
            problems.add(
                "person_id", f"{event.person_id!r} is not the id of a known person", line=line
            )
            continue
        if event.on < person.hire_date:
            problems.add(
                "on", f"{event.on} lies before the hire date {person.hire_date}", line=line
            )
        if event.kind is LifeEventKind.MANAGER_CHANGE and event.detail is not None:
            if event.detail not in known:
                problems.add(
                    "detail", f"{event.detail!r} is not the id of a known person", line=line
                )
            elif event.detail == event.person_id:
                problems.add("detail", "a person cannot become their own manager", line=line)
    _check_sick_sequence(events, problems)


def _check_sick_sequence(events: Sequence[tuple[int, LifeEvent]], problems: _Collector) -> None:
    """Sick reports and recoveries of each person must alternate, a recovery after a report."""
    open_since: dict[str, tuple[date, int]] = {}
    relevant = [
        (line, event)
        for line, event in events
        if event.kind in (LifeEventKind.SICK_REPORT, LifeEventKind.RECOVERY)
    ]
    relevant.sort(key=lambda item: (item[1].on, item[0]))
    for line, event in relevant:
        current = open_since.get(event.person_id)
        if event.kind is LifeEventKind.SICK_REPORT:
            if current is not None:
                problems.add(
                    "kind",
                    f"sick_report on {event.on} while {event.person_id!r} is already sick since "
                    f"{current[0]} (line {current[1]}); add the recovery in between",
                    line=line,
                )
                continue
            open_since[event.person_id] = (event.on, line)
        else:
            if current is None:
                problems.add(
                    "kind",
                    f"recovery on {event.on} without an open sick report for {event.person_id!r}",
                    line=line,
                )
                continue
            if event.on <= current[0]:
                problems.add(
                    "on",
                    f"recovery on {event.on} must lie after the first sick day {current[0]} "
                    f"(line {current[1]})",
                    line=line,
                )
            del open_since[event.person_id]


def parse_events(
    text: str, *, source: str = "events.csv", people: Iterable[Person] | None = None
) -> tuple[LifeEvent, ...]:
    """The life events in a CSV text, in file order; :class:`DesignError` with every problem.

    Columns (see :data:`EVENT_COLUMNS`): ``person_id``, ``kind`` and ``on`` are required;
    ``detail`` holds the new manager's id for ``manager_change``. With ``people`` every
    event must name one of them (and a manager change a known new manager).

    >>> parse_events("person_id,kind,on\\ne-1,sick_report,2027-01-11\\n")[0].kind.value
    'sick_report'
    """
    problems = _Collector(source)
    read: list[tuple[int, LifeEvent]] = []
    for row in _rows(text, EVENT_COLUMNS, REQUIRED_EVENT_COLUMNS, problems):
        event = _event(row, problems)
        if event is not None:
            read.append((row.line, event))
    _check_events(read, None if people is None else tuple(people), problems)
    problems.raise_if_any()
    return tuple(event for _line, event in read)


def _read_text(path: str | Path) -> str:
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        reason = error.strerror or str(error)
        raise DesignError([Problem(str(path), "", f"cannot be read: {reason}")]) from error
    except UnicodeDecodeError as error:
        raise DesignError(
            [Problem(str(path), "", f"is not UTF-8 text (byte {error.start}); save it as UTF-8")]
        ) from error


def read_people(path: str | Path) -> tuple[Person, ...]:
    """The people in a CSV file; see :func:`parse_people`."""
    return parse_people(_read_text(path), source=str(path))


def read_events(
    path: str | Path, *, people: Iterable[Person] | None = None
) -> tuple[LifeEvent, ...]:
    """The life events in a CSV file; see :func:`parse_events`."""
    return parse_events(_read_text(path), source=str(path), people=people)


def _write(rows: Iterable[Sequence[str]], header: Sequence[str], delimiter: str) -> str:
    buffer = io.StringIO()
    # CRLF line ends (RFC 4180) also make the writer quote a lone carriage return in a value.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def people_to_csv(people: Iterable[Person], *, delimiter: str = ",") -> str:
    """People as CSV text with every column, readable again by :func:`parse_people`.

    >>> print(people_to_csv([Person(id="e-1", name="Anna", hire_date=date(2021, 3, 1))]))
    id,name,manager_id,hire_date,end_date,team,contract,location,locale,time_zone,working_days,\
email,leap_day_policy
    e-1,Anna,,2021-03-01,,,,,nl,Europe/Amsterdam,mon tue wed thu fri,,feb28
    """

    def row(person: Person) -> list[str]:
        return [
            person.id,
            person.name,
            person.manager_id or "",
            person.hire_date.isoformat(),
            person.end_date.isoformat() if person.end_date else "",
            person.team or "",
            person.contract or "",
            person.location or "",
            person.locale.value,
            person.time_zone,
            " ".join(person.working_pattern.names),
            person.email or "",
            person.leap_day_policy.value,
        ]

    return _write((row(person) for person in people), PEOPLE_COLUMNS, delimiter)


def events_to_csv(events: Iterable[LifeEvent], *, delimiter: str = ",") -> str:
    """Life events as CSV text, readable again by :func:`parse_events`."""
    return _write(
        (
            [event.person_id, event.kind.value, event.on.isoformat(), event.detail or ""]
            for event in events
        ),
        EVENT_COLUMNS,
        delimiter,
    )


def _record_rows(
    records: Iterable[Mapping[str, str]],
    columns: Sequence[str],
    required: Sequence[str],
    problems: _Collector,
) -> list[_Row]:
    """Records as rows numbered from 1; their keys are checked like a file's header."""
    rows = [
        _Row(number, {str(key).strip().lower(): value.strip() for key, value in record.items()})
        for number, record in enumerate(records, start=1)
    ]
    header = sorted({name for row in rows for name in row.values})
    if not rows or not _check_header(header, None, columns, required, problems):
        if not rows:
            problems.add("", "holds no records", allowed=columns)
        return []
    for row in rows:
        row.values = {name: value for name, value in row.values.items() if name in columns}
    return rows


def people_from_records(
    records: Iterable[Mapping[str, str]], *, source: str = "records"
) -> tuple[Person, ...]:
    """People from records of text (one mapping per person), checked as :func:`parse_people`.

    Keys are the columns of a people file; a problem's "line" is the record's position,
    counting from 1. This is how tables from other sources (a DataFrame, JSON from an HR
    system) get the same checks and messages as a CSV file.

    >>> people_from_records([{"id": "e-1", "name": "Anna", "hire_date": "2021-02-30"}])
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.DesignError: records:1: hire_date: '2021-02-30' is not a valid date \
(expected YYYY-MM-DD)
    """
    problems = _Collector(source)
    read: list[tuple[int, Person]] = []
    for row in _record_rows(records, PEOPLE_COLUMNS, REQUIRED_PEOPLE_COLUMNS, problems):
        person = _person(row, problems)
        if person is not None:
            read.append((row.line, person))
    _check_people(read, problems)
    problems.raise_if_any()
    return tuple(person for _line, person in read)


def events_from_records(
    records: Iterable[Mapping[str, str]],
    *,
    source: str = "records",
    people: Iterable[Person] | None = None,
) -> tuple[LifeEvent, ...]:
    """Life events from records of text, checked as :func:`parse_events`."""
    problems = _Collector(source)
    read: list[tuple[int, LifeEvent]] = []
    for row in _record_rows(records, EVENT_COLUMNS, REQUIRED_EVENT_COLUMNS, problems):
        event = _event(row, problems)
        if event is not None:
            read.append((row.line, event))
    _check_events(read, None if people is None else tuple(people), problems)
    problems.raise_if_any()
    return tuple(event for _line, event in read)
