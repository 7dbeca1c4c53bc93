"""Rows of the SQL stores: what SQLite and PostgreSQL write and read the same way.

Both adapters keep the same tables with the same columns; only how a day, an instant and a
flag are stored differs. An :class:`Encoding` says that per database, and the row builders
here (:meth:`Encoding.conversation_row`, :meth:`Encoding.action_item_row`,
:func:`report_row`) and readers use it, so the JSON documents are built in one place.

Reading conversations back from rows the store wrote itself is done quickly:

Rows in a migrated store (its ``schema_version`` is known) were written by the adapter from
validated :class:`~gesprekscyclus.domain.conversations.Conversation` objects, so reading them
back need not run every validator again. :class:`ConversationReader` builds the objects
directly (``object.__new__`` and the slot setters of the attrs classes), shares equal windows,
participants and ``data`` documents between the rows of one query, and parses the JSON
document only once per distinct text.

The shortcut is for the store's own rows only. Everything from outside (files, the network,
:func:`gesprekscyclus.serialization.from_data`) stays strictly validated, and a row that does
not look like one the store writes (an unknown status, an unexpected document shape) is
handed to the validating constructor, which reports what is wrong with it.

Building objects this way is thread-safe: it touches only the new object, unlike attrs'
global switch for turning validators off (which would also not skip ``__attrs_post_init__``
or converters, and so gains nothing here).

This module imports nothing but the standard library, attrs, the domain and the
serialization layer; the database drivers stay in their adapters.

>>> from datetime import date
>>> reader = ConversationReader(parse_day=date.fromisoformat, parse_instant=lambda v: v)
>>> talk = reader.build(("c-1", "check_in", "e-1", "m-1", "2026-03-01", "2026-03-10",
...     "2026-03-31", "planned", None, 60, "Europe/Amsterdam", 0, 0,
...     '{"p":[["e-1","employee"],["m-1","manager"]]}'))
>>> talk.window.target.isoformat(), [p.role.value for p in talk.participants]
('2026-03-10', ['employee', 'manager'])
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from types import MemberDescriptorType
from typing import Any, TypeVar

import attrs

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import (
    Answer,
    Conversation,
    ConversationAction,
    ConversationStatus,
    Note,
    Participant,
    Transition,
    Window,
)
from gesprekscyclus.domain.new_conversations import NewConversation, PlannedKind
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import QuestionSetRef
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.errors import SerializationError
from gesprekscyclus.ports.store import version_of
from gesprekscyclus.serialization import DuplicateKeyError, from_data, parse_json, storage_data

__all__ = [
    "CONVERSATION_COLUMNS",
    "READ_COLUMNS",
    "ConversationReader",
    "Encoding",
    "document",
    "load",
    "report_row",
    "strict_conversation",
]

Row = tuple[Any, ...]
T = TypeVar("T")

#: The conversation columns a read needs, in the order :meth:`ConversationReader.build`
#: expects (everything but ``version``, which is the length of the history).
READ_COLUMNS = (
    "id, type_key, employee_id, manager_id, earliest, target, latest, status, starts_at,"
    " duration_minutes, time_zone, sequence, requires_report, data"
)

#: The ``conversations`` columns in the order :meth:`Encoding.conversation_row` gives them.
CONVERSATION_COLUMNS = (
    "id",
    "type_key",
    "employee_id",
    "manager_id",
    "earliest",
    "target",
    "latest",
    "status",
    "starts_at",
    "duration_minutes",
    "time_zone",
    "sequence",
    "requires_report",
    "version",
    "data",
)

Setter = Callable[[object, Any], None]


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Setter, ...] | None:
    """The slot setters of ``cls`` for exactly ``names``; ``None`` when its attrs fields
    differ or are not slots (then the fast path is off and every row is validated)."""
    if tuple(a.name for a in attrs.fields(cls)) != names:
        return None
    setters: list[Setter] = []
    for name in names:
        descriptor = cls.__dict__.get(name)
        setter = getattr(descriptor, "__set__", None)
        if setter is None or not isinstance(descriptor, MemberDescriptorType):
            return None
        setters.append(setter)
    return tuple(setters)


_CONVERSATION_FIELDS = (
    "id",
    "type_key",
    "employee_id",
    "manager_id",
    "participants",
    "window",
    "status",
    "starts_at",
    "duration_minutes",
    "time_zone",
    "sequence",
    "requires_report",
    "question_set",
    "answers",
    "_notes",
    "history",
    "design_version",
    "known_late",
    "held_at",
)
_TRANSITION_FIELDS = (
    "action",
    "from_status",
    "to_status",
    "at",
    "reason",
    "starts_at",
    "actor_id",
)
_CONVERSATION_SETTERS = _slot_setters(Conversation, _CONVERSATION_FIELDS)
_WINDOW_SETTERS = _slot_setters(Window, ("earliest", "target", "latest"))
_PARTICIPANT_SETTERS = _slot_setters(Participant, ("person_id", "role"))
_TRANSITION_SETTERS = _slot_setters(Transition, _TRANSITION_FIELDS)
_TRANSITION_KEYS = frozenset(_TRANSITION_FIELDS)

_STATUSES: dict[Any, ConversationStatus] = {s.value: s for s in ConversationStatus}
_ACTIONS: dict[Any, ConversationAction] = {a.value: a for a in ConversationAction}
_ROLES: dict[Any, Role] = {r.value: r for r in Role}
_new = object.__new__
_PLANNED = ConversationStatus.PLANNED
#: The states in which a start time is set (all but planned, cancelled and missed).
_TIMED = frozenset(
    {
        ConversationStatus.SCHEDULED,
        ConversationStatus.HELD,
        ConversationStatus.REPORTED,
        ConversationStatus.CLOSED,
    }
)


#: The states reached by holding a conversation (the only ones with ``held_at``).
_WAS_HELD = frozenset(
    {ConversationStatus.HELD, ConversationStatus.REPORTED, ConversationStatus.CLOSED}
)


class _NotTrustedError(Exception):
    """A row or document that does not look like one the store writes."""


def _parts_strict(document: dict[str, Any]) -> tuple[Any, ...]:
    question_set = document.get("q")
    return (
        tuple(Participant(person, role) for person, role in document["p"]),
        None if question_set is None else from_data(QuestionSetRef, question_set),
        from_data(tuple[Answer, ...], document["a"]) if "a" in document else (),
        from_data(tuple[Note, ...], document["n"]) if "n" in document else (),
        from_data(tuple[Transition, ...], document["h"]) if "h" in document else (),
        document.get("d"),
        document.get("l", False),
        from_data(datetime, document["t"]) if "t" in document else None,
    )


def strict_conversation(
    row: Sequence[Any],
    parse_day: Callable[[Any], date],
    parse_instant: Callable[[Any], datetime | None],
) -> Conversation:
    """A conversation from a :data:`READ_COLUMNS` row through every validator."""
    (
        participants,
        question_set,
        answers,
        notes,
        history,
        design_version,
        known_late,
        held_at,
    ) = _parts_strict(parse_document(row[13], "Conversation"))
    return Conversation(
        id=row[0],
        type_key=row[1],
        employee_id=row[2],
        manager_id=row[3],
        participants=participants,
        window=Window(parse_day(row[4]), parse_day(row[5]), parse_day(row[6])),
        status=row[7],
        starts_at=parse_instant(row[8]),
        duration_minutes=row[9],
        time_zone=row[10],
        sequence=row[11],
        requires_report=bool(row[12]),
        question_set=question_set,
        answers=answers,
        notes=notes,
        history=history,
        design_version=design_version,
        known_late=known_late,
        held_at=held_at,
    )


class ConversationReader:
    """Builds conversations from :data:`READ_COLUMNS` rows of one query.

    ``parse_day`` turns a stored day into a :class:`~datetime.date` and ``parse_instant`` a
    stored start (or ``None``) into an aware UTC datetime. Use one reader per query: it
    remembers the windows, participants and documents it has seen.
    """

    def __init__(
        self,
        *,
        parse_day: Callable[[Any], date],
        parse_instant: Callable[[Any], datetime | None],
    ):
        self._parse_day = parse_day
        self._parse_instant = parse_instant
        self._windows: dict[tuple[Any, Any, Any], Window] = {}
        self._people: dict[tuple[str, str], Participant] = {}
        self._documents: dict[tuple[str, str, str | None], tuple[Any, ...]] = {}
        self._fast = (
            _CONVERSATION_SETTERS is not None
            and _WINDOW_SETTERS is not None
            and _PARTICIPANT_SETTERS is not None
        )

    def build_all(self, rows: Sequence[Sequence[Any]]) -> list[Conversation]:
        """One conversation per row, in order."""
        build = self.build
        return [build(row) for row in rows]

    def build(self, row: Sequence[Any]) -> Conversation:
        """The conversation of one row; see the module docstring for what is trusted. A
        document that does not read is a :class:`SerializationError` naming the row."""
        try:
            if self._fast:
                try:
                    return self._trusted(row)
                except _NotTrustedError:
                    pass
            return strict_conversation(row, self._parse_day, self._parse_instant)
        except SerializationError as error:
            raise located(error, f"conversations row {shown(row[0])}") from None

    def _trusted(self, row: Sequence[Any]) -> Conversation:
        status = _STATUSES.get(row[7])
        if status is None:
            raise _NotTrustedError
        key = (row[13], row[2], row[3])
        parts = self._documents.get(key)
        if parts is None:
            document = parse_document(row[13], "Conversation")
            parts = self._documents[key] = self._parts(document, row[2], row[3])
        starts_at = None if row[8] is None else self._parse_instant(row[8])
        if starts_at is None:
            if status in _TIMED:
                raise _NotTrustedError
        elif status is _PLANNED:
            raise _NotTrustedError
        if parts[7] is not None and status not in _WAS_HELD:
            raise _NotTrustedError
        sequence = row[11]
        if type(sequence) is not int or sequence < 0:
            raise _NotTrustedError
        bounds = (row[4], row[5], row[6])
        window = self._windows.get(bounds)
        if window is None:
            window = self._windows[bounds] = self._window(bounds)
        setters = _CONVERSATION_SETTERS
        assert setters is not None  # checked in __init__
        talk = _new(Conversation)
        setters[0](talk, row[0])
        setters[1](talk, row[1])
        setters[2](talk, row[2])
        setters[3](talk, row[3])
        setters[4](talk, parts[0])
        setters[5](talk, window)
        setters[6](talk, status)
        setters[7](talk, starts_at)
        setters[8](talk, row[9])
        setters[9](talk, row[10])
        setters[10](talk, sequence)
        setters[11](talk, bool(row[12]))
        setters[12](talk, parts[1])
        setters[13](talk, parts[2])
        setters[14](talk, parts[3])
        setters[15](talk, parts[4])
        setters[16](talk, parts[5])
        setters[17](talk, parts[6])
        setters[18](talk, parts[7])
        return talk

    def _window(self, bounds: tuple[Any, Any, Any]) -> Window:
        earliest, target, latest = (self._parse_day(day) for day in bounds)
        if not earliest <= target <= latest:
            raise _NotTrustedError
        setters = _WINDOW_SETTERS
        assert setters is not None
        window = _new(Window)
        setters[0](window, earliest)
        setters[1](window, target)
        setters[2](window, latest)
        return window

    def _participant(self, person: Any, role: Any) -> Participant:
        key = (person, role)
        found = self._people.get(key)
        if found is None:
            member = _ROLES.get(role)
            if member is None or not isinstance(person, str) or not person.strip():
                raise _NotTrustedError
            setters = _PARTICIPANT_SETTERS
            assert setters is not None
            found = _new(Participant)
            setters[0](found, person)
            setters[1](found, member)
            self._people[key] = found
        return found

    def _parts(self, document: Any, employee_id: Any, manager_id: Any) -> tuple[Any, ...]:
        """The participants, question set, answers, notes, history, design version, late
        mark and held instant of one document, checked against the row's employee and
        manager the way the constructor would."""
        if not isinstance(document, dict) or "p" not in document:
            raise _NotTrustedError
        try:
            participants = tuple(self._participant(person, role) for person, role in document["p"])
        except (TypeError, ValueError) as error:
            raise _NotTrustedError from error
        roles = {p.person_id: p.role for p in participants}
        if (
            len(roles) != len(participants)
            or not isinstance(employee_id, str)
            or not employee_id.strip()
            or manager_id == employee_id
            or roles.get(employee_id) is not Role.EMPLOYEE
            or (manager_id is not None and roles.get(manager_id) is not Role.MANAGER)
        ):
            raise _NotTrustedError
        question_set = document.get("q")
        history = document.get("h")
        answers = from_data(tuple[Answer, ...], document["a"]) if "a" in document else ()
        notes = from_data(tuple[Note, ...], document["n"]) if "n" in document else ()
        if (answers and question_set is None) or any(n.author_id not in roles for n in notes):
            raise _NotTrustedError
        design_version = document.get("d")
        if design_version is not None and (type(design_version) is not int or design_version < 1):
            raise _NotTrustedError
        known_late = document.get("l", False)
        if type(known_late) is not bool:
            raise _NotTrustedError
        return (
            participants,
            None if question_set is None else from_data(QuestionSetRef, question_set),
            answers,
            notes,
            () if history is None else _history(history),
            design_version,
            known_late,
            from_data(datetime, document["t"]) if "t" in document else None,
        )


def _history(entries: Any) -> tuple[Transition, ...]:
    try:
        return _trusted_history(entries)
    except (_NotTrustedError, KeyError, TypeError, ValueError):
        return from_data(tuple[Transition, ...], entries)


def _trusted_history(entries: Any) -> tuple[Transition, ...]:
    setters = _TRANSITION_SETTERS
    if setters is None or not isinstance(entries, list):
        raise _NotTrustedError
    built: list[Transition] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.keys() != _TRANSITION_KEYS:
            raise _NotTrustedError
        action = _ACTIONS.get(entry["action"])
        before = _STATUSES.get(entry["from_status"])
        after = _STATUSES.get(entry["to_status"])
        at = datetime.fromisoformat(entry["at"])
        starts_at = entry["starts_at"]
        if action is None or before is None or after is None or at.utcoffset() is None:
            raise _NotTrustedError
        start = None if starts_at is None else datetime.fromisoformat(starts_at)
        if start is not None and start.utcoffset() is None:
            raise _NotTrustedError
        step = _new(Transition)
        setters[0](step, action)
        setters[1](step, before)
        setters[2](step, after)
        setters[3](step, at)
        setters[4](step, entry["reason"])
        setters[5](step, start)
        setters[6](step, entry["actor_id"])
        built.append(step)
    return tuple(built)


def document(value: object) -> str:
    """The JSON text a ``data`` column holds for ``value``."""
    return json.dumps(storage_data(value), ensure_ascii=False)


def load(table: str, cls: type[T], rows: Iterable[Sequence[Any]]) -> list[T]:
    """The ``cls`` values of rows of ``table`` whose first column is a :func:`document` and
    whose other columns are the row's key: a document that does not read is a
    :class:`SerializationError` naming the table and the row.

    >>> load("people", dict, [('{"id": "p-1"}', "p-1"), ('{"id": "p-2", "id": 2}', "p-2")])
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SerializationError: dict: people row 'p-2': the stored document \
has the key 'id' twice @ $
    """
    name = cls.__name__
    found = []
    for row in rows:
        try:
            found.append(from_data(cls, parse_document(row[0], name)))
        except SerializationError as error:
            key = row[1] if len(row) == 2 else tuple(row[1:])  # the data and one id column
            raise located(error, f"{table} row {shown(key)}") from None
    return found


def parse_document(text: Any, what: str) -> dict[str, Any]:
    """The JSON object of a stored ``data`` document; one that is not a JSON object (damaged
    outside the store) raises :class:`SerializationError` naming ``what`` it should have held.

    >>> parse_document('{"a": 1}', "Person")
    {'a': 1}
    >>> parse_document('{bad', "Person")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SerializationError: Person: the stored document is not JSON: \
Expecting property name enclosed in double quotes: line 1 column 2 (char 1) @ $
    >>> parse_document('{"id": "p-1", "id": "p-2"}', "Person")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SerializationError: Person: the stored document has the key 'id' \
twice @ $
    >>> parse_document('[[]]', "Person")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SerializationError: Person: the stored document is a JSON array, not \
an object @ $
    """
    path = "$"
    try:
        document = parse_json(text)
    except RecursionError:
        problem = "the stored document nests too deeply to read"
    except DuplicateKeyError as error:
        problem, path = f"the stored document has the key {shown(error.key)} twice", error.path
    except (ValueError, TypeError) as error:  # JSONDecodeError, a number too long, not text
        problem = f"the stored document is not JSON: {error}"
    else:
        if isinstance(document, dict):
            return document
        # Deep nesting parses on some interpreters and not on others: both end here.
        kind = _JSON_KINDS.get(type(document), "value")
        problem = f"the stored document is a JSON {kind}, not an object"
    raise SerializationError(what, [f"{problem} @ {path}"])


def parse_stored(text: Any, what: str, where: str) -> dict[str, Any]:
    """:func:`parse_document`, its error also saying ``where`` the document is stored
    (``"action_items row 'a-1'"``).

    >>> parse_stored('{bad', "ActionItem", "action_items row 'a-1'")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SerializationError: ActionItem: action_items row 'a-1': the stored \
document is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 \
(char 1) @ $
    """
    try:
        return parse_document(text, what)
    except SerializationError as error:
        raise located(error, where) from None


def located(error: SerializationError, where: str) -> SerializationError:
    """``error`` with ``where`` the value is stored before each of its problems."""
    return SerializationError(
        error.type_name, [f"{where}: {problem}" for problem in error.problems]
    )


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def report_row(report: Report) -> Row:
    """The ``reports`` columns: conversation_id, employee_id, status, version, data."""
    return (
        report.conversation_id,
        report.employee_id,
        report.status.value,
        version_of(report),
        document(report),
    )


#: The JSON of the ``data`` column: compact, not escaped to ASCII (one encoder for every
#: row; ``json.dumps`` with options makes a new one per call).
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@attrs.frozen
class Encoding:
    """How one database stores days, instants and flags in the shared tables.

    ``day`` and ``instant`` turn a :class:`~datetime.date` and an aware datetime (with the
    field path for errors) into column values, ``read_day`` and ``read_instant`` turn them
    back (``read_instant`` also takes ``None``); ``flag`` stores a boolean.

    >>> from datetime import date
    >>> text = Encoding(day=date.isoformat, read_day=date.fromisoformat,
    ...     instant=lambda v, path: v, read_instant=lambda v: v, flag=int)
    >>> text.read_day(text.day(date(2026, 3, 1)))
    datetime.date(2026, 3, 1)
    """

    day: Callable[[date], Any]
    read_day: Callable[[Any], date]
    instant: Callable[[datetime, str], Any]
    read_instant: Callable[[Any], datetime | None]
    flag: Callable[[bool], Any]

    def conversation_row(self, c: Conversation) -> Row:
        """The values of ``c`` in :data:`CONVERSATION_COLUMNS` order."""
        parts: dict[str, Any] = {"p": [[p.person_id, p.role.value] for p in c.participants]}
        notes = c._notes  # the stored notes; only adapters read them directly
        if c.question_set is not None:
            parts["q"] = storage_data(c.question_set)
        if c.answers:
            parts["a"] = storage_data(c.answers)
        if notes:
            parts["n"] = storage_data(notes)
        if c.history:
            parts["h"] = storage_data(c.history)
        if c.design_version is not None:
            parts["d"] = c.design_version
        if c.known_late:
            parts["l"] = True
        if c.held_at is not None:
            parts["t"] = storage_data(c.held_at)
        window = c.window
        day = self.day
        return (
            c.id,
            c.type_key,
            c.employee_id,
            c.manager_id,
            day(window.earliest),
            day(window.target),
            day(window.latest),
            c.status.value,
            None if c.starts_at is None else self.instant(c.starts_at, "Conversation.starts_at"),
            c.duration_minutes,
            c.time_zone,
            c.sequence,
            self.flag(c.requires_report),
            len(c.history),
            _COMPACT.encode(parts),
        )

    def new_conversation_row(self, new: NewConversation) -> Row:
        """The row of a new planned conversation: equal to :meth:`conversation_row` of
        ``new.conversation()``, without building it."""
        return next(self.new_conversation_rows((new,)))

    def new_conversation_rows(self, new: Iterable[NewConversation]) -> Iterator[Row]:
        """:meth:`new_conversation_row` of each of ``new``, in order. What the rows of one
        kind share, and the participants' list of one pair of people, are encoded once."""
        # By the kind's identity; the kind is held in the value, so its id stays its own.
        kinds: dict[int, tuple[PlannedKind, str | None, str, Row]] = {}
        listed: dict[tuple[str | None, str, str | None], str] = {}
        days: dict[date, Any] = {}  # few days, many rows
        encode, cached, keep = self.day, days.get, days.setdefault
        for one in new:
            kind = one.kind
            shared = kinds.get(id(kind))
            if shared is None:
                shared = kinds[id(kind)] = self._shared_by(kind)
            _, hr, tail, rest = shared
            employee, manager = one.employee_id, one.manager_id
            people = listed.get((hr, employee, manager))
            if people is None:
                people = listed[hr, employee, manager] = _COMPACT.encode(
                    [[person, role.value] for person, role in one.participants()]
                )
            yield (
                one.id,
                kind.type_key,
                employee,
                manager,
                cached(one.earliest) or keep(one.earliest, encode(one.earliest)),
                cached(one.target) or keep(one.target, encode(one.target)),
                cached(one.latest) or keep(one.latest, encode(one.latest)),
                *rest,
                '{"p":' + people + tail,
            )

    def _shared_by(self, kind: PlannedKind) -> tuple[PlannedKind, str | None, str, Row]:
        """What the rows of ``kind`` share: the kind, its HR contact if it has an HR role,
        the end of the ``data`` document after the participants, and the columns from the
        status to the version."""
        tail = ""
        if kind.design_version is not None:
            tail += f',"d":{kind.design_version}'
        if kind.known_late:
            tail += ',"l":true'
        hr = kind.hr_contact_id if Role.HR in kind.roles else None
        rest = (
            "planned",
            None,
            kind.duration_minutes,
            kind.time_zone,
            0,
            self.flag(kind.requires_report),
            0,
        )
        return kind, hr, tail + "}", rest

    def conversation_from_row(self, row: Sequence[Any]) -> Conversation:
        """The inverse of :meth:`conversation_row`, through every validator (for rows of
        unknown origin; the store reads its own with :meth:`reader`)."""
        return strict_conversation((*row[:13], row[14]), self.read_day, self.read_instant)

    def reader(self) -> ConversationReader:
        """A fresh :class:`ConversationReader` for one query."""
        return ConversationReader(parse_day=self.read_day, parse_instant=self.read_instant)

    def action_item_row(self, item: ActionItem) -> Row:
        """The ``action_items`` columns, ``id`` last: employee_id, manager_id, owner_id,
        status, due, version, data, id."""
        return (
            item.employee_id,
            item.manager_id,
            item.owner_id,
            item.status.value,
            None if item.due is None else self.day(item.due),
            version_of(item),
            document(item),
            item.id,
        )
