"""The PostgreSQL store, on psycopg 3 and its connection pool.

Concurrency model:

- Connections come from a :class:`psycopg_pool.ConnectionPool` (the store's own, in
  autocommit mode, or the host's) or are the host's one connection; every unit of work is one
  explicit transaction (``connection.transaction()``) on one connection, so all its writes,
  outbox rows included, commit together or not at all. On a host connection with a
  transaction open it is a savepoint of that transaction instead, and the host commits.
- The store keeps nothing in the session, so a transaction-mode pooler (pgbouncer) can hand
  each transaction to any server connection: every statement names its tables with the
  schema (no ``search_path``), statements are not prepared unless ``prepare_threshold`` says
  so, and the ``idle_in_transaction_session_timeout`` (a stuck client cannot hold locks for
  ever) is set per transaction on the store's own connections. Instants are read back in UTC
  whatever the session's ``TimeZone``. The pool checks a connection before lending it and
  replaces dead ones, so after a dropped connection or a server restart the next unit of work
  gets a fresh one.
- :meth:`PostgresUnitOfWork.lock` takes a transaction-level advisory lock
  (``pg_advisory_xact_lock``) keyed by the store's schema and the lock's name; the server
  releases it at commit, at rollback and when the session ends, so a crashed holder cannot
  keep it.
- Claims are one statement:
  ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …``, so any
  number of worker processes, on any number of hosts, claim disjoint sets without waiting
  for each other. In the same transaction, a claimed row whose payload no longer decodes
  becomes a dead letter instead of being handed out. Claims and batch deliveries turn sorts
  and bitmap scans off for their own transaction, so that their cost does not grow with the
  queue when the statistics lag behind it (see ``_QUEUE_PLAN``); those settings travel in
  the same message as the statement they are for, and on the store's own connections a
  batch delivery is that one message (an implicit transaction), so a batch of claims and
  deliveries costs six round trips, the pool's two checks included. Renewals, deliveries,
  failures and releases are guarded by owner (and, where the contract says so, an
  unexpired lease) and report what the row count says.
- A store object must not be carried across ``fork``: open one in each process (it notices
  and raises :class:`~gesprekscyclus.errors.StoreError`).
- Driver errors become :class:`~gesprekscyclus.errors.StoreError` (a unique violation:
  :class:`~gesprekscyclus.errors.ConflictError`) with the psycopg error chained; only
  parameterised statements are used (a claim and a batch delivery bind theirs on the client,
  with psycopg's quoting, to send the planner settings along).
- Bulk inserts (:meth:`conversations.add_many <_Conversations.add_many>`, large enqueues) of
  at least ``copy_threshold`` rows stream the rows with ``COPY`` into a temporary table
  (dropped at the commit) and move them over with ``INSERT … SELECT … ON CONFLICT DO
  NOTHING``; smaller ones use ``executemany`` (pipelined by psycopg). New conversations and
  action items, whose ids are seldom stored already, are first copied straight into their
  table in a savepoint, and go the staging way only when an id is there already.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, LiteralString

import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from gesprekscyclus.adapters._sql import tables
from gesprekscyclus.adapters._sql.names import Renamer, created_names
from gesprekscyclus.adapters._sql.outbox import (
    DEAD_ON_CLAIM,
    NEXT_SEQUENCE,
    decode_notification,
    log_dead_on_claim,
    read_targets,
    write_targets,
)
from gesprekscyclus.adapters._sql.rows import CONVERSATION_COLUMNS, Encoding
from gesprekscyclus.adapters._sql.text import findable
from gesprekscyclus.adapters._sql.withdraw import LIKE_ESCAPE, like_pattern, selected_ids
from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.new_conversations import NewConversation
from gesprekscyclus.domain.pseudonyms import mentions
from gesprekscyclus.errors import (
    ConflictError,
    InvalidValueError,
    NotFoundError,
    StoreError,
)
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import (
    OutboxMessage,
    OutboxStats,
    OutboxStatus,
    Withdrawal,
    aware_utc,
    check_lock_name,
    check_stream,
    check_targets,
    redacted,
)
from gesprekscyclus.serialization import dumps

from .schema import MIGRATIONS, check_schema_name, lock_key, migrate

__all__ = [
    "PostgresStore",
    "PostgresUnitOfWork",
    "conversation_from_row",
    "conversation_row",
    "open_postgres_store",
]

log: logging.Logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[Any, ...]]
Row = tuple[Any, ...]
Query = LiteralString | sql.SQL | sql.Composed

#: Bulk inserts of at least this many rows go through ``COPY`` (see the module docstring).
#: Measured on a local server: below ~200 conversations ``executemany`` is as fast or faster
#: (50 rows: 2.6 vs 4.2 ms); from there ``COPY`` wins (2,000 rows: 34 vs 41 ms; 200,000
#: rows: 61 k vs 27 k rows/s).
DEFAULT_COPY_THRESHOLD = 200


def _utc(value: datetime, path: str) -> datetime:
    return aware_utc(value, path)


def _lease(lease_seconds: float) -> timedelta:
    if isinstance(lease_seconds, bool) or not lease_seconds > 0:
        raise InvalidValueError("lease_seconds", f"must be above 0, got {shown(lease_seconds)}")
    return timedelta(seconds=lease_seconds)


def _back(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class _Db:
    """One connection, with psycopg errors translated into the library's errors and the
    tables named as the store keeps them (schema-qualified; see ``_sql.names``)."""

    def __init__(self, connection: Connection, label: str, rename: Renamer | None = None):
        self.connection = connection
        self.label = label
        self._rename = rename if rename is not None else Renamer({})

    def sql(self, query: Query) -> Query:
        """``query`` with the store's table names."""
        if not self._rename.names:
            return query
        if isinstance(query, str):
            return self._rename(query)
        text = query.as_string(self.connection)
        return sql.SQL(self._rename(text))

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except psycopg.errors.UniqueViolation as error:
            raise ConflictError(f"{self.label}: {action}: {error}") from error
        except psycopg.Error as error:
            raise StoreError(f"{self.label}: {action} failed: {error}") from error

    def execute(self, query: Query, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns its row count."""
        with self.errors("statement"):
            return self.connection.execute(self.sql(query), params).rowcount

    def rows(self, query: Query, params: Sequence[Any] = ()) -> list[Row]:
        if not findable(params):
            return []
        with self.errors("query"):
            return self.connection.execute(self.sql(query), params).fetchall()

    def rows_after(
        self, settings: Sequence[tuple[str, str]], query: LiteralString, params: Sequence[Any]
    ) -> list[Row]:
        """The rows of ``query``, run after ``settings`` (name, value) are set until the end
        of the transaction: one round trip instead of two.

        Both go in one simple-protocol message, the parameters bound on the client side
        (psycopg's ``ClientCursor``, with its quoting). The server plans a statement of such a
        message only when it comes to run it, so the settings apply to ``query``'s plan; and
        the message is one transaction of its own when none is open (an implicit one: both
        statements commit together or neither does, and no session state remains).
        """
        if not settings:
            return self.rows(query, params)
        if not findable(params):
            return []
        calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
        text = self.sql("SELECT " + calls + "; " + query)
        values = [part for setting in settings for part in setting]
        with self.errors("query"), psycopg.ClientCursor(self.connection) as cursor:
            cursor.execute(text, [*values, *params])
            cursor.nextset()
            return cursor.fetchall()

    def stream(self, query: Query, params: Sequence[Any] = ()) -> Iterator[Row]:
        if not findable(params):
            return
        with self.errors("query"):
            yield from self.connection.execute(self.sql(query), params)

    def one(self, query: Query, params: Sequence[Any] = ()) -> Row | None:
        if not findable(params):
            return None
        with self.errors("query"):
            return self.connection.execute(self.sql(query), params).fetchone()

    def rows_by_ids(self, select: str, ids: Iterable[str]) -> list[Row]:
        """The rows of ``select`` for ``ids`` (its table's ``id`` column), in id order."""
        query = select + " WHERE id = ANY(%s) ORDER BY id"
        return self.rows(query, (sorted(i for i in set(ids) if findable((i,))),))

    def many(self, query: Query, rows: Sequence[Sequence[Any]]) -> int:
        """``executemany``; returns the summed row count."""
        if not rows:
            return 0
        with self.errors("bulk statement"), self.connection.cursor() as cursor:
            cursor.executemany(self.sql(query), rows)
            return max(cursor.rowcount, 0)

    def copy_in(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Stream ``rows`` into ``table`` with ``COPY … FROM STDIN``."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with (
            self.errors("COPY"),
            self.connection.cursor() as cursor,
            cursor.copy(self.sql(statement)) as copy,
        ):
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: a raise inside undoes only what happened inside."""
        with self.errors("savepoint"), self.connection.transaction():
            yield


class _BulkInsert:
    """How one table takes many rows at once (``COPY`` above a threshold).

    With ``rarely_there`` (rows whose keys are seldom stored already), ``COPY`` goes
    straight into the table, in a savepoint; only when a key turns out to be there already
    (or twice in the rows) is that undone and the rows go through a staging table and
    ``INSERT ... ON CONFLICT DO NOTHING``. Straight in is about a third faster for a few
    hundred thousand rows: the server inserts each row once, without the speculative
    insertion of ``ON CONFLICT``.
    """

    def __init__(self, table: str, columns: tuple[str, ...], kind: str, *, rarely_there: bool):
        self.table = table
        self.columns = columns
        self.kind = kind
        self.rarely_there = rarely_there
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        self.staging = f"_load_{table}"
        marks = sql.SQL(", ").join(sql.Placeholder() * len(columns))
        self.insert = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
            sql.Identifier(table), names, marks
        )
        self.create_staging = sql.SQL(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {} ON COMMIT DROP"
            " AS SELECT {} FROM {} WITH NO DATA"
        ).format(sql.Identifier(self.staging), names, sql.Identifier(table))
        self.move = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT DO NOTHING").format(
            sql.Identifier(table), names, names, sql.Identifier(self.staging)
        )
        self.empty_staging = sql.SQL("TRUNCATE {}").format(sql.Identifier(self.staging))

    def run(self, db: _Db, rows: Sequence[Row], copy_threshold: int) -> int:
        """Insert ``rows``, skipping existing keys; returns how many were new."""
        if not rows:
            return 0
        if len(rows) < copy_threshold:
            return db.many(self.insert, rows)
        if self.rarely_there:
            try:
                with db.savepoint():
                    db.copy_in(self.table, self.columns, rows)
            except ConflictError:
                pass  # a key is there already: undone, and skipped below
            else:
                return len(rows)
        with db.errors("COPY notice"):
            # The staging table lives until the commit; a second bulk insert in the same
            # transaction reuses it: silence the "skipping" notice.
            db.connection.execute("SET LOCAL client_min_messages = warning")
        db.execute(self.create_staging)
        db.copy_in(self.staging, self.columns, rows)
        added = db.execute(self.move)
        db.execute(self.empty_staging)
        return added

    def run_strict(
        self,
        db: _Db,
        rows: Sequence[Row],
        ids: Sequence[str],
        copy_threshold: int,
        skip_existing: bool,
    ) -> int:
        """Like :meth:`run`, but without ``skip_existing`` any existing or repeated id
        raises :class:`ConflictError` and undoes this call's inserts."""
        if skip_existing:
            return self.run(db, rows, copy_threshold)

        class _CountMismatchError(Exception):
            pass

        try:
            with db.savepoint():
                added = self.run(db, rows, copy_threshold)
                if added != len(rows):
                    raise _CountMismatchError
        except _CountMismatchError:
            repeated = sorted(key for key, seen in Counter(ids).items() if seen > 1)
            query = sql.SQL("SELECT id FROM {} WHERE id = ANY(%s) ORDER BY id LIMIT 5").format(
                sql.Identifier(self.table)
            )
            existing = [row[0] for row in db.rows(query, (list(ids),))]
            parts = []
            if existing:
                parts.append("exists already: " + ", ".join(map(repr, existing)))
            if repeated:
                parts.append("given twice: " + ", ".join(map(repr, repeated[:5])))
            raise ConflictError(
                f"{self.kind} {'; '.join(parts) or 'exists already'}"
                f" ({len(rows) - added} of {len(rows)} not new)"
            ) from None
        return added


#: The outbox columns :func:`_message` reads, in order.
_MESSAGE_COLUMNS = (
    "id, key, payload, attempts, due_at, status, last_error, lease_owner, lease_until, delivered"
)

_CLAIM = (
    "UPDATE outbox SET lease_owner = %s, lease_until = %s WHERE id IN ("  # noqa: S608
    " SELECT id FROM outbox WHERE status = 'pending' AND due_at <= %s"
    " AND (lease_until IS NULL OR lease_until <= %s)"
    " ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED"
    ") RETURNING " + _MESSAGE_COLUMNS
)

#: Records the deliveries of a batch, guarded by owner and an unexpired lease.
_MARK_SENT_MANY = (
    "UPDATE outbox SET status = 'sent', sent_at = %s, lease_owner = NULL,"
    " lease_until = NULL WHERE id = ANY(%s::bigint[]) AND status = 'pending'"
    " AND lease_owner = %s AND lease_until > %s RETURNING id"
)


#: Planner settings for the transactions of the outbox's claims and deliveries. A burst of
#: enqueued messages leaves the table's statistics far behind (they count few pending
#: rows), so the planner would read and sort every pending row for each claim of a batch,
#: and scan the whole pending index to mark a batch sent: a cost that grows with the queue.
#: Without sorts and bitmap scans a claim walks ``outbox_pending`` in order and stops at
#: its limit, and a delivery finds its rows by primary key.
_QUEUE_PLAN = (("enable_sort", "off"), ("enable_bitmapscan", "off"))


def _set_locally(connection: Connection, settings: Sequence[tuple[str, str]]) -> None:
    """Set ``settings`` (name, value) until the end of the transaction, in one statement."""
    calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
    connection.execute("SELECT " + calls, [part for setting in settings for part in setting])


def _message(row: Sequence[Any], notification: Notification | None = None) -> OutboxMessage:
    if notification is None:
        notification = decode_notification(row[1], row[2])[0]
    return OutboxMessage(
        id=row[0],
        key=row[1],
        notification=notification,
        attempts=row[3],
        due_at=row[4].astimezone(UTC),
        status=row[5],
        last_error=row[6],
        lease_owner=row[7],
        lease_until=_back(row[8]),
        delivered=read_targets(row[9]),
    )


def _day(value: date) -> date:
    return value


_ENCODING = Encoding(day=_day, read_day=_day, instant=_utc, read_instant=_back, flag=bool)
_CONVERSATION_BULK = _BulkInsert(
    "conversations", CONVERSATION_COLUMNS, "conversation", rarely_there=True
)

#: The column values of a conversation, in :data:`CONVERSATION_COLUMNS` order.
conversation_row: Callable[[Conversation], Row] = _ENCODING.conversation_row


#: The inverse of ``conversation_row`` through every validator, for rows of unknown origin
#: (the store reads its own rows with the faster ``ConversationReader``).
conversation_from_row: Callable[[Sequence[Any]], Conversation] = _ENCODING.conversation_from_row


class _Conversations(tables.Conversations):
    def __init__(self, db: _Db, copy_threshold: int):
        super().__init__(db, _ENCODING)
        self._db = db
        self._copy_threshold = copy_threshold

    def add_many(
        self, conversations: Iterable[Conversation], *, skip_existing: bool = False
    ) -> int:
        rows = [conversation_row(c) for c in conversations]
        return _CONVERSATION_BULK.run_strict(
            self._db, rows, [row[0] for row in rows], self._copy_threshold, skip_existing
        )

    def add_planned(self, new: Iterable[NewConversation], *, skip_existing: bool = False) -> int:
        rows = list(_ENCODING.new_conversation_rows(new))
        return _CONVERSATION_BULK.run_strict(
            self._db, rows, [row[0] for row in rows], self._copy_threshold, skip_existing
        )

    def by_status(self, statuses: Iterable[ConversationStatus | str]) -> list[Conversation]:
        wanted = sorted({ConversationStatus(status).value for status in statuses})
        if not wanted:
            return []
        if wanted == ["held"]:  # the literal lets the planner use the partial index
            return self._select("WHERE status = 'held' ORDER BY target, id")
        return self._select("WHERE status = ANY(%s) ORDER BY target, id", (wanted,))


_ITEM_BULK = _BulkInsert(
    "action_items",
    ("employee_id", "manager_id", "owner_id", "status", "due", "version", "data", "id"),
    "action item",
    rarely_there=True,
)


class _ActionItems(tables.ActionItems):
    def __init__(self, db: _Db, copy_threshold: int):
        super().__init__(db, _ENCODING)
        self._db = db
        self._copy_threshold = copy_threshold

    def add_many(self, items: Iterable[ActionItem], *, skip_existing: bool = False) -> int:
        rows = [_ENCODING.action_item_row(item) for item in items]
        return _ITEM_BULK.run_strict(
            self._db, rows, [row[-1] for row in rows], self._copy_threshold, skip_existing
        )


#: Reminders are enqueued again and again under keys that are there already.
_OUTBOX_BULK = _BulkInsert(
    "outbox", ("key", "payload", "due_at"), "outbox message", rarely_there=False
)


class _Outbox:
    def __init__(self, db: _Db, copy_threshold: int):
        self._db = db
        self._copy_threshold = copy_threshold

    def enqueue(self, notifications: Iterable[Notification], *, due_at: datetime) -> int:
        due = _utc(due_at, "outbox.enqueue.due_at")
        rows = [(n.key, dumps(n), due) for n in notifications]
        return _OUTBOX_BULK.run(self._db, rows, self._copy_threshold)

    def by_key(self, key: str) -> OutboxMessage | None:
        row = self._db.one(
            "SELECT " + _MESSAGE_COLUMNS + " FROM outbox WHERE key = %s",  # noqa: S608
            (key,),
        )
        return None if row is None else _message(row)

    def withdraw(self, about: Withdrawal) -> int:
        rows = self._db.rows(
            "SELECT id, payload FROM outbox WHERE status = 'pending'"
            " AND payload LIKE %s ESCAPE %s FOR UPDATE",
            (like_pattern(about), LIKE_ESCAPE),
        )
        ids = selected_ids(rows, about)
        if ids:
            self._db.execute(
                "UPDATE outbox SET status = 'expired', last_error = %s, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ANY(%s) AND status = 'pending'",
                (about.reason, ids),
            )
        return len(ids)

    def mentioning(self, needles: Iterable[str]) -> list[OutboxMessage]:
        found: dict[int, OutboxMessage] = {}
        for needle in sorted(set(needles)):
            rows = self._db.rows(
                "SELECT " + _MESSAGE_COLUMNS + " FROM outbox WHERE payload " + tables.MENTIONS,  # noqa: S608
                (tables.like_mention(needle),),
            )
            for row in rows:
                message = _message(row)
                # An undecodable payload that the pattern finds is kept as a candidate: it
                # cannot be read to be sure, and erasure must not leave it behind.
                if message.notification is None or mentions(message.notification, needle):
                    found[message.id] = message
        return [found[key] for key in sorted(found)]

    def delete(self, message_ids: Iterable[int]) -> int:
        wanted = sorted(set(message_ids))
        if not wanted:
            return 0
        return self._db.execute("DELETE FROM outbox WHERE id = ANY(%s)", (wanted,))

    def rewrite(self, message_id: int, notification: Notification) -> bool:
        count = self._db.execute(
            "UPDATE outbox SET payload = %s WHERE id = %s", (dumps(notification), message_id)
        )
        return count == 1

    def redact_sent_before(self, instant: datetime) -> int:
        limit = _utc(instant, "redact_sent_before.instant")
        rows = self._db.rows(
            "SELECT " + _MESSAGE_COLUMNS + " FROM outbox WHERE status = 'sent'"  # noqa: S608
            " AND NOT redacted AND coalesce(sent_at, due_at) < %s",
            (limit,),
        )
        self._db.many(
            "UPDATE outbox SET payload = %s, redacted = true WHERE id = %s",
            [
                (dumps(redacted(notification)), row[0])
                for row in rows
                if (notification := _message(row).notification) is not None
            ],
        )
        return len(rows)

    def delete_dead_before(self, instant: datetime) -> int:
        limit = _utc(instant, "delete_dead_before.instant")
        return self._db.execute(
            "DELETE FROM outbox WHERE status = 'dead' AND due_at < %s", (limit,)
        )

    def next_sequence(self, stream: str) -> int:
        row = self._db.one(NEXT_SEQUENCE, (check_stream(stream),))
        assert row is not None  # RETURNING gives the row it wrote
        return int(str(row[0]))

    def forget_sequences(self, streams: Iterable[str]) -> int:
        wanted = sorted(set(streams))
        if not wanted:
            return 0
        return self._db.execute("DELETE FROM event_sequences WHERE stream = ANY(%s)", (wanted,))


class _People(tables.People):
    END_DATE: ClassVar[str] = "(data::json ->> 'end_date')"


class PostgresUnitOfWork:
    """The repositories of one PostgreSQL transaction."""

    def __init__(
        self,
        connection: Connection,
        *,
        label: str,
        copy_threshold: int,
        lock_scope: str = "",
        rename: Renamer | None = None,
    ):
        db = _Db(connection, label, rename)
        self._db = db
        self._lock_scope = lock_scope
        self.connection = connection
        self.people: _People = _People(db, _ENCODING)
        self.events: tables.Events = tables.Events(db, _ENCODING)
        self.conversations: _Conversations = _Conversations(db, copy_threshold)
        self.reports: tables.Reports = tables.Reports(db, _ENCODING)
        self.designs: tables.Designs = tables.Designs(db, _ENCODING)
        self.action_items: _ActionItems = _ActionItems(db, copy_threshold)
        self.absence_records: tables.AbsenceRecords = tables.AbsenceRecords(db, _ENCODING)
        self.outbox: _Outbox = _Outbox(db, copy_threshold)
        self.access_log: tables.AccessLog = tables.AccessLog(db, _ENCODING)
        self.voice_answers: tables.VoiceAnswers = tables.VoiceAnswers(db, _ENCODING)

    def lock(self, name: str) -> None:
        """Wait for, then hold, the advisory lock ``name`` of this store until the
        transaction ends (see the module docstring)."""
        key = lock_key(self._lock_scope, f"lock:{check_lock_name(name)}")
        self._db.execute("SELECT pg_advisory_xact_lock(%s)", (key,))


#: The tables :meth:`PostgresStore.compact` vacuums.
_TABLES = (
    "people",
    "life_events",
    "absence_records",
    "conversations",
    "reports",
    "action_items",
    "outbox",
    "voice_answers",
)


def _positive_number(path: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidValueError(path, f"must be above 0, got {shown(value)}")
    return value


#: The tables the migrations create: what a schema qualifies.
TABLE_NAMES = created_names(MIGRATIONS, indexes=False)


class PostgresStore:
    """A :class:`~gesprekscyclus.ports.store.Store` in a PostgreSQL database (or schema).

    Use :func:`open_postgres_store` to create one; see the module docstring for concurrency
    and ``docs/host-database.md`` for the host's pool, connection and transaction.
    """

    def __init__(
        self,
        dsn: str | None = None,
        *,
        pool: ConnectionPool[Any] | None = None,
        connection: Connection | None = None,
        schema: str | None = None,
        prepare_threshold: int | None = None,
        pool_size: int = 4,
        connect_timeout: float = 10.0,
        pool_timeout: float = 30.0,
        idle_in_transaction_timeout: float | None = 60.0,
        copy_threshold: int = DEFAULT_COPY_THRESHOLD,
    ):
        given = [
            name
            for name, value in (("dsn", dsn), ("pool", pool), ("connection", connection))
            if value is not None
        ]
        if len(given) != 1:
            raise InvalidValueError(
                "dsn",
                "give exactly one of dsn, pool and connection, got "
                + (" and ".join(given) or "none"),
            )
        if pool is not None and not isinstance(pool, ConnectionPool):
            raise InvalidValueError(
                "pool", f"expected a psycopg_pool.ConnectionPool, got {type(pool).__name__}"
            )
        if connection is not None and not isinstance(connection, psycopg.Connection):
            raise InvalidValueError(
                "connection", f"expected a psycopg.Connection, got {type(connection).__name__}"
            )
        self.schema: str | None = None if schema is None else check_schema_name(schema)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise InvalidValueError("pool_size", f"must be at least 1, got {shown(pool_size)}")
        if isinstance(copy_threshold, bool) or not isinstance(copy_threshold, int):
            raise InvalidValueError(
                "copy_threshold", f"must be an integer, got {shown(copy_threshold)}"
            )
        if prepare_threshold is not None and (
            isinstance(prepare_threshold, bool)
            or not isinstance(prepare_threshold, int)
            or prepare_threshold < 0
        ):
            raise InvalidValueError(
                "prepare_threshold",
                f"must be None (never prepare) or a whole number of at least 0,"
                f" got {shown(prepare_threshold)}",
            )
        #: After how many runs psycopg prepares a statement; ``None``: never (the default,
        #: which a transaction-mode pooler needs).
        self.prepare_threshold = prepare_threshold
        self._connect_timeout = _positive_number("connect_timeout", connect_timeout)
        self._idle_ms = (
            None
            if idle_in_transaction_timeout is None
            else round(
                _positive_number("idle_in_transaction_timeout", idle_in_transaction_timeout) * 1000
            )
        )
        self.copy_threshold = copy_threshold
        self._rename = Renamer.qualified(self.schema, TABLE_NAMES)
        self._label = "postgres store" + ("" if schema is None else f" (schema {schema!r})")
        self._pid = os.getpid()
        self._closed = False
        self._guard = threading.Lock()
        #: Whether the pool or connection is the host's (never closed by :meth:`close`).
        self.borrowed: bool = dsn is None
        self._host_connection = connection
        # One host connection serves every thread: one unit of work at a time on it.
        self._host_lock = threading.RLock()
        self._pool: ConnectionPool[Any] | None = pool
        if dsn is None:
            with self._borrow("migrate") as first:
                self._migrate(first)
        else:
            settings = self._settings(dsn)
            # Migrate on a connection of its own first: a wrong DSN fails at once, with the
            # server's own reason, instead of after the pool's retries.
            try:
                first = psycopg.connect(dsn, **settings)
            except psycopg.Error as error:
                raise StoreError(f"{self._label}: cannot connect: {error}") from error
            with first:
                self._migrate(first)
            self._pool = ConnectionPool(
                dsn,
                min_size=1,
                max_size=pool_size,
                kwargs=settings,
                check=ConnectionPool.check_connection,
                reconnect_failed=self._reconnect_failed,
                timeout=_positive_number("pool_timeout", pool_timeout),
                name=f"gesprekscyclus-{self.schema or 'default'}",
                open=False,
            )
            self._pool.open(wait=False)

    def _settings(self, dsn: str) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": max(1, round(self._connect_timeout)),
            "prepare_threshold": self.prepare_threshold,
        }
        try:
            named = "application_name" in conninfo_to_dict(dsn)
        except psycopg.Error as error:
            raise StoreError(
                f"{self._label}: cannot read the connection string: {error}"
            ) from error
        if not named:  # a name in the DSN (one per worker, say) shows in pg_stat_activity
            settings["application_name"] = "gesprekscyclus"
        return settings

    def _migrate(self, connection: Connection) -> None:
        # One transaction (a savepoint in the host's), so that nothing is left open on a
        # host's connection that is not in autocommit mode.
        with _Db(connection, self._label).errors("migrate"), connection.transaction():
            self.schema_version: int = migrate(connection, self.schema)
            scope = connection.execute("SELECT current_schema()", prepare=False).fetchone()
        #: Whose advisory locks :meth:`PostgresUnitOfWork.lock` takes: the schema in use.
        self.lock_scope: str = str(self.schema or (scope[0] if scope else None) or "")

    def using(self, connection: Connection) -> PostgresStore:
        """This store on the host's ``connection`` (typically inside the host's transaction,
        for one request): same schema and settings, no migration, nothing opened.

        Units of work on it are savepoints of the host's transaction when one is open (the
        host commits or rolls back), transactions of their own otherwise.
        """
        if not isinstance(connection, psycopg.Connection):
            raise InvalidValueError(
                "connection", f"expected a psycopg.Connection, got {type(connection).__name__}"
            )
        joined = copy.copy(self)
        joined._pool = None
        joined._host_connection = connection
        joined._host_lock = threading.RLock()
        joined._guard = threading.Lock()
        joined._closed = False
        joined.borrowed = True
        return joined

    def _reconnect_failed(self, pool: ConnectionPool[Connection]) -> None:
        log.error(
            "%s: no connection to the server for %.0f seconds; still trying on demand",
            self._label,
            pool.reconnect_timeout,
        )

    @contextmanager
    def _borrow(self, action: str) -> Iterator[Connection]:
        """A connection for one use: from the pool, or the host's connection (held alone).

        On a borrowed pool or connection the store's ``prepare_threshold`` applies while it
        is used and the host's setting is restored afterwards.
        """
        if self._closed:
            raise StoreError(f"{self._label} is closed")
        if os.getpid() != self._pid:
            raise StoreError(
                "a PostgresStore cannot be shared across processes; open one in each process"
            )
        lock = self._host_lock if self._host_connection is not None else nullcontext()
        try:
            with lock, self._source() as connection:
                if not self.borrowed:
                    yield connection
                    return
                before = connection.prepare_threshold
                connection.prepare_threshold = self.prepare_threshold
                try:
                    yield connection
                finally:
                    connection.prepare_threshold = before
        except psycopg.Error as error:
            raise StoreError(f"{self._label}: {action} failed: {error}") from error

    def _source(self) -> Any:
        if self._host_connection is not None:
            return nullcontext(self._host_connection)
        assert self._pool is not None
        return self._pool.connection()

    @contextmanager
    def _connection(self, action: str) -> Iterator[_Db]:
        with self._borrow(action) as connection:
            yield _Db(connection, self._label, self._rename)

    @contextmanager
    def _transaction(self, action: str, *, queue: bool = False) -> Iterator[_Db]:
        """One transaction; a savepoint when the host's connection has one open (psycopg's
        ``transaction()`` decides by the connection's state).

        ``queue`` plans the outbox statements of the transaction by their indexes
        (:data:`_QUEUE_PLAN`); inside the host's transaction the planner keeps its settings.
        """
        with self._unset_transaction(action, queue=queue) as (db, settings):
            if settings:
                _set_locally(db.connection, settings)
            yield db

    @contextmanager
    def _unset_transaction(
        self, action: str, *, queue: bool = False
    ) -> Iterator[tuple[_Db, list[tuple[str, str]]]]:
        """:meth:`_transaction`, with the settings for the transaction handed to the caller
        instead of set: its first statement sets them (:meth:`_Db.rows_after`)."""
        with self._connection(action) as db, db.errors(action):
            own = db.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            with db.connection.transaction():
                settings: list[tuple[str, str]] = []
                if not self.borrowed and self._idle_ms is not None:
                    # Per transaction, not per session: a pooler hands the session to others.
                    settings.append(("idle_in_transaction_session_timeout", str(self._idle_ms)))
                if queue and own:
                    settings.extend(_QUEUE_PLAN)
                yield db, settings

    @contextmanager
    def unit_of_work(self) -> Iterator[PostgresUnitOfWork]:
        """One transaction on one pooled connection; committed on a clean exit.

        Each unit of work takes its own connection, so nesting them does not share a
        transaction (and needs a free connection in the pool). On the host's connection with
        a transaction open, the unit is a savepoint in it instead: a failure undoes the
        unit's writes only (and raises), and nothing is committed until the host commits.
        """
        with self._transaction("unit of work") as db:
            yield PostgresUnitOfWork(
                db.connection,
                label=self._label,
                copy_threshold=self.copy_threshold,
                lock_scope=self.lock_scope,
                rename=self._rename,
            )

    def compact(self) -> None:
        """``VACUUM`` the library's tables: the space of deleted rows becomes reusable and
        is overwritten by later writes (the pages are not zeroed at once; see
        ``docs/privacy.md``). ``VACUUM`` cannot run inside a transaction, and deletions are
        not final before the commit: on the host's connection with a transaction open this
        does nothing but log a warning; call it again after the host's commit."""
        with self._connection("compact") as db, db.errors("compact"):
            connection = db.connection
            if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                log.warning(
                    "%s: compact skipped inside the host's transaction; call compact() again"
                    " after the commit",
                    self._label,
                )
                return
            autocommit = connection.autocommit
            connection.autocommit = True
            try:
                for table in _TABLES:
                    connection.execute(db.sql(sql.SQL("VACUUM {}").format(sql.Identifier(table))))
            finally:
                connection.autocommit = autocommit

    def close(self) -> None:
        """Close the pool and every connection in it; a host's pool or connection is left
        open (the store only stops using it)."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
        if os.getpid() == self._pid and not self.borrowed and self._pool is not None:
            self._pool.close()

    # -- dispatch side ------------------------------------------------------------------------

    def _run(self, action: str, work: Callable[[_Db], Any]) -> Any:
        if self.borrowed:  # the host's connection may be in a transaction, or not autocommit
            with self._transaction(action) as db:
                return work(db)
        with self._connection(action) as db, db.errors(action):
            return work(db)

    def claim_due(
        self, owner: str, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """See :meth:`gesprekscyclus.ports.store.Store.claim_due`."""
        at = _utc(now, "claim_due.now")
        until = at + _lease(lease_seconds)
        if limit < 1:
            return []
        claimed: list[OutboxMessage] = []
        with self._unset_transaction("claim_due", queue=True) as (db, settings):
            rows = db.rows_after(settings, _CLAIM, (owner, until, at, at, limit))
            rows.sort(key=lambda row: (row[4], row[0]))
            for row in rows:
                notification, problem = decode_notification(row[1], row[2])
                if notification is None:
                    db.execute(DEAD_ON_CLAIM, (problem, at, row[0]))
                    log_dead_on_claim(row[0], row[1], str(problem))
                else:
                    claimed.append(_message(row, notification))
        return claimed

    def renew_lease(
        self, owner: str, ids: Sequence[int], *, now: datetime, lease_seconds: float
    ) -> int:
        """See :meth:`gesprekscyclus.ports.store.Store.renew_lease`."""
        at = _utc(now, "renew_lease.now")
        until = at + _lease(lease_seconds)
        if not ids:
            return 0
        count: int = self._run(
            "renew_lease",
            lambda db: db.execute(
                "UPDATE outbox SET lease_until = %s WHERE id = ANY(%s) AND status = 'pending'"
                " AND lease_owner = %s AND lease_until > %s",
                (until, sorted(set(ids)), owner, at),
            ),
        )
        return count

    def mark_sent(self, owner: str, message_id: int, *, now: datetime) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_sent`."""
        at = _utc(now, "mark_sent.now")
        count: int = self._run(
            "mark_sent",
            lambda db: db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = %s, lease_owner = NULL,"
                " lease_until = NULL WHERE id = %s AND status = 'pending' AND lease_owner = %s"
                " AND lease_until > %s",
                (at, message_id, owner, at),
            ),
        )
        return count == 1

    def mark_sent_many(self, owner: str, ids: Sequence[int], *, now: datetime) -> set[int]:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_sent_many`."""
        at = _utc(now, "mark_sent_many.now")
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return set()
        params = (at, wanted, owner, at)
        if self.borrowed:  # the host's connection may be in a transaction, or not autocommit
            with self._unset_transaction("mark_sent_many", queue=True) as (db, settings):
                rows = db.rows_after(settings, _MARK_SENT_MANY, params)
        else:  # one statement: its own (implicit) transaction, with the settings, one trip
            with self._connection("mark_sent_many") as db, db.errors("mark_sent_many"):
                rows = db.rows_after(_QUEUE_PLAN, _MARK_SENT_MANY, params)
        return {row[0] for row in rows}

    def mark_failed(
        self,
        owner: str,
        message_id: int,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
        delivered: Iterable[str] | None = None,
    ) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_failed`."""
        targets = None if delivered is None else write_targets(check_targets(delivered))
        at = _utc(now, "mark_failed.now")
        retry = None if retry_at is None else _utc(retry_at, "mark_failed.retry_at")
        status = OutboxStatus.DEAD if retry is None else OutboxStatus.PENDING
        count: int = self._run(
            "mark_failed",
            lambda db: db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = %s, status = %s,"
                " due_at = coalesce(%s::timestamptz, %s), lease_owner = NULL,"
                " lease_until = NULL, delivered = coalesce(%s::text, delivered)"
                " WHERE id = %s AND status = 'pending' AND lease_owner = %s"
                " AND lease_until > %s",
                (error, status.value, retry, at, targets, message_id, owner, at),
            ),
        )
        return count == 1

    def mark_expired(self, owner: str, message_id: int, *, now: datetime, reason: str) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_expired`."""
        at = _utc(now, "mark_expired.now")
        count: int = self._run(
            "mark_expired",
            lambda db: db.execute(
                "UPDATE outbox SET status = 'expired', last_error = %s, lease_owner = NULL,"
                " lease_until = NULL WHERE id = %s AND status = 'pending' AND lease_owner = %s"
                " AND lease_until > %s",
                (reason, message_id, owner, at),
            ),
        )
        return count == 1

    def release(self, owner: str, ids: Sequence[int]) -> int:
        """See :meth:`gesprekscyclus.ports.store.Store.release`."""
        if not ids:
            return 0
        count: int = self._run(
            "release",
            lambda db: db.execute(
                "UPDATE outbox SET lease_owner = NULL, lease_until = NULL"
                " WHERE id = ANY(%s) AND status = 'pending' AND lease_owner = %s",
                (sorted(set(ids)), owner),
            ),
        )
        return count

    def dead_letters(self) -> list[OutboxMessage]:
        """See :meth:`gesprekscyclus.ports.store.Store.dead_letters`."""
        rows: list[Row] = self._run(
            "dead_letters",
            lambda db: db.rows(
                "SELECT " + _MESSAGE_COLUMNS + " FROM outbox WHERE status = 'dead' ORDER BY id"  # noqa: S608
            ),
        )
        return [_message(row) for row in rows]

    def replay(self, message_id: int, *, now: datetime) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.replay`."""
        at = _utc(now, "replay.now")
        with self._transaction("replay") as db:
            count = db.execute(
                "UPDATE outbox SET status = 'pending', due_at = %s, attempts = 0,"
                " lease_owner = NULL, lease_until = NULL WHERE id = %s AND status = 'dead'",
                (at, message_id),
            )
            if count == 0 and db.one("SELECT 1 FROM outbox WHERE id = %s", (message_id,)) is None:
                raise NotFoundError("outbox message", message_id)
        return count == 1

    def outbox_message(self, message_id: int) -> OutboxMessage:
        """See :meth:`gesprekscyclus.ports.store.Store.outbox_message`."""
        row: Row | None = self._run(
            "outbox_message",
            lambda db: db.one(
                "SELECT " + _MESSAGE_COLUMNS + " FROM outbox WHERE id = %s",  # noqa: S608
                (message_id,),
            ),
        )
        if row is None:
            raise NotFoundError("outbox message", message_id)
        return _message(row)

    def outbox_stats(self) -> OutboxStats:
        """See :meth:`gesprekscyclus.ports.store.Store.outbox_stats`."""
        rows: list[Row] = self._run(
            "outbox_stats",
            lambda db: db.rows(
                "SELECT status, count(*), count(lease_owner) FROM outbox GROUP BY status"
            ),
        )
        counts = {OutboxStatus(status): (total, leased) for status, total, leased in rows}
        pending, leased = counts.get(OutboxStatus.PENDING, (0, 0))
        return OutboxStats(
            pending=pending,
            leased=leased,
            sent=counts.get(OutboxStatus.SENT, (0, 0))[0],
            dead=counts.get(OutboxStatus.DEAD, (0, 0))[0],
            expired=counts.get(OutboxStatus.EXPIRED, (0, 0))[0],
        )


def open_postgres_store(
    dsn: str | None = None,
    *,
    pool: ConnectionPool[Any] | None = None,
    connection: Connection | None = None,
    schema: str | None = None,
    prepare_threshold: int | None = None,
    pool_size: int = 4,
    connect_timeout: float = 10.0,
    pool_timeout: float = 30.0,
    idle_in_transaction_timeout: float | None = 60.0,
    copy_threshold: int = DEFAULT_COPY_THRESHOLD,
) -> PostgresStore:
    """Connect to PostgreSQL at ``dsn`` and bring the schema up to date.

    ``schema`` keeps the tables in their own schema (created when missing); every statement
    names its tables with it, so no ``search_path`` is set or needed. ``pool_size`` is the
    most connections the store opens; ``connect_timeout`` how long opening may wait for the
    server, ``pool_timeout`` how long a unit of work waits for a free connection;
    ``idle_in_transaction_timeout`` (seconds) makes the server end a session whose
    transaction sits idle that long (set per transaction, one statement more each; ``None``
    leaves it to the server's or the pooler's setting). Bulk inserts of
    ``copy_threshold`` rows or more use ``COPY``. Connections are named ``gesprekscyclus`` in
    ``pg_stat_activity`` unless the DSN names them (``?application_name=worker-1``).
    ``prepare_threshold`` is psycopg's: after how many runs a statement is prepared on the
    server; ``None`` (the default) never prepares, which a transaction-mode pooler such as
    pgbouncer needs; a direct connection may set a number.

    Instead of ``dsn``, give the host application's ``pool`` (a
    ``psycopg_pool.ConnectionPool``) or ``connection`` (a ``psycopg.Connection``): the store
    borrows it, applies its own ``prepare_threshold`` while it uses a connection, sets
    nothing else on it, and never closes it. A unit of work on a connection with a
    transaction open runs as a savepoint inside it, and the host commits (see
    ``docs/host-database.md``).

    It needs a running server, so the example is a plain code block rather than a doctest::

        store = open_postgres_store("postgresql://app@db.example.org/hr", schema="cycle")
        with store.unit_of_work() as uow:
            uow.people.upsert(anna)
        store.close()
    """
    return PostgresStore(
        dsn,
        pool=pool,
        connection=connection,
        schema=schema,
        prepare_threshold=prepare_threshold,
        pool_size=pool_size,
        connect_timeout=connect_timeout,
        pool_timeout=pool_timeout,
        idle_in_transaction_timeout=idle_in_transaction_timeout,
        copy_threshold=copy_threshold,
    )
