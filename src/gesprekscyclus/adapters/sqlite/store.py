"""The SQLite store: the embedded default, on the standard library's ``sqlite3``.

Concurrency model:

- The file runs in WAL mode with ``synchronous=NORMAL`` and a ``busy_timeout``: readers never
  block the writer, and writers wait for each other instead of failing at once.
- Every unit of work and every outbox call is one explicit transaction started with
  ``BEGIN IMMEDIATE`` (the connection is in autocommit mode, ``isolation_level=None``), so
  the write lock is taken up front and two writers can never deadlock on a lock upgrade.
  Claims are therefore exactly-once across processes.
- A :class:`SQLiteStore` opens one connection per thread that uses it. Several worker
  processes on one host may share the file, each opening its own store; a store object must
  not be carried across ``fork`` (it notices and raises :class:`StoreError`). Beyond one host,
  use a server database.
- Driver errors become :class:`~gesprekscyclus.errors.StoreError` with the ``sqlite3`` error
  chained; only parameterised statements are used.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.errors import (
    ConflictError,
    GesprekscyclusError,
    InvalidValueError,
    NotFoundError,
    StoreError,
)
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import (
    OutboxMessage,
    OutboxStats,
    OutboxStatus,
    aware_utc,
    start_version,
    version_conflict,
    version_of,
)
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from .rows import READ_COLUMNS, ConversationReader, strict_conversation
from .schema import migrate

__all__ = ["SQLiteStore", "SQLiteUnitOfWork", "open_sqlite_store"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(value: datetime, path: str) -> int:
    """An aware datetime as integer microseconds since the Unix epoch."""
    return (aware_utc(value, path) - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    """The inverse of :func:`to_micros`, in UTC."""
    return _EPOCH + timedelta(microseconds=value)


def _lease(lease_seconds: float) -> int:
    if isinstance(lease_seconds, bool) or not lease_seconds > 0:
        raise InvalidValueError("lease_seconds", f"must be above 0, got {lease_seconds!r}")
    return round(lease_seconds * 1_000_000)


#: The outbox columns :func:`_message` reads, in order (a constant, never user input).
_MESSAGE_COLUMNS = (
    "id, key, payload, attempts, due_at, status, last_error, lease_owner, lease_until"
)

_CLAIM = (
    "UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN ("  # noqa: S608
    " SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ?"
    " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?"
    f") RETURNING {_MESSAGE_COLUMNS}"
)


def _message(row: Sequence[Any]) -> OutboxMessage:
    return OutboxMessage(
        id=row[0],
        key=row[1],
        notification=loads(Notification, row[2]),
        attempts=row[3],
        due_at=from_micros(row[4]),
        status=row[5],
        last_error=row[6],
        lease_owner=row[7],
        lease_until=None if row[8] is None else from_micros(row[8]),
    )


class _People:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    def get(self, person_id: str) -> Person:
        found = self.find(person_id)
        if found is None:
            raise NotFoundError("person", person_id)
        return found

    def find(self, person_id: str) -> Person | None:
        row = self._db.execute("SELECT data FROM people WHERE id = ?", (person_id,)).fetchone()
        return None if row is None else from_data(Person, json.loads(row[0]))

    def upsert(self, person: Person) -> None:
        self._db.execute(
            "INSERT INTO people (id, data) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (person.id, json.dumps(to_data(person), ensure_ascii=False)),
        )

    def all(self) -> list[Person]:
        rows = self._db.execute("SELECT data FROM people ORDER BY id").fetchall()
        return [from_data(Person, json.loads(row[0])) for row in rows]

    def by_ids(self, person_ids: Iterable[str]) -> list[Person]:
        rows = _rows_by_ids(self._db, "SELECT id, data FROM people", person_ids)
        return [from_data(Person, json.loads(row[1])) for row in rows]


class _Events:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    def append(self, event: LifeEvent) -> bool:
        cursor = self._db.execute(
            "INSERT INTO life_events (person_id, kind, on_date, data) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                event.person_id,
                event.kind.value,
                event.on.isoformat(),
                json.dumps(to_data(event), ensure_ascii=False),
            ),
        )
        return cursor.rowcount == 1

    def for_person(self, person_id: str) -> list[LifeEvent]:
        rows = self._db.execute(
            "SELECT data FROM life_events WHERE person_id = ? ORDER BY on_date, kind",
            (person_id,),
        ).fetchall()
        return [from_data(LifeEvent, json.loads(row[0])) for row in rows]

    def all(self) -> list[LifeEvent]:
        rows = self._db.execute(
            "SELECT data FROM life_events ORDER BY on_date, person_id, kind"
        ).fetchall()
        return [from_data(LifeEvent, json.loads(row[0])) for row in rows]


_CONVERSATION_COLUMNS = (
    "id, type_key, employee_id, manager_id, earliest, target, latest, status, starts_at,"
    " duration_minutes, time_zone, sequence, requires_report, version, data"
)
_INSERT_CONVERSATION = (
    f"INSERT INTO conversations ({_CONVERSATION_COLUMNS})"  # noqa: S608
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_CONVERSATIONS = f"SELECT {READ_COLUMNS} FROM conversations"  # noqa: S608


def conversation_row(c: Conversation) -> tuple[Any, ...]:
    """The column values of a conversation, in :data:`_CONVERSATION_COLUMNS` order."""
    parts: dict[str, Any] = {"p": [[p.person_id, p.role.value] for p in c.participants]}
    notes = c._notes  # the stored notes; only adapters read them directly
    if c.question_set is not None:
        parts["q"] = to_data(c.question_set)
    if c.answers:
        parts["a"] = to_data(c.answers)
    if notes:
        parts["n"] = to_data(notes)
    if c.history:
        parts["h"] = to_data(c.history)
    window = c.window
    return (
        c.id,
        c.type_key,
        c.employee_id,
        c.manager_id,
        window.earliest.isoformat(),
        window.target.isoformat(),
        window.latest.isoformat(),
        c.status.value,
        None if c.starts_at is None else to_micros(c.starts_at, "Conversation.starts_at"),
        c.duration_minutes,
        c.time_zone,
        c.sequence,
        int(c.requires_report),
        len(c.history),
        json.dumps(parts, ensure_ascii=False, separators=(",", ":")),
    )


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _instant(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


def conversation_from_row(row: Sequence[Any], cache: dict[Any, Any] | None = None) -> Conversation:
    """The inverse of :func:`conversation_row`, through every validator.

    The store reads its own rows with the faster :class:`~.rows.ConversationReader`; this
    one is for rows of unknown origin. ``cache`` is accepted for compatibility and unused.
    """
    del cache
    return strict_conversation((*row[:13], row[14]), _day, _instant)


def _reader() -> ConversationReader:
    return ConversationReader(parse_day=_day, parse_instant=_instant)


#: Ids per ``IN (...)`` list, well below SQLite's limit on parameters.
_IDS_PER_QUERY = 500


def _rows_by_ids(db: sqlite3.Connection, select: str, ids: Iterable[str]) -> list[Any]:
    """The rows of ``select`` (whose first column is ``id``) for ``ids``, sorted by id."""
    wanted = sorted(set(ids))
    rows: list[Any] = []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        marks = ", ".join("?" * len(chunk))
        rows.extend(db.execute(f"{select} WHERE id IN ({marks})", chunk).fetchall())
    rows.sort(key=lambda row: row[0])
    return rows


class _Conversations:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    def _select(self, where: str, params: Sequence[Any]) -> list[Conversation]:
        rows = self._db.execute(f"{_SELECT_CONVERSATIONS} {where}", params).fetchall()
        return _reader().build_all(rows)

    def get(self, conversation_id: str) -> Conversation:
        found = self._select("WHERE id = ?", (conversation_id,))
        if not found:
            raise NotFoundError("conversation", conversation_id)
        return found[0]

    def add_many(
        self, conversations: Iterable[Conversation], *, skip_existing: bool = False
    ) -> int:
        before = self._db.total_changes
        statement = _INSERT_CONVERSATION + (" ON CONFLICT DO NOTHING" if skip_existing else "")
        try:
            self._db.executemany(statement, map(conversation_row, conversations))
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"conversation exists already: {error}") from error
        return self._db.total_changes - before

    def update(self, conversation: Conversation, *, expected_version: int | None = None) -> None:
        expected = start_version(conversation, expected_version)
        row = conversation_row(conversation)
        count = self._db.execute(
            "UPDATE conversations SET type_key = ?, employee_id = ?, manager_id = ?,"
            " earliest = ?, target = ?, latest = ?, status = ?, starts_at = ?,"
            " duration_minutes = ?, time_zone = ?, sequence = ?, requires_report = ?,"
            " version = ?, data = ? WHERE id = ? AND version = ?",
            (*row[1:], conversation.id, expected),
        ).rowcount
        if count == 0:
            found = self._db.execute(
                "SELECT version FROM conversations WHERE id = ?", (conversation.id,)
            ).fetchone()
            if found is None:
                raise NotFoundError("conversation", conversation.id)
            raise version_conflict("conversation", conversation.id, expected, found[0])

    def by_employee(self, employee_id: str) -> list[Conversation]:
        return self._select("WHERE employee_id = ? ORDER BY target, id", (employee_id,))

    def by_manager(self, manager_id: str) -> list[Conversation]:
        return self._select("WHERE manager_id = ? ORDER BY target, id", (manager_id,))

    def due(self, on_or_before: date) -> list[Conversation]:
        return self._select(
            "WHERE status IN ('planned', 'scheduled') AND target <= ? ORDER BY target, id",
            (on_or_before.isoformat(),),
        )

    def overdue(self, today: date) -> list[Conversation]:
        return self._select(
            "WHERE status IN ('planned', 'scheduled') AND latest < ? ORDER BY latest, id",
            (today.isoformat(),),
        )

    def ids_for_person_type(self, employee_id: str, type_key: str) -> set[str]:
        rows = self._db.execute(
            "SELECT id FROM conversations WHERE employee_id = ? AND type_key = ?",
            (employee_id, type_key),
        ).fetchall()
        return {row[0] for row in rows}

    def by_ids(self, conversation_ids: Iterable[str]) -> list[Conversation]:
        return _reader().build_all(_rows_by_ids(self._db, _SELECT_CONVERSATIONS, conversation_ids))

    def scheduled_before(self, instant: datetime) -> list[Conversation]:
        return self._select(
            "WHERE status = 'scheduled' AND starts_at < ? ORDER BY starts_at, id",
            (to_micros(instant, "scheduled_before.instant"),),
        )

    def by_status(self, statuses: Iterable[ConversationStatus | str]) -> list[Conversation]:
        found: list[Conversation] = []
        for status in sorted({ConversationStatus(status) for status in statuses}):
            # A literal (from the closed set) so that the partial indexes apply.
            found.extend(self._select(f"WHERE status = '{status.value}'", ()))
        found.sort(key=lambda c: (c.window.target, c.id))
        return found


class _Reports:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    @staticmethod
    def _json(report: Report) -> str:
        return json.dumps(to_data(report), ensure_ascii=False)

    def find(self, conversation_id: str) -> Report | None:
        row = self._db.execute(
            "SELECT data FROM reports WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return None if row is None else from_data(Report, json.loads(row[0]))

    def get(self, conversation_id: str) -> Report:
        found = self.find(conversation_id)
        if found is None:
            raise NotFoundError("report", conversation_id)
        return found

    def add(self, report: Report) -> None:
        try:
            self._db.execute(
                "INSERT INTO reports (conversation_id, employee_id, status, version, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    report.conversation_id,
                    report.employee_id,
                    report.status.value,
                    version_of(report),
                    self._json(report),
                ),
            )
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"report for {report.conversation_id!r} exists already") from error

    def update(self, report: Report, *, expected_version: int | None = None) -> None:
        expected = start_version(report, expected_version)
        count = self._db.execute(
            "UPDATE reports SET employee_id = ?, status = ?, version = ?, data = ?"
            " WHERE conversation_id = ? AND version = ?",
            (
                report.employee_id,
                report.status.value,
                version_of(report),
                self._json(report),
                report.conversation_id,
                expected,
            ),
        ).rowcount
        if count == 0:
            found = self._db.execute(
                "SELECT version FROM reports WHERE conversation_id = ?",
                (report.conversation_id,),
            ).fetchone()
            if found is None:
                raise NotFoundError("report", report.conversation_id)
            raise version_conflict("report", report.conversation_id, expected, found[0])

    def for_employee(self, employee_id: str) -> list[Report]:
        rows = self._db.execute(
            "SELECT data FROM reports WHERE employee_id = ? ORDER BY conversation_id",
            (employee_id,),
        ).fetchall()
        return [from_data(Report, json.loads(row[0])) for row in rows]

    def pending_sign_off(self) -> list[Report]:
        rows = self._db.execute(
            "SELECT data FROM reports WHERE status = 'shared' ORDER BY conversation_id"
        ).fetchall()
        shared = (from_data(Report, json.loads(row[0])) for row in rows)
        return [report for report in shared if report.requires_sign_off]


_SELECT_ITEMS = "SELECT data FROM action_items"
_INSERT_ITEM = (
    "INSERT INTO action_items (employee_id, manager_id, owner_id, status, due, version, data, id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_ITEM_SKIPPING = _INSERT_ITEM + " ON CONFLICT DO NOTHING"


class _ActionItems:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    @staticmethod
    def _row(item: ActionItem) -> tuple[Any, ...]:
        return (
            item.employee_id,
            item.manager_id,
            item.owner_id,
            item.status.value,
            None if item.due is None else item.due.isoformat(),
            version_of(item),
            json.dumps(to_data(item), ensure_ascii=False),
            item.id,
        )

    def _select(self, where: str, params: Sequence[Any]) -> list[ActionItem]:
        rows = self._db.execute(f"{_SELECT_ITEMS} {where}", params).fetchall()
        return [from_data(ActionItem, json.loads(row[0])) for row in rows]

    def get(self, item_id: str) -> ActionItem:
        found = self._select("WHERE id = ?", (item_id,))
        if not found:
            raise NotFoundError("action item", item_id)
        return found[0]

    def add_many(self, items: Iterable[ActionItem], *, skip_existing: bool = False) -> int:
        before = self._db.total_changes
        statement = _INSERT_ITEM_SKIPPING if skip_existing else _INSERT_ITEM
        try:
            self._db.executemany(statement, map(self._row, items))
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"action item exists already: {error}") from error
        return self._db.total_changes - before

    def update(self, item: ActionItem, *, expected_version: int | None = None) -> None:
        expected = start_version(item, expected_version)
        count = self._db.execute(
            "UPDATE action_items SET employee_id = ?, manager_id = ?, owner_id = ?, status = ?,"
            " due = ?, version = ?, data = ? WHERE id = ? AND version = ?",
            (*self._row(item), expected),
        ).rowcount
        if count == 0:
            found = self._db.execute(
                "SELECT version FROM action_items WHERE id = ?", (item.id,)
            ).fetchone()
            if found is None:
                raise NotFoundError("action item", item.id)
            raise version_conflict("action item", item.id, expected, found[0])

    def open_between(self, employee_id: str, manager_id: str | None) -> list[ActionItem]:
        return self._select(
            "WHERE status = 'open' AND employee_id = ? AND manager_id IS ? ORDER BY id",
            (employee_id, manager_id),
        )

    def for_owner(self, owner_id: str) -> list[ActionItem]:
        return self._select("WHERE owner_id = ? ORDER BY id", (owner_id,))

    def open_due_before(self, day: date) -> list[ActionItem]:
        return self._select(
            "WHERE status = 'open' AND due IS NOT NULL AND due < ? ORDER BY due, id",
            (day.isoformat(),),
        )


class _Outbox:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    def enqueue(self, notifications: Iterable[Notification], *, due_at: datetime) -> int:
        due = to_micros(due_at, "outbox.enqueue.due_at")
        before = self._db.total_changes
        self._db.executemany(
            "INSERT INTO outbox (key, payload, due_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            ((n.key, dumps(n), due) for n in notifications),
        )
        return self._db.total_changes - before

    def by_key(self, key: str) -> OutboxMessage | None:
        row = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE key = ?",  # noqa: S608
            (key,),
        ).fetchone()
        return None if row is None else _message(row)


class SQLiteUnitOfWork:
    """The repositories of one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self.people = _People(connection)
        self.events = _Events(connection)
        self.conversations = _Conversations(connection)
        self.reports = _Reports(connection)
        self.action_items = _ActionItems(connection)
        self.outbox = _Outbox(connection)


class SQLiteStore:
    """A :class:`~gesprekscyclus.ports.store.Store` in one SQLite file.

    Use :func:`open_sqlite_store` to create one; see the module docstring for concurrency.
    """

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0, cache_mib: int = 64):
        self._path = str(path)
        self._busy_ms = round(busy_timeout * 1000)
        self._cache_kib = cache_mib * 1024
        self._pid = os.getpid()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._closed = False
        with self._driver_errors("open"):
            self.schema_version = migrate(self._connection())

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    @contextmanager
    def _driver_errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(f"sqlite store {self._path!r}: {action} failed: {error}") from error

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"sqlite store {self._path!r} is closed")
        if os.getpid() != self._pid:
            raise StoreError(
                "a SQLiteStore cannot be shared across processes; open one in each process"
            )
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        with self._driver_errors("connect"):
            connection = sqlite3.connect(
                self._path,
                timeout=self._busy_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute(f"PRAGMA cache_size = {-int(self._cache_kib)}")
        self._local.connection = connection
        with self._guard:
            self._connections.append(connection)
        return connection

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        with self._driver_errors(f"{action} (begin)"):
            connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException as error:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error) and not isinstance(error, GesprekscyclusError):
                raise StoreError(
                    f"sqlite store {self._path!r}: {action} failed: {error}"
                ) from error
            raise
        with self._driver_errors(f"{action} (commit)"):
            connection.execute("COMMIT")

    @contextmanager
    def unit_of_work(self) -> Iterator[SQLiteUnitOfWork]:
        """One ``BEGIN IMMEDIATE`` transaction; committed on a clean exit.

        Units of work do not nest within one thread.
        """
        with self._transaction("unit of work") as connection:
            yield SQLiteUnitOfWork(connection)

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._guard:
            self._closed = True
            connections, self._connections = self._connections, []
        for connection in connections:
            with suppress(sqlite3.Error):
                connection.close()

    # -- dispatch side ------------------------------------------------------------------------

    def claim_due(
        self, owner: str, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """See :meth:`gesprekscyclus.ports.store.Store.claim_due`."""
        at = to_micros(now, "claim_due.now")
        until = at + _lease(lease_seconds)
        if limit < 1:
            return []
        with self._transaction("claim_due") as db:
            rows = db.execute(
                _CLAIM,
                (owner, until, at, at, limit),
            ).fetchall()
        rows.sort(key=lambda row: (row[4], row[0]))
        return [_message(row) for row in rows]

    def renew_lease(
        self, owner: str, ids: Sequence[int], *, now: datetime, lease_seconds: float
    ) -> int:
        """See :meth:`gesprekscyclus.ports.store.Store.renew_lease`."""
        at = to_micros(now, "renew_lease.now")
        until = at + _lease(lease_seconds)
        renewed = 0
        with self._transaction("renew_lease") as db:
            for message_id in set(ids):
                renewed += db.execute(
                    "UPDATE outbox SET lease_until = ? WHERE id = ? AND status = 'pending'"
                    " AND lease_owner = ? AND lease_until > ?",
                    (until, message_id, owner, at),
                ).rowcount
        return renewed

    def mark_sent(self, owner: str, message_id: int, *, now: datetime) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_sent`."""
        at = to_micros(now, "mark_sent.now")
        with self._transaction("mark_sent") as db:
            count = db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ? AND status = 'pending' AND lease_owner = ?"
                " AND lease_until > ?",
                (at, message_id, owner, at),
            ).rowcount
        return count == 1

    def mark_failed(
        self,
        owner: str,
        message_id: int,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
    ) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_failed`."""
        at = to_micros(now, "mark_failed.now")
        retry = None if retry_at is None else to_micros(retry_at, "mark_failed.retry_at")
        with self._transaction("mark_failed") as db:
            count = db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                " status = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END,"
                " due_at = coalesce(?, due_at), lease_owner = NULL, lease_until = NULL"
                " WHERE id = ? AND status = 'pending' AND lease_owner = ? AND lease_until > ?",
                (error, retry, retry, message_id, owner, at),
            ).rowcount
        return count == 1

    def release(self, owner: str, ids: Sequence[int]) -> int:
        """See :meth:`gesprekscyclus.ports.store.Store.release`."""
        released = 0
        with self._transaction("release") as db:
            for message_id in set(ids):
                released += db.execute(
                    "UPDATE outbox SET lease_owner = NULL, lease_until = NULL"
                    " WHERE id = ? AND status = 'pending' AND lease_owner = ?",
                    (message_id, owner),
                ).rowcount
        return released

    def dead_letters(self) -> list[OutboxMessage]:
        """See :meth:`gesprekscyclus.ports.store.Store.dead_letters`."""
        with self._transaction("dead_letters") as db:
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM outbox"  # noqa: S608
                " WHERE status = 'dead' ORDER BY id"
            ).fetchall()
        return [_message(row) for row in rows]

    def replay(self, message_id: int, *, now: datetime) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.replay`."""
        at = to_micros(now, "replay.now")
        with self._transaction("replay") as db:
            count = db.execute(
                "UPDATE outbox SET status = 'pending', due_at = ?, attempts = 0,"
                " lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'dead'",
                (at, message_id),
            ).rowcount
            if count == 0:
                exists = db.execute("SELECT 1 FROM outbox WHERE id = ?", (message_id,)).fetchone()
                if exists is None:
                    raise NotFoundError("outbox message", message_id)
        return count == 1

    def outbox_message(self, message_id: int) -> OutboxMessage:
        """See :meth:`gesprekscyclus.ports.store.Store.outbox_message`."""
        with self._driver_errors("outbox_message"):
            row = (
                self._connection()
                .execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608
                    (message_id,),
                )
                .fetchone()
            )
        if row is None:
            raise NotFoundError("outbox message", message_id)
        return _message(row)

    def outbox_stats(self) -> OutboxStats:
        """See :meth:`gesprekscyclus.ports.store.Store.outbox_stats`."""
        with self._driver_errors("outbox_stats"):
            rows = (
                self._connection()
                .execute("SELECT status, count(*), count(lease_owner) FROM outbox GROUP BY status")
                .fetchall()
            )
        counts = {OutboxStatus(status): (total, leased) for status, total, leased in rows}
        pending, leased = counts.get(OutboxStatus.PENDING, (0, 0))
        return OutboxStats(
            pending=pending,
            leased=leased,
            sent=counts.get(OutboxStatus.SENT, (0, 0))[0],
            dead=counts.get(OutboxStatus.DEAD, (0, 0))[0],
        )


def open_sqlite_store(
    path: str | Path, *, busy_timeout: float = 30.0, cache_mib: int = 64
) -> SQLiteStore:
    """Open (creating if needed) a SQLite store at ``path`` and bring its schema up to date.

    ``busy_timeout`` is how many seconds a writer waits for another one; ``cache_mib`` the
    page cache per connection.

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = open_sqlite_store(os.path.join(folder, "cycle.db"))
    ...     print(store.schema_version, store.outbox_stats())
    ...     store.close()
    4 OutboxStats(pending=0, leased=0, sent=0, dead=0)
    """
    return SQLiteStore(path, busy_timeout=busy_timeout, cache_mib=cache_mib)
