"""The repositories both SQL stores run alike, over a small connection interface.

Statements here use ``%s`` for parameters (psycopg's style; the SQLite adapter turns them
into ``?``) and only SQL that SQLite and PostgreSQL read the same way. What differs per
database (bulk inserts, the status query's index tricks) lives in the adapter's subclass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Protocol

import attrs

from gesprekscyclus.domain.absence_records import (
    AbsenceRecord,
    OccupationalHealthAdvice,
    SickReportRecord,
)
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.pseudonyms import mentions
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.domain.voice import VoiceAnswer
from gesprekscyclus.errors import ConflictError, NotFoundError
from gesprekscyclus.ports.queries import (
    ActionItemQuery,
    ConversationKey,
    ConversationQuery,
    ReportQuery,
    check_limit,
)
from gesprekscyclus.ports.store import (
    AccessLogEntry,
    ConversationState,
    DesignVersion,
    PastConversation,
    aware_utc,
    start_version,
    version_conflict,
)

from .rows import READ_COLUMNS, Encoding, Row, document, load, report_row

__all__ = [
    "MENTIONS",
    "AbsenceRecords",
    "AccessLog",
    "ActionItems",
    "Conversations",
    "Designs",
    "Events",
    "People",
    "Reports",
    "Sql",
    "like_mention",
]

#: The condition on a ``data``/``payload`` column that finds candidate mentions of one
#: :func:`like_mention` pattern (checked precisely in Python afterwards).
MENTIONS = "LIKE %s ESCAPE '\\'"


def like_mention(needle: str) -> str:
    """A ``LIKE`` pattern matching JSON text that holds ``needle`` as a whole string.

    >>> like_mention("e_1")
    '%"e\\\\_1"%'
    """
    quoted = json.dumps(needle, ensure_ascii=False)
    escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped + "%"


def _ids(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


class _Where:
    """The conditions of a paged query and their parameters, built up one filter at a
    time (every column name is a constant of this module, every value a parameter)."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def equal(self, column: str, value: object) -> None:
        if value is not None:
            self.add(f"{column} = %s", value)

    def among(self, column: str, values: Iterable[str]) -> None:
        listed = sorted(values)
        if listed:
            self.add(f"{column} IN ({', '.join(['%s'] * len(listed))})", *listed)

    def between(self, column: str, start: Any, end: Any) -> None:
        if start is not None:
            self.add(f"{column} >= %s", start)
        if end is not None:
            self.add(f"{column} <= %s", end)

    @property
    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.conditions) if self.conditions else ""


SELECT_CONVERSATIONS = "SELECT " + READ_COLUMNS + " FROM conversations"  # noqa: S608

#: The columns of a :class:`~gesprekscyclus.ports.store.ConversationState`, for the
#: conversations of stored people (a table to add ``WHERE`` to).
SELECT_STATES = (
    "SELECT * FROM (SELECT id, employee_id, manager_id, status, earliest, target, latest"
    " FROM conversations WHERE EXISTS"
    " (SELECT 1 FROM people WHERE people.id = conversations.employee_id)) AS states"
)

#: The statuses by their stored text.
_STATUSES = {status.value: status for status in ConversationStatus}


class Sql(Protocol):
    """One connection (inside the unit of work's transaction) running ``%s`` statements."""

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""
        ...

    def stream(self, query: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        """The rows of a query one by one, to be read to the end before the next statement
        (for results too large to hold as rows)."""
        ...

    def one(self, query: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, if any."""
        ...

    def execute(self, query: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns its row count."""
        ...

    def rows_by_ids(self, select: str, ids: Iterable[str]) -> list[Row]:
        """The rows of ``select`` (a table with an ``id`` column) for ``ids``, by id."""
        ...


class _Table:
    def __init__(self, sql: Sql, encoding: Encoding):
        self._sql = sql
        self._encoding = encoding


class People(_Table):
    """People as JSON documents by id; ``END_DATE`` is the SQL reading a person's end date
    (ISO text) out of the document."""

    END_DATE: ClassVar[str] = "json_extract(data, '$.end_date')"

    def get(self, person_id: str) -> Person:
        found = self.find(person_id)
        if found is None:
            raise NotFoundError("person", person_id)
        return found

    def find(self, person_id: str) -> Person | None:
        row = self._sql.one("SELECT data, id FROM people WHERE id = %s", (person_id,))
        return None if row is None else load("people", Person, [row])[0]

    def upsert(self, person: Person) -> None:
        self._sql.execute(
            "INSERT INTO people (id, data) VALUES (%s, %s)"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (person.id, document(person)),
        )

    def all(self) -> list[Person]:
        return load("people", Person, self._sql.rows("SELECT data, id FROM people ORDER BY id"))

    def by_ids(self, person_ids: Iterable[str]) -> list[Person]:
        return load(
            "people", Person, self._sql.rows_by_ids("SELECT data, id FROM people", person_ids)
        )

    def delete(self, person_id: str) -> bool:
        return self._sql.execute("DELETE FROM people WHERE id = %s", (person_id,)) == 1

    def left_before(self, day: date) -> list[Person]:
        rows = self._sql.rows(
            f"SELECT data, id FROM people WHERE {self.END_DATE} < %s ORDER BY id",  # noqa: S608
            (day.isoformat(),),
        )
        return [person for person in load("people", Person, rows) if person.end_date is not None]


class Events(_Table):
    """Life events, at most one per person, kind and day."""

    def append(self, event: LifeEvent) -> bool:
        count = self._sql.execute(
            "INSERT INTO life_events (person_id, kind, on_date, data) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (event.person_id, event.kind.value, self._encoding.day(event.on), document(event)),
        )
        return count == 1

    def for_person(self, person_id: str) -> list[LifeEvent]:
        rows = self._sql.rows(
            "SELECT data, person_id, kind, on_date FROM life_events WHERE person_id = %s"
            " ORDER BY on_date, kind",
            (person_id,),
        )
        return load("life_events", LifeEvent, rows)

    def all(self) -> list[LifeEvent]:
        rows = self._sql.rows(
            "SELECT data, person_id, kind, on_date FROM life_events"
            " ORDER BY on_date, person_id, kind"
        )
        return load("life_events", LifeEvent, rows)

    def delete_for_person(self, person_id: str) -> int:
        return self._sql.execute("DELETE FROM life_events WHERE person_id = %s", (person_id,))

    def naming(self, person_id: str) -> list[LifeEvent]:
        rows = self._sql.rows(
            "SELECT data, person_id, kind, on_date FROM life_events WHERE person_id <> %s AND data "  # noqa: S608
            + MENTIONS
            + " ORDER BY on_date, person_id, kind",
            (person_id, like_mention(person_id)),
        )
        return [
            e for e in load("life_events", LifeEvent, rows) if person_id in (e.detail, e.previous)
        ]

    def replace(self, event: LifeEvent) -> None:
        self._sql.execute(
            "UPDATE life_events SET data = %s WHERE person_id = %s AND kind = %s AND on_date = %s",
            (document(event), event.person_id, event.kind.value, self._encoding.day(event.on)),
        )


_RECORD_KINDS: dict[str, type[SickReportRecord] | type[OccupationalHealthAdvice]] = {
    SickReportRecord.KIND: SickReportRecord,
    OccupationalHealthAdvice.KIND: OccupationalHealthAdvice,
}


class AbsenceRecords(_Table):
    """Absence records, one per person, kind and day."""

    def _key(self, record: AbsenceRecord) -> tuple[str, str, Any]:
        return (record.person_id, record.KIND, self._encoding.day(record.on))

    def put(self, record: AbsenceRecord) -> bool:
        key = self._key(record)
        replaced = self._sql.execute(
            "UPDATE absence_records SET data = %s"
            " WHERE person_id = %s AND kind = %s AND on_date = %s",
            (document(record), *key),
        )
        if replaced:
            return False
        self._sql.execute(
            "INSERT INTO absence_records (person_id, kind, on_date, data) VALUES (%s, %s, %s, %s)",
            (*key, document(record)),
        )
        return True

    def for_person(self, person_id: str) -> list[AbsenceRecord]:
        rows = self._sql.rows(
            "SELECT kind, data, person_id, on_date FROM absence_records WHERE person_id = %s"
            " ORDER BY on_date, kind",
            (person_id,),
        )
        return [
            load("absence_records", _RECORD_KINDS[kind], [(data, person, kind, on)])[0]
            for kind, data, person, on in rows
        ]

    def delete(self, record: AbsenceRecord) -> bool:
        count = self._sql.execute(
            "DELETE FROM absence_records WHERE person_id = %s AND kind = %s AND on_date = %s",
            self._key(record),
        )
        return count == 1

    def delete_for_person(self, person_id: str) -> int:
        return self._sql.execute("DELETE FROM absence_records WHERE person_id = %s", (person_id,))

    def people(self) -> list[str]:
        rows = self._sql.rows("SELECT DISTINCT person_id FROM absence_records ORDER BY person_id")
        return [row[0] for row in rows]


class VoiceAnswers(_Table):
    """The employee's checks after held conversations, one per conversation."""

    def add(self, answer: VoiceAnswer) -> None:
        if self.find(answer.conversation_id) is not None:
            raise ConflictError(f"voice answer for {answer.conversation_id!r} exists already")
        self._sql.execute(
            "INSERT INTO voice_answers (conversation_id, employee_id, manager_id, at, data)"
            " VALUES (%s, %s, %s, %s, %s)",
            (
                answer.conversation_id,
                answer.employee_id,
                answer.manager_id,
                answer.at.isoformat(),
                document(answer),
            ),
        )

    def find(self, conversation_id: str) -> VoiceAnswer | None:
        rows = self._sql.rows(
            "SELECT data, conversation_id FROM voice_answers WHERE conversation_id = %s",
            (conversation_id,),
        )
        found = load("voice_answers", VoiceAnswer, rows)
        return found[0] if found else None

    def _ordered(self, where: str = "", params: Sequence[Any] = ()) -> list[VoiceAnswer]:
        rows = self._sql.rows(
            "SELECT data, conversation_id FROM voice_answers "  # noqa: S608
            + where
            + " ORDER BY at, conversation_id",
            params,
        )
        return sorted(
            load("voice_answers", VoiceAnswer, rows), key=lambda a: (a.at, a.conversation_id)
        )

    def all(self) -> list[VoiceAnswer]:
        return self._ordered()

    def mentioning(self, person_id: str) -> list[VoiceAnswer]:
        return self._ordered("WHERE employee_id = %s OR manager_id = %s", (person_id, person_id))

    def delete(self, conversation_ids: Iterable[str]) -> int:
        return sum(
            self._sql.execute("DELETE FROM voice_answers WHERE conversation_id = %s", (key,))
            for key in sorted(set(conversation_ids))
        )

    def delete_for_person(self, person_id: str) -> int:
        return self._sql.execute("DELETE FROM voice_answers WHERE employee_id = %s", (person_id,))

    def replace_manager(self, person_id: str, placeholder: str) -> int:
        answers = self._ordered("WHERE manager_id = %s", (person_id,))
        for answer in answers:
            self._sql.execute(
                "UPDATE voice_answers SET manager_id = %s, data = %s WHERE conversation_id = %s",
                (
                    placeholder,
                    document(attrs.evolve(answer, manager_id=placeholder)),
                    answer.conversation_id,
                ),
            )
        return len(answers)


def _check_updated(sql: Sql, count: int, version: str, kind: str, key: str, expected: int) -> None:
    """Raise why an optimistic update of ``key`` changed no row: it is missing, or the
    ``version`` query (one ``%s``: the key) finds another version."""
    if count:
        return
    found = sql.one(version, (key,))
    if found is None:
        raise NotFoundError(kind, key)
    raise version_conflict(kind, key, expected, found[0])


class Reports(_Table):
    """Reports by conversation id."""

    def find(self, conversation_id: str) -> Report | None:
        row = self._sql.one(
            "SELECT data, conversation_id FROM reports WHERE conversation_id = %s",
            (conversation_id,),
        )
        return None if row is None else load("reports", Report, [row])[0]

    def get(self, conversation_id: str) -> Report:
        found = self.find(conversation_id)
        if found is None:
            raise NotFoundError("report", conversation_id)
        return found

    def add(self, report: Report) -> None:
        count = self._sql.execute(
            "INSERT INTO reports (conversation_id, employee_id, status, version, data)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            report_row(report),
        )
        if count == 0:
            raise ConflictError(f"report for {report.conversation_id!r} exists already")

    def update(self, report: Report, *, expected_version: int | None = None) -> None:
        expected = start_version(report, expected_version)
        key, *values = report_row(report)
        count = self._sql.execute(
            "UPDATE reports SET employee_id = %s, status = %s, version = %s, data = %s"
            " WHERE conversation_id = %s AND version = %s",
            (*values, key, expected),
        )
        _check_updated(
            self._sql,
            count,
            "SELECT version FROM reports WHERE conversation_id = %s",
            "report",
            key,
            expected,
        )

    def for_employee(self, employee_id: str) -> list[Report]:
        rows = self._sql.rows(
            "SELECT data, conversation_id FROM reports WHERE employee_id = %s"
            " ORDER BY conversation_id",
            (employee_id,),
        )
        return load("reports", Report, rows)

    def pending_sign_off(self) -> list[Report]:
        rows = self._sql.rows(
            "SELECT data, conversation_id FROM reports WHERE status = 'shared'"
            " ORDER BY conversation_id"
        )
        return [report for report in load("reports", Report, rows) if report.requires_sign_off]

    def mentioning(self, person_id: str) -> list[Report]:
        rows = self._sql.rows(
            "SELECT data, conversation_id FROM reports WHERE employee_id = %s OR data "  # noqa: S608
            + MENTIONS
            + " ORDER BY conversation_id",
            (person_id, like_mention(person_id)),
        )
        return [report for report in load("reports", Report, rows) if mentions(report, person_id)]

    def delete(self, conversation_ids: Iterable[str]) -> int:
        return sum(
            self._sql.execute("DELETE FROM reports WHERE conversation_id = %s", (key,))
            for key in _ids(conversation_ids)
        )

    def page(self, query: ReportQuery, *, after: str | None = None, limit: int) -> list[Report]:
        where = _Where()
        day = self._encoding.day
        where.equal("r.employee_id", query.employee_id)
        where.among("r.status", (status.value for status in query.statuses))
        if query.needs_conversation:
            where.add("c.id IS NOT NULL")
            where.equal("c.manager_id", query.manager_id)
            where.among("c.type_key", query.type_keys)
            where.between(
                "c.target",
                None if query.start is None else day(query.start),
                None if query.end is None else day(query.end),
            )
        if after is not None:
            where.add("r.conversation_id > %s", after)
        rows = self._sql.rows(
            "SELECT r.data, r.conversation_id FROM reports r LEFT JOIN conversations c"  # noqa: S608
            " ON c.id = r.conversation_id" + where.sql + " ORDER BY r.conversation_id LIMIT %s",
            (*where.params, check_limit(limit)),
        )
        return load("reports", Report, rows)


class ActionItems(_Table):
    """Action items by id; the adapter adds ``add_many``."""

    #: How the adapter's SQL compares a nullable manager id with a parameter.
    SAME_MANAGER: ClassVar[str] = "manager_id IS NOT DISTINCT FROM %s"

    def _select(self, where: str, params: Sequence[Any]) -> list[ActionItem]:
        rows = self._sql.rows("SELECT data, id FROM action_items " + where, params)  # noqa: S608
        return load("action_items", ActionItem, rows)

    def get(self, item_id: str) -> ActionItem:
        found = self._select("WHERE id = %s", (item_id,))
        if not found:
            raise NotFoundError("action item", item_id)
        return found[0]

    def update(self, item: ActionItem, *, expected_version: int | None = None) -> None:
        expected = start_version(item, expected_version)
        count = self._sql.execute(
            "UPDATE action_items SET employee_id = %s, manager_id = %s, owner_id = %s,"
            " status = %s, due = %s, version = %s, data = %s WHERE id = %s AND version = %s",
            (*self._encoding.action_item_row(item), expected),
        )
        _check_updated(
            self._sql,
            count,
            "SELECT version FROM action_items WHERE id = %s",
            "action item",
            item.id,
            expected,
        )

    def open_between(self, employee_id: str, manager_id: str | None) -> list[ActionItem]:
        return self._select(
            f"WHERE status = 'open' AND employee_id = %s AND {self.SAME_MANAGER} ORDER BY id",
            (employee_id, manager_id),
        )

    def for_owner(self, owner_id: str) -> list[ActionItem]:
        return self._select("WHERE owner_id = %s ORDER BY id", (owner_id,))

    def open_due_before(self, day: date) -> list[ActionItem]:
        return self._select(
            "WHERE status = 'open' AND due IS NOT NULL AND due < %s ORDER BY due, id",
            (self._encoding.day(day),),
        )

    def mentioning(self, person_id: str) -> list[ActionItem]:
        found = self._select(
            "WHERE employee_id = %s OR manager_id = %s OR owner_id = %s OR data "
            + MENTIONS
            + " ORDER BY id",
            (person_id, person_id, person_id, like_mention(person_id)),
        )
        return [item for item in found if mentions(item, person_id)]

    def from_conversations(self, conversation_ids: Iterable[str]) -> list[ActionItem]:
        found: list[ActionItem] = []
        for key in _ids(conversation_ids):
            found.extend(
                item
                for item in self._select("WHERE data " + MENTIONS, (like_mention(key),))
                if item.origin_conversation_id == key
            )
        return sorted(found, key=lambda item: item.id)

    def delete(self, item_ids: Iterable[str]) -> int:
        return sum(
            self._sql.execute("DELETE FROM action_items WHERE id = %s", (key,))
            for key in _ids(item_ids)
        )

    def page(
        self, query: ActionItemQuery, *, after: str | None = None, limit: int
    ) -> list[ActionItem]:
        where = _Where()
        day = self._encoding.day
        where.equal("employee_id", query.employee_id)
        where.equal("manager_id", query.manager_id)
        where.equal("owner_id", query.owner_id)
        where.among("status", (status.value for status in query.statuses))
        if query.start is not None or query.end is not None:
            where.add("due IS NOT NULL")
        where.between(
            "due",
            None if query.start is None else day(query.start),
            None if query.end is None else day(query.end),
        )
        if after is not None:
            where.add("id > %s", after)
        return self._select(
            where.sql + " ORDER BY id LIMIT %s", (*where.params, check_limit(limit))
        )


class Conversations(_Table):
    """Conversations by id with the planner's queries; the adapter adds ``add_many`` and
    ``by_status``."""

    def _select(self, where: str, params: Sequence[Any] = ()) -> list[Conversation]:
        rows = self._sql.rows(SELECT_CONVERSATIONS + " " + where, params)
        return self._encoding.reader().build_all(rows)

    def get(self, conversation_id: str) -> Conversation:
        found = self._select("WHERE id = %s", (conversation_id,))
        if not found:
            raise NotFoundError("conversation", conversation_id)
        return found[0]

    def update(self, conversation: Conversation, *, expected_version: int | None = None) -> None:
        expected = start_version(conversation, expected_version)
        row = self._encoding.conversation_row(conversation)
        count = self._sql.execute(
            "UPDATE conversations SET type_key = %s, employee_id = %s, manager_id = %s,"
            " earliest = %s, target = %s, latest = %s, status = %s, starts_at = %s,"
            " duration_minutes = %s, time_zone = %s, sequence = %s, requires_report = %s,"
            " version = %s, data = %s WHERE id = %s AND version = %s",
            (*row[1:], conversation.id, expected),
        )
        _check_updated(
            self._sql,
            count,
            "SELECT version FROM conversations WHERE id = %s",
            "conversation",
            conversation.id,
            expected,
        )

    def by_employee(self, employee_id: str) -> list[Conversation]:
        return self._select("WHERE employee_id = %s ORDER BY target, id", (employee_id,))

    def by_manager(self, manager_id: str) -> list[Conversation]:
        return self._select("WHERE manager_id = %s ORDER BY target, id", (manager_id,))

    def due(self, on_or_before: date) -> list[Conversation]:
        return self._select(
            "WHERE status IN ('planned', 'scheduled') AND target <= %s ORDER BY target, id",
            (self._encoding.day(on_or_before),),
        )

    def overdue(self, today: date) -> list[Conversation]:
        return self._select(
            "WHERE status IN ('planned', 'scheduled') AND latest < %s ORDER BY latest, id",
            (self._encoding.day(today),),
        )

    def ids_for_person_type(self, employee_id: str, type_key: str) -> set[str]:
        rows = self._sql.rows(
            "SELECT id FROM conversations WHERE employee_id = %s AND type_key = %s",
            (employee_id, type_key),
        )
        return {row[0] for row in rows}

    def by_ids(self, conversation_ids: Iterable[str]) -> list[Conversation]:
        rows = self._sql.rows_by_ids(SELECT_CONVERSATIONS, conversation_ids)
        return self._encoding.reader().build_all(rows)

    def scheduled_before(self, instant: datetime) -> list[Conversation]:
        return self._select(
            "WHERE status = 'scheduled' AND starts_at < %s ORDER BY starts_at, id",
            (self._encoding.instant(instant, "scheduled_before.instant"),),
        )

    def ended_before(self, day: date) -> list[PastConversation]:
        rows = self._sql.rows(
            "SELECT id, type_key, employee_id, target FROM conversations"
            " WHERE status NOT IN ('planned', 'scheduled') AND target < %s ORDER BY target, id",
            (self._encoding.day(day),),
        )
        read = self._encoding.read_day
        return [PastConversation(key, kind, person, read(on)) for key, kind, person, on in rows]

    def states(
        self, first: date, last: date, ids: Iterable[str] = ()
    ) -> dict[str, ConversationState]:
        day = self._encoding.day
        bounds = (day(first), day(last))
        range_ = SELECT_STATES + " WHERE target >= %s AND target <= %s"
        states = self._states(self._sql.stream(range_, bounds))
        outside = self._sql.one(  # only then may ids name conversations not read yet
            "SELECT 1 FROM conversations WHERE target < %s OR target > %s LIMIT 1", bounds
        )
        rest = [key for key in ids if key not in states] if outside else []
        if rest:
            states.update(self._states(self._sql.rows_by_ids(SELECT_STATES, rest)))
        return states

    def _states(self, rows: Iterable[Row]) -> dict[str, ConversationState]:
        # Equal days and people are one object each: there are many states, few of those.
        read, statuses = self._encoding.read_day, _STATUSES
        days: dict[Any, date] = {}
        names: dict[str, str] = {}
        day, known, name = days.get, days.setdefault, names.setdefault
        return {
            key: ConversationState(
                key,
                name(person, person),
                None if manager is None else name(manager, manager),
                statuses[status],
                day(earliest) or known(earliest, read(earliest)),
                day(target) or known(target, read(target)),
                day(latest) or known(latest, read(latest)),
            )
            for key, person, manager, status, earliest, target, latest in rows
        }

    def mentioning(self, person_id: str) -> list[Conversation]:
        found = self._select(
            "WHERE employee_id = %s OR manager_id = %s OR data " + MENTIONS + " ORDER BY id",
            (person_id, person_id, like_mention(person_id)),
        )
        return [talk for talk in found if mentions(talk, person_id)]

    def delete(self, conversation_ids: Iterable[str]) -> int:
        return sum(
            self._sql.execute("DELETE FROM conversations WHERE id = %s", (key,))
            for key in _ids(conversation_ids)
        )

    def page(
        self, query: ConversationQuery, *, after: ConversationKey | None = None, limit: int
    ) -> list[Conversation]:
        check_limit(limit)
        day = self._encoding.day
        where = _Where()
        where.equal("employee_id", query.employee_id)
        where.equal("manager_id", query.manager_id)
        if query.participant_id is not None:
            # Candidates; the exact participant check follows in Python (query.matches).
            person = query.participant_id
            where.add(
                "(employee_id = %s OR manager_id = %s OR data " + MENTIONS + ")",
                person,
                person,
                like_mention(person),
            )
        where.among("type_key", query.type_keys)
        where.among("status", (status.value for status in query.statuses))
        where.between(
            "target",
            None if query.start is None else day(query.start),
            None if query.end is None else day(query.end),
        )
        found: list[Conversation] = []
        key = after
        while len(found) < limit:
            conditions, params = list(where.conditions), list(where.params)
            if key is not None:
                conditions.append("(target > %s OR (target = %s AND id > %s))")
                params.extend((day(key[0]), day(key[0]), key[1]))
            text = " WHERE " + " AND ".join(conditions) if conditions else ""
            batch = self._select(text + " ORDER BY target, id LIMIT %s", (*params, limit))
            found.extend(talk for talk in batch if query.matches(talk))
            if len(batch) < limit:
                break
            key = (batch[-1].window.target, batch[-1].id)
        return found[:limit]


_DESIGN_COLUMNS = "number, name, fingerprint, source, format, applied_by, applied_at"


class Designs(_Table):
    """The applied design versions by number."""

    def _version(self, row: Row) -> DesignVersion:
        applied_at = self._encoding.read_instant(row[6])
        assert applied_at is not None  # the column is NOT NULL
        return DesignVersion(
            number=row[0],
            name=row[1],
            fingerprint=row[2],
            source=row[3],
            fmt=row[4],
            applied_by=row[5],
            applied_at=applied_at,
        )

    def current(self) -> DesignVersion | None:
        row = self._sql.one(
            "SELECT " + _DESIGN_COLUMNS + " FROM design_versions ORDER BY number DESC LIMIT 1"  # noqa: S608
        )
        return None if row is None else self._version(row)

    def get(self, number: int) -> DesignVersion:
        row = self._sql.one(
            "SELECT " + _DESIGN_COLUMNS + " FROM design_versions WHERE number = %s",  # noqa: S608
            (number,),
        )
        if row is None:
            raise NotFoundError("design version", str(number))
        return self._version(row)

    def add(self, version: DesignVersion) -> None:
        count = self._sql.execute(
            "INSERT INTO design_versions (" + _DESIGN_COLUMNS + ")"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                version.number,
                version.name,
                version.fingerprint,
                version.source,
                version.fmt,
                version.applied_by,
                self._encoding.instant(version.applied_at, "DesignVersion.applied_at"),
            ),
        )
        if count == 0:
            raise ConflictError(f"design version {version.number} exists already")

    def all(self) -> list[DesignVersion]:
        rows = self._sql.rows(
            "SELECT " + _DESIGN_COLUMNS + " FROM design_versions ORDER BY number"  # noqa: S608
        )
        return [self._version(row) for row in rows]


_ACCESS_COLUMNS = "at, reader_id, subject_id, record_kind, record_id, sensitivity, via"


class AccessLog(_Table):
    """The access log: one row per read, never updated; ``id`` keeps the order of adding."""

    def append(self, entries: Iterable[AccessLogEntry]) -> int:
        added = 0
        instant = self._encoding.instant
        for entry in entries:
            self._sql.execute(
                f"INSERT INTO access_log ({_ACCESS_COLUMNS})"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    instant(entry.at, "AccessLogEntry.at"),
                    entry.reader_id,
                    entry.subject_id,
                    entry.record_kind,
                    entry.record_id,
                    entry.sensitivity,
                    entry.via,
                ),
            )
            added += 1
        return added

    def _select(self, column: str, value: str) -> list[AccessLogEntry]:
        rows = self._sql.rows(
            f"SELECT {_ACCESS_COLUMNS} FROM access_log"  # noqa: S608
            f" WHERE {column} = %s ORDER BY at, id",
            (value,),
        )
        read = self._encoding.read_instant
        return [
            AccessLogEntry(
                at=read(row[0]),  # type: ignore[arg-type]  # the column is NOT NULL
                reader_id=row[1],
                subject_id=row[2],
                record_kind=row[3],
                record_id=row[4],
                sensitivity=row[5],
                via=row[6],
            )
            for row in rows
        ]

    def about(self, subject_id: str) -> list[AccessLogEntry]:
        return self._select("subject_id", subject_id)

    def by_reader(self, reader_id: str) -> list[AccessLogEntry]:
        return self._select("reader_id", reader_id)

    def delete_for_person(self, person_id: str) -> int:
        return self._sql.execute(
            "DELETE FROM access_log WHERE reader_id = %s OR subject_id = %s",
            (person_id, person_id),
        )

    def delete_before(self, instant: datetime) -> int:
        cutoff = self._encoding.instant(aware_utc(instant, "instant"), "instant")
        return self._sql.execute("DELETE FROM access_log WHERE at < %s", (cutoff,))
