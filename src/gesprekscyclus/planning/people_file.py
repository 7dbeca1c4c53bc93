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
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from attrs import field, frozen

from gesprekscyclus._files import read_at_most
from gesprekscyclus.domain._checks import check_text, is_iana_zone, positive
from gesprekscyclus.domain.absence_records import FORBIDDEN_KEYS, MEDICAL_REFUSAL
from gesprekscyclus.domain.events import PROGNOSIS_DETAILS, LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import (
    DAY_SEPARATORS,
    EMAIL_ADDRESS,
    LeapDayPolicy,
    Person,
    WorkingPattern,
    unknown_day,
    weekday_number,
)
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import DesignError, InvalidValueError, Problem
from gesprekscyclus.planning.csv_cells import neutralise, restore

__all__ = [
    "EVENT_COLUMNS",
    "LIMITS_ENVIRONMENT",
    "PEOPLE_COLUMNS",
    "REQUIRED_EVENT_COLUMNS",
    "REQUIRED_PEOPLE_COLUMNS",
    "CsvLimits",
    "events_from_records",
    "events_to_csv",
    "parse_events",
    "parse_people",
    "people_from_records",
    "people_to_csv",
    "read_csv_text",
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

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHOWN = 60  # characters of an offending name or value quoted in a message
_SHOWN_CHAIN = 20  # people of a circular chain named in its message


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut short when long."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


@frozen
class CsvLimits:
    """Bounds on what a people or events file may hold, so hostile input costs little.

    Every limit is a keyword of :func:`parse_people`, :func:`read_people` and the events
    functions (``limits=CsvLimits(max_rows=500_000)``); the command line reads overrides
    from the environment variables in :data:`LIMITS_ENVIRONMENT`.

    - ``max_bytes``: the largest file :func:`read_people` / :func:`read_events` read (for
      text given to the ``parse_*`` functions: its length in characters);
    - ``max_rows``: data rows per file (people or events);
    - ``max_field_chars``: characters in one value;
    - ``max_line_chars``: characters on one physical line of the file (a quoted value may
      span lines);
    - ``max_problems``: problems reported before the rest are summarised in one line;
    - ``earliest_date`` / ``latest_date``: the range of every date in the file; a date
      outside it is a typo or a placeholder such as ``9999-12-31`` (leave an open end empty).

    >>> CsvLimits().max_rows
    100000
    >>> CsvLimits.from_environment({"GESPREKSCYCLUS_MAX_ROWS": "500000"}).max_rows
    500000
    >>> CsvLimits.from_environment({"GESPREKSCYCLUS_MAX_ROWS": "lots"})
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: GESPREKSCYCLUS_MAX_ROWS: 'lots' is not a whole \
number of at least 1
    """

    max_bytes: int = field(default=64 * 1024 * 1024, validator=positive)
    max_rows: int = field(default=100_000, validator=positive)
    max_field_chars: int = field(default=1_000, validator=positive)
    max_line_chars: int = field(default=100_000, validator=positive)
    max_problems: int = field(default=100, validator=positive)
    earliest_date: date = date(1900, 1, 1)
    latest_date: date = date(2999, 12, 31)

    def __attrs_post_init__(self) -> None:
        if self.latest_date < self.earliest_date:
            raise InvalidValueError(
                "CsvLimits.latest_date", f"{self.latest_date} lies before {self.earliest_date}"
            )

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> CsvLimits:
        """The default limits with the overrides set in ``environment`` (see
        :data:`LIMITS_ENVIRONMENT`); a value that is not a positive whole number raises."""
        overrides: dict[str, Any] = {}
        for name, attribute in LIMITS_ENVIRONMENT.items():
            text = environment.get(name)
            if text is None or not text.strip():
                continue
            text = text.strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 18 and int(text) >= 1):
                raise InvalidValueError(name, f"{_shown(text)} is not a whole number of at least 1")
            overrides[attribute] = int(text)
        return cls(**overrides)


#: The environment variables that override :class:`CsvLimits` on the command line.
LIMITS_ENVIRONMENT: Mapping[str, str] = {
    "GESPREKSCYCLUS_MAX_INPUT_BYTES": "max_bytes",
    "GESPREKSCYCLUS_MAX_ROWS": "max_rows",
    "GESPREKSCYCLUS_MAX_FIELD_CHARS": "max_field_chars",
    "GESPREKSCYCLUS_MAX_LINE_CHARS": "max_line_chars",
}


class _Row:
    """One data row: its starting line and its values by column name (stripped)."""

    def __init__(self, line: int, values: Mapping[str, str]):
        self.line = line
        self.values = values

    def get(self, column: str) -> str:
        return self.values.get(column, "")


class _Collector:
    """Collects the problems of one file, up to ``limits.max_problems`` of them."""

    def __init__(self, source: str, limits: CsvLimits):
        self.source = source
        self.limits = limits
        self.problems: list[Problem] = []
        self.count = 0  # every problem found, also those past the limit

    def add(
        self,
        column: str,
        message: str,
        *,
        line: int | None = None,
        allowed: Iterable[object] | None = None,
    ) -> None:
        self.count += 1
        if self.count <= self.limits.max_problems:
            self.problems.append(Problem(self.source, column, message, line=line, allowed=allowed))

    def raise_if_any(self) -> None:
        """Raise every problem, in line order (the order of checks within a line)."""
        if not self.problems:
            return
        found = sorted(self.problems, key=lambda problem: problem.line or 0)
        if self.count > len(found):
            found.append(
                Problem(
                    self.source,
                    "",
                    f"{self.count - len(found)} more problems not shown "
                    f"(at most {self.limits.max_problems} are listed; CsvLimits.max_problems)",
                )
            )
        raise DesignError(found)


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _first_line(text: str) -> str | None:
    """The first line of ``text`` that is not blank, read lazily."""
    for line in io.StringIO(text, newline=None):
        if line.strip():
            return line
    return None


#: Free labels, which may hold line breaks; every other value is one line (ids, names,
#: addresses and keywords end up in mail headers, file names and messages).
_MULTI_LINE_COLUMNS = frozenset({"team", "contract", "location"})


def _clean(value: str, column: str, line: int, problems: _Collector) -> bool:
    """Whether a value is short enough and storable text, on one line unless it is a free
    label; reports it if not."""
    limit = problems.limits.max_field_chars
    if len(value) > limit:
        problems.add(
            column,
            f"is {len(value)} characters long; at most {limit} are allowed "
            "(CsvLimits.max_field_chars)",
            line=line,
        )
        return False
    try:
        check_text(column, value, one_line=column not in _MULTI_LINE_COLUMNS)
    except InvalidValueError as error:
        problems.add(column, error.problem, line=line)
        return False
    return True


def _bounded_lines(text: str, problems: _Collector) -> Iterator[str]:
    """The physical lines of ``text`` for the CSV reader, ending at the first line longer
    than ``max_line_chars`` (reported), so that no record costs more than one line's worth."""
    limit = problems.limits.max_line_chars
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > limit:
            problems.add(
                "",
                f"is {len(line)} characters long; at most {limit} are read "
                "(CsvLimits.max_line_chars); the rest of the file is not read",
                line=number,
            )
            return
        yield line


def _rows(
    text: str,
    columns: Sequence[str],
    required: Sequence[str],
    problems: _Collector,
) -> list[_Row]:
    """The data rows of ``text``; problems with the header or row shapes go to ``problems``."""
    if not isinstance(text, str):
        raise InvalidValueError(
            "text",
            f"must be str, got {type(text).__name__}; read a file with read_people / "
            "read_events, or decode bytes first",
        )
    limits = problems.limits
    if len(text) > limits.max_bytes:
        problems.add(
            "",
            f"holds {len(text)} characters; at most {limits.max_bytes} are read "
            "(CsvLimits.max_bytes)",
        )
        return []
    if text.startswith("\ufeff"):
        text = text[1:]
    first = _first_line(text)
    if first is None:
        problems.add(
            "",
            "is empty; expected a header line with the columns",
            allowed=columns,
        )
        return []
    lines = _bounded_lines(text, problems)
    reader = csv.reader(lines, delimiter=_delimiter(first))
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
            if len(rows) >= limits.max_rows:
                problems.add(
                    "",
                    f"has more than {limits.max_rows} data rows; the rest is not read "
                    "(CsvLimits.max_rows)",
                    line=start,
                )
                break
            values = {
                name: value.strip()
                for name, value in zip(header, record, strict=True)
                if name in columns
            }
            clean = [_clean(value, name, start, problems) for name, value in values.items()]
            if all(clean):
                rows.append(_Row(start, {name: restore(value) for name, value in values.items()}))
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
        if name not in columns and name.strip().lower() in FORBIDDEN_KEYS:
            why = f"unknown column: the file has {MEDICAL_REFUSAL}"
            problems.add(_shown(name)[1:-1], why, line=line, allowed=columns)
        elif name not in columns:
            shown = _shown(name)[1:-1] if name else "(empty)"
            problems.add(shown, "unknown column", line=line, allowed=columns)
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
        day = date.fromisoformat(text)
    except ValueError:
        problems.add(column, f"{text!r} is not a valid date (expected YYYY-MM-DD)", line=row.line)
        return None
    limits = problems.limits
    if not limits.earliest_date <= day <= limits.latest_date:
        problems.add(
            column,
            f"{day} lies outside {limits.earliest_date}..{limits.latest_date} "
            "(CsvLimits.earliest_date, latest_date); leave an open end empty",
            line=row.line,
        )
        return None
    return day


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
    pattern = _pattern_of(text)
    if isinstance(pattern, str):
        problems.add("working_days", unknown_day(pattern), line=row.line, allowed=_DAY_NAMES)
        return None
    return pattern


@functools.lru_cache(maxsize=256)
def _pattern_of(text: str) -> WorkingPattern | str:
    """The working pattern ``text`` names, or the first name in it that is no day (a file
    of thousands of people holds a handful of distinct patterns: each is read once)."""
    days = []
    for name in DAY_SEPARATORS.split(text):
        if not name:
            continue
        number = weekday_number(name)
        if number is None:
            return name
        days.append(number)
    return WorkingPattern(frozenset(days))


def _time_zone(row: _Row, problems: _Collector) -> str | None:
    text = row.get("time_zone")
    if not text:
        return None
    if not is_iana_zone(text):
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


_LOCALES = tuple(member.value for member in Locale)
_LEAP_DAY_POLICIES = tuple(member.value for member in LeapDayPolicy)


def _person(row: _Row, problems: _Collector) -> Person | None:
    before = problems.count
    for column in ("id", "name"):
        if not row.get(column):
            problems.add(column, "is required", line=row.line)
    hire_date = _date(row, "hire_date", problems, required=True)
    end_date = _date(row, "end_date", problems, required=False)
    locale = _choice(row, "locale", Locale, _LOCALES, problems)
    zone = _time_zone(row, problems)
    pattern = _working_days(row, problems)
    email = row.get("email")
    if email and not EMAIL_ADDRESS.fullmatch(email):
        problems.add("email", f"{email!r} is not an e-mail address", line=row.line)
    policy = _choice(row, "leap_day_policy", LeapDayPolicy, _LEAP_DAY_POLICIES, problems)
    if problems.count > before or hire_date is None:
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
    _check_chains(managers, lines, problems)


def _check_chains(
    managers: Mapping[str, str | None], lines: Mapping[str, int], problems: _Collector
) -> None:
    """Report each circular management chain once, in linear time.

    Every chain is walked upwards once: a person already walked is settled (their chain
    reaches the top, an unknown id or a loop reported before). Meeting a person of the
    current walk again closes a loop; it is reported at the line of its first member in the
    file, starting from that member.
    """
    settled: set[str] = set()
    for start in managers:
        walk: dict[str, int] = {}  # person id -> position in this walk
        current: str | None = start
        while current is not None and current in managers and current not in settled:
            if current in walk:
                loop = list(walk)[walk[current] :]
                first = min(range(len(loop)), key=lambda index: lines[loop[index]])
                members = [*loop[first:], *loop[:first]]
                shown = [*members, members[0]]
                if len(shown) > _SHOWN_CHAIN:
                    half = _SHOWN_CHAIN // 2
                    shown = [*shown[:half], "…", *shown[-half:]]
                size = f" of {len(members)} people" if len(members) > _SHOWN_CHAIN else ""
                problems.add(
                    "manager_id",
                    f"circular management chain{size}: {' -> '.join(shown)}",
                    line=lines[members[0]],
                )
                break
            walk[current] = len(walk)
            current = managers[current]
        settled.update(walk)


def parse_people(
    text: str, *, source: str = "people.csv", limits: CsvLimits | None = None
) -> tuple[Person, ...]:
    """The people in a CSV text, in file order; :class:`DesignError` with every problem.

    Columns (see :data:`PEOPLE_COLUMNS`): ``id``, ``name`` and ``hire_date`` are required,
    the rest may be left out or empty for their defaults. Dates are ``YYYY-MM-DD``;
    ``working_days`` lists day names (``mon tue thu``, Dutch ``ma di do`` too); ``locale``,
    ``leap_day_policy`` and ``time_zone`` take the values of the domain types. Every value
    is one line of text; ``limits`` bounds the size (see :class:`CsvLimits`).
    """
    problems = _Collector(source, limits or CsvLimits())
    read: list[tuple[int, Person]] = []
    for row in _rows(text, PEOPLE_COLUMNS, REQUIRED_PEOPLE_COLUMNS, problems):
        person = _person(row, problems)
        if person is not None:
            read.append((row.line, person))
    _check_people(read, problems)
    problems.raise_if_any()
    return tuple(person for _line, person in read)


def _event(row: _Row, problems: _Collector) -> LifeEvent | None:
    before = problems.count
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
    if problems.count > before or on is None or kind is None:
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
    text: str,
    *,
    source: str = "events.csv",
    people: Iterable[Person] | None = None,
    limits: CsvLimits | None = None,
) -> tuple[LifeEvent, ...]:
    """The life events in a CSV text, in file order; :class:`DesignError` with every problem.

    Columns (see :data:`EVENT_COLUMNS`): ``person_id``, ``kind`` and ``on`` are required;
    ``detail`` holds the new manager's id for ``manager_change``. With ``people`` every
    event must name one of them (and a manager change a known new manager). ``limits``
    bounds the size (see :class:`CsvLimits`).

    >>> parse_events("person_id,kind,on\\ne-1,sick_report,2027-01-11\\n")[0].kind.value
    'sick_report'
    """
    problems = _Collector(source, limits or CsvLimits())
    read: list[tuple[int, LifeEvent]] = []
    for row in _rows(text, EVENT_COLUMNS, REQUIRED_EVENT_COLUMNS, problems):
        event = _event(row, problems)
        if event is not None:
            read.append((row.line, event))
    _check_events(read, None if people is None else tuple(people), problems)
    problems.raise_if_any()
    return tuple(event for _line, event in read)


def read_csv_text(path: str | Path, limits: CsvLimits) -> str:
    """The UTF-8 text of ``path`` as :func:`read_people` and :func:`read_events` read it,
    reading at most ``limits.max_bytes`` (so never a device such as ``/dev/zero`` to the
    end); a file that cannot be read raises :class:`DesignError`."""
    name = str(path)
    try:
        data = read_at_most(path, limits.max_bytes)
    except OSError as error:
        reason = error.strerror or str(error)
        raise DesignError([Problem(name, "", f"cannot be read: {reason}")]) from error
    if len(data) > limits.max_bytes:
        raise DesignError(
            [
                Problem(
                    name,
                    "",
                    f"is larger than {limits.max_bytes} bytes, the most that is read "
                    "(CsvLimits.max_bytes)",
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DesignError(
            [Problem(name, "", f"is not UTF-8 text (byte {error.start}); save it as UTF-8")]
        ) from error


def read_people(path: str | Path, *, limits: CsvLimits | None = None) -> tuple[Person, ...]:
    """The people in a CSV file; see :func:`parse_people`."""
    limits = limits or CsvLimits()
    return parse_people(read_csv_text(path, limits), source=str(path), limits=limits)


def read_events(
    path: str | Path,
    *,
    people: Iterable[Person] | None = None,
    limits: CsvLimits | None = None,
) -> tuple[LifeEvent, ...]:
    """The life events in a CSV file; see :func:`parse_events`."""
    limits = limits or CsvLimits()
    return parse_events(read_csv_text(path, limits), source=str(path), people=people, limits=limits)


def _write(rows: Iterable[Sequence[str]], header: Sequence[str], delimiter: str) -> str:
    buffer = io.StringIO()
    # CRLF line ends (RFC 4180) also make the writer quote a lone carriage return in a value.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def people_to_csv(people: Iterable[Person], *, delimiter: str = ",") -> str:
    """People as CSV text with every column, readable again by :func:`parse_people`.

    A value that a spreadsheet would run as a formula gets a leading ``'`` (see
    :mod:`~gesprekscyclus.planning.csv_cells`); :func:`parse_people` removes it again.

    >>> print(people_to_csv([Person(id="e-1", name="Anna", hire_date=date(2021, 3, 1))]))
    id,name,manager_id,hire_date,end_date,team,contract,location,locale,time_zone,working_days,\
email,leap_day_policy
    e-1,Anna,,2021-03-01,,,,,nl,Europe/Amsterdam,mon tue wed thu fri,,feb28
    >>> evil = Person(id="e-2", name='=HYPERLINK("http://x")', hire_date=date(2021, 3, 1))
    >>> print(people_to_csv([evil]).splitlines()[1])
    e-2,"'=HYPERLINK(""http://x"")",,2021-03-01,,,,,nl,Europe/Amsterdam,mon tue wed thu fri,,feb28
    >>> parse_people(people_to_csv([evil]))[0].name
    '=HYPERLINK("http://x")'
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
    """Life events as CSV text, readable again by :func:`parse_events` (formula-leading
    values neutralised as in :func:`people_to_csv`)."""
    return _write(
        (
            [event.person_id, event.kind.value, event.on.isoformat(), event.detail or ""]
            for event in events
        ),
        EVENT_COLUMNS,
        delimiter,
    )


def _record_rows(
    records: Iterable[tuple[int, Mapping[str, str | None]]],
    columns: Sequence[str],
    required: Sequence[str],
    problems: _Collector,
) -> list[_Row]:
    """Numbered records as rows; their keys are checked like a file's header. A ``None``
    value counts as an empty field; any other value that is not text is a problem."""
    rows: list[_Row] = []
    for number, record in records:
        values: dict[str, str] = {}
        for key, value in record.items():
            name = str(key).strip().lower()
            text = value if isinstance(value, str) else ""
            if value is not None and not isinstance(value, str):
                problems.add(name, f"must be text, got {type(value).__name__}", line=number)
            values[name] = text.strip()
        rows.append(_Row(number, values))
    header = sorted({name for row in rows for name in row.values})
    if not rows or not _check_header(header, None, columns, required, problems):
        if not rows:
            problems.add("", "holds no records", allowed=columns)
        return []
    for row in rows:
        row.values = {name: value for name, value in row.values.items() if name in columns}
    return rows


def people_from_records(
    records: Iterable[Person | Mapping[str, str | None]],
    *,
    source: str = "records",
    limits: CsvLimits | None = None,
) -> tuple[Person, ...]:
    """People from records (one per person), checked as :func:`parse_people`.

    A record is a :class:`~gesprekscyclus.domain.people.Person` or a mapping of text whose
    keys are the columns of a people file (``None`` for an empty field); a problem's "line"
    is the record's position, counting from 1. This is how tables from other sources (a
    DataFrame, JSON from an HR system) get the same checks and messages as a CSV file; the
    checks between records (unique ids, known managers, no circular chains, a shared
    working day with the manager) cover the ``Person`` records too.

    >>> people_from_records([{"id": "e-1", "name": "Anna", "hire_date": "2021-02-30"}])
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.DesignError: records:1: hire_date: '2021-02-30' is not a valid date \
(expected YYYY-MM-DD)
    >>> mia = Person(id="m-1", name="Mia", hire_date=date(2020, 1, 1))
    >>> [p.manager_id for p in people_from_records(
    ...     [mia, {"id": "e-1", "name": "Eva", "hire_date": "2024-05-01", "manager_id": "m-1"}])]
    [None, 'm-1']
    """
    problems = _Collector(source, limits if limits is not None else CsvLimits())
    read: list[tuple[int, Person]] = []
    mappings: list[tuple[int, Mapping[str, str | None]]] = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, Person):
            read.append((number, record))
        elif isinstance(record, Mapping):
            mappings.append((number, record))
        else:
            problems.add(
                "", f"a record is a Person or a mapping, got {type(record).__name__}", line=number
            )
    if mappings or not read:
        for row in _record_rows(mappings, PEOPLE_COLUMNS, REQUIRED_PEOPLE_COLUMNS, problems):
            person = _person(row, problems)
            if person is not None:
                read.append((row.line, person))
    read.sort(key=lambda numbered: numbered[0])
    _check_people(read, problems)
    problems.raise_if_any()
    return tuple(person for _line, person in read)


def events_from_records(
    records: Iterable[Mapping[str, str]],
    *,
    source: str = "records",
    people: Iterable[Person] | None = None,
    limits: CsvLimits | None = None,
) -> tuple[LifeEvent, ...]:
    """Life events from records of text, checked as :func:`parse_events`."""
    problems = _Collector(source, limits if limits is not None else CsvLimits())
    read: list[tuple[int, LifeEvent]] = []
    numbered = enumerate(records, start=1)
    for row in _record_rows(numbered, EVENT_COLUMNS, REQUIRED_EVENT_COLUMNS, problems):
        event = _event(row, problems)
        if event is not None:
            read.append((row.line, event))
    _check_events(read, None if people is None else tuple(people), problems)
    problems.raise_if_any()
    return tuple(event for _line, event in read)
