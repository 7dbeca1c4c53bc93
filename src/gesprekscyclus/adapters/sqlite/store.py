"""The SQLite store: the embedded default, on the standard library's ``sqlite3``.

Concurrency model:

- The file runs in WAL mode with ``synchronous=NORMAL`` and a ``busy_timeout``: readers never
  block the writer, and writers wait for each other instead of failing at once. A writer that
  still finds the write lock taken after ``busy_timeout`` raises :class:`StoreError` saying so.
- That wait happens inside SQLite, where no signal handler runs. Once a stop is installed
  (:meth:`SQLiteStore.stop_waiting_when`; the worker loop does it with its stop signal), a
  transaction waits for the write lock in turns of at most 0.2 s, still up to
  ``busy_timeout`` in total, and between turns asks the stop: when it is true, the wait ends
  with :class:`~gesprekscyclus.errors.StoppedError` before anything was done. Only
  ``BEGIN IMMEDIATE`` is tried again, as nothing has happened before it. Recording an
  outbox outcome (sent, failed, expired) is not cut short: it waits the whole timeout, so a
  delivery made is recorded and not repeated. A host's connection waits as the host set it.
- Before it sets the journal mode or writes anything, opening a file checks that it is new,
  empty or a store this release knows: another application's database (without a
  ``table_prefix``), a store migrated by a later release and a file that is not SQLite at all
  are refused with :class:`StoreError` and left byte for byte as they were.
- Every unit of work and every outbox call is one explicit transaction started with
  ``BEGIN IMMEDIATE`` (the connection is in autocommit mode, ``isolation_level=None``), so
  the write lock is taken up front and two writers can never deadlock on a lock upgrade.
  Claims are therefore exactly-once across processes, and so is planning: a unit of work
  holds the write lock from its first statement, so :meth:`SQLiteUnitOfWork.lock` has nothing
  to add (the lock ends with the transaction, also when its process dies).
- A payload that no longer decodes is made a dead letter by the claim that meets it.
- A :class:`SQLiteStore` opens one connection per thread that uses it. Several worker
  processes on one host may share the file, each opening its own store; a store object must
  not be carried across ``fork`` (it notices and raises :class:`StoreError`). Beyond one host,
  use a server database.
- Driver errors become :class:`~gesprekscyclus.errors.StoreError` with the ``sqlite3`` error
  chained; only parameterised statements are used.
- On the host application's own connection (``connection=``) the store uses that one
  connection for every thread, one transaction at a time, and leaves its settings alone but
  ``secure_delete``; a unit of work on it while the host has a transaction open is a
  ``SAVEPOINT`` in that transaction, and the host commits. ``table_prefix`` puts every table
  and index of the store behind a prefix (statements are rewritten once, see
  ``_sql.names``), so the store can share a file with the host's tables.
- Every connection runs with ``secure_delete`` on, so deleted content is overwritten rather
  than left in free pages; :meth:`SQLiteStore.compact` also empties the write-ahead log and
  rebuilds the file, which erasure and purging do afterwards.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, date, datetime, timedelta
from itertools import chain, islice
from math import ceil
from pathlib import Path
from typing import Any, ClassVar

from gesprekscyclus.adapters._sql import check_known, tables
from gesprekscyclus.adapters._sql.names import Renamer, created_names
from gesprekscyclus.adapters._sql.outbox import (
    DEAD_ON_CLAIM,
    NEXT_SEQUENCE,
    decode_notification,
    log_dead_on_claim,
    read_targets,
    write_targets,
)
from gesprekscyclus.adapters._sql.rows import CONVERSATION_COLUMNS, Encoding, Row
from gesprekscyclus.adapters._sql.text import findable
from gesprekscyclus.adapters._sql.withdraw import LIKE_ESCAPE, like_pattern, selected_ids
from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.new_conversations import NewConversation
from gesprekscyclus.domain.pseudonyms import mentions
from gesprekscyclus.errors import (
    ConflictError,
    GesprekscyclusError,
    InvalidValueError,
    NotFoundError,
    StoppedError,
    StoreError,
    StoreRefusedError,
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

from .schema import MIGRATIONS, migrate

__all__ = ["NamedConnection", "SQLiteStore", "SQLiteUnitOfWork", "open_sqlite_store"]

log: logging.Logger = logging.getLogger(__name__)

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
        raise InvalidValueError("lease_seconds", f"must be above 0, got {shown(lease_seconds)}")
    return round(lease_seconds * 1_000_000)


#: The outbox columns :func:`_message` reads, in order (a constant, never user input).
_MESSAGE_COLUMNS = (
    "id, key, payload, attempts, due_at, status, last_error, lease_owner, lease_until, delivered"
)

_CLAIM = (
    "UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN ("  # noqa: S608
    " SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ?"
    " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?"
    f") RETURNING {_MESSAGE_COLUMNS}"
)


def _message(row: Sequence[Any], notification: Notification | None = None) -> OutboxMessage:
    if notification is None:
        notification = decode_notification(row[1], row[2])[0]
    return OutboxMessage(
        id=row[0],
        key=row[1],
        notification=notification,
        attempts=row[3],
        due_at=from_micros(row[4]),
        status=row[5],
        last_error=row[6],
        lease_owner=row[7],
        lease_until=None if row[8] is None else from_micros(row[8]),
        delivered=read_targets(row[9]),
    )


class NamedConnection:
    """A ``sqlite3`` connection whose statements name the tables as the store keeps them
    (behind its table prefix); anything else is the connection's own."""

    def __init__(self, connection: sqlite3.Connection, rename: Renamer):
        self.raw = connection
        self._rename = rename

    def execute(self, query: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """``sqlite3.Connection.execute`` with the tables renamed."""
        return self.raw.execute(self._rename(query), params)

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        """``sqlite3.Connection.executemany`` with the tables renamed."""
        return self.raw.executemany(self._rename(query), rows)

    @property
    def total_changes(self) -> int:
        """Rows changed since the connection opened."""
        return self.raw.total_changes

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on the connection."""
        return self.raw.in_transaction


class _Db:
    """The connection as the shared tables use it (their ``%s`` marks become ``?``)."""

    def __init__(self, connection: NamedConnection):
        self.connection = connection

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        if not findable(params):
            return []
        return self.connection.execute(query.replace("%s", "?"), params).fetchall()

    def stream(self, query: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        if findable(params):
            yield from self.connection.execute(query.replace("%s", "?"), params)

    def one(self, query: str, params: Sequence[Any] = ()) -> Any:
        if not findable(params):
            return None
        return self.connection.execute(query.replace("%s", "?"), params).fetchone()

    def execute(self, query: str, params: Sequence[Any] = ()) -> int:
        return self.connection.execute(query.replace("%s", "?"), params).rowcount

    def rows_by_ids(self, select: str, ids: Iterable[str]) -> list[Any]:
        # Sorted ids in consecutive chunks, each read in id order: the whole is in id order.
        wanted = sorted(set(ids))
        wanted = [wanted_id for wanted_id in wanted if findable((wanted_id,))]
        rows: list[Any] = []
        for start in range(0, len(wanted), _IDS_PER_QUERY):
            chunk = wanted[start : start + _IDS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            query = f"{select} WHERE id IN ({marks}) ORDER BY id"
            rows.extend(self.connection.execute(query, chunk).fetchall())
        return rows


#: Ids per ``IN (...)`` list, well below SQLite's limit on parameters.
_IDS_PER_QUERY = 500


def _instant(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


_ENCODING = Encoding(
    day=date.isoformat,
    read_day=date.fromisoformat,
    instant=to_micros,
    read_instant=_instant,
    flag=int,
)

_INSERT_CONVERSATION = (
    f"INSERT INTO conversations ({', '.join(CONVERSATION_COLUMNS)})"  # noqa: S608
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

#: The column values of a conversation, in ``CONVERSATION_COLUMNS`` order.
conversation_row: Callable[[Conversation], Row] = _ENCODING.conversation_row


#: The inverse of ``conversation_row`` through every validator, for rows of unknown origin
#: (the store reads its own rows with the faster ``ConversationReader``).
conversation_from_row: Callable[[Sequence[Any]], Conversation] = _ENCODING.conversation_from_row


#: How many new conversations make a bulk insert: into an empty table, their secondary
#: indexes are then built after the rows (see :func:`_indexed_afterwards`).
_BULK_ROWS = 10_000


@contextmanager
def _indexed_afterwards(db: NamedConnection) -> Iterator[None]:
    """Inside the block, an empty ``conversations`` table has no secondary indexes; on
    leaving it (also when the block raises) they are made again, as they were defined.

    Building an index over rows already in place sorts them once, which is faster than
    inserting every row into every index. The unique index of the ids stays (conflicts
    are found as before); everything happens in the open transaction, so a rollback
    restores the indexes too. A table that holds rows is left as it is.
    """
    if db.execute("SELECT 1 FROM conversations LIMIT 1").fetchone() is not None:
        yield
        return
    listed = db.execute("PRAGMA index_list(conversations)").fetchall()
    names = [name for _, name, unique, origin, _ in listed if origin == "c" and not unique]
    definitions = [
        db.raw.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        for name in names
    ]
    for name in names:
        db.raw.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for definition in definitions:
            db.raw.execute(definition)


class _Conversations(tables.Conversations):
    def __init__(self, db: _Db):
        super().__init__(db, _ENCODING)
        self._db = db.connection

    def add_many(
        self, conversations: Iterable[Conversation], *, skip_existing: bool = False
    ) -> int:
        db = self._db
        before = db.total_changes
        statement = _INSERT_CONVERSATION + (" ON CONFLICT DO NOTHING" if skip_existing else "")
        try:
            db.executemany(statement, map(conversation_row, conversations))
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"conversation exists already: {error}") from error
        return db.total_changes - before

    def add_planned(self, new: Iterable[NewConversation], *, skip_existing: bool = False) -> int:
        db = self._db
        before = db.total_changes
        statement = _INSERT_CONVERSATION + (" ON CONFLICT DO NOTHING" if skip_existing else "")
        rows = _ENCODING.new_conversation_rows(new)
        first = list(islice(rows, _BULK_ROWS))
        indexed = nullcontext() if len(first) < _BULK_ROWS else _indexed_afterwards(db)
        try:
            with indexed:
                db.executemany(statement, chain(first, rows))
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"conversation exists already: {error}") from error
        return db.total_changes - before

    def by_status(self, statuses: Iterable[ConversationStatus | str]) -> list[Conversation]:
        found: list[Conversation] = []
        for status in sorted({ConversationStatus(status) for status in statuses}):
            # A literal (from the closed set) so that the partial indexes apply.
            found.extend(self._select(f"WHERE status = '{status.value}'"))
        found.sort(key=lambda c: (c.window.target, c.id))
        return found


_INSERT_ITEM = (
    "INSERT INTO action_items (employee_id, manager_id, owner_id, status, due, version, data, id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_ITEM_SKIPPING = _INSERT_ITEM + " ON CONFLICT DO NOTHING"


class _ActionItems(tables.ActionItems):
    SAME_MANAGER: ClassVar[str] = "manager_id IS %s"

    def __init__(self, db: _Db):
        super().__init__(db, _ENCODING)
        self._db = db.connection

    def add_many(self, items: Iterable[ActionItem], *, skip_existing: bool = False) -> int:
        db = self._db
        before = db.total_changes
        statement = _INSERT_ITEM_SKIPPING if skip_existing else _INSERT_ITEM
        try:
            db.executemany(statement, map(_ENCODING.action_item_row, items))
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"action item exists already: {error}") from error
        return db.total_changes - before


class _Outbox:
    def __init__(self, connection: NamedConnection):
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
        if not findable((key,)):
            return None
        row = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE key = ?",  # noqa: S608
            (key,),
        ).fetchone()
        return None if row is None else _message(row)

    def withdraw(self, about: Withdrawal) -> int:
        rows = self._db.execute(
            "SELECT id, payload FROM outbox WHERE status = 'pending' AND payload LIKE ? ESCAPE ?",
            (like_pattern(about), LIKE_ESCAPE),
        ).fetchall()
        ids = selected_ids(rows, about)
        self._db.executemany(
            "UPDATE outbox SET status = 'expired', last_error = ?, lease_owner = NULL,"
            " lease_until = NULL WHERE id = ? AND status = 'pending'",
            ((about.reason, message_id) for message_id in ids),
        )
        return len(ids)

    def mentioning(self, needles: Iterable[str]) -> list[OutboxMessage]:
        wanted = sorted(set(needles))
        found: dict[int, OutboxMessage] = {}
        for needle in wanted:
            rows = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE payload "  # noqa: S608
                + tables.MENTIONS.replace("%s", "?"),
                (tables.like_mention(needle),),
            ).fetchall()
            for row in rows:
                message = _message(row)
                # An undecodable payload that the pattern finds is kept as a candidate: it
                # cannot be read to be sure, and erasure must not leave it behind.
                if message.notification is None or mentions(message.notification, needle):
                    found[message.id] = message
        return [found[key] for key in sorted(found)]

    def delete(self, message_ids: Iterable[int]) -> int:
        before = self._db.total_changes
        self._db.executemany(
            "DELETE FROM outbox WHERE id = ?", ((key,) for key in sorted(set(message_ids)))
        )
        return self._db.total_changes - before

    def rewrite(self, message_id: int, notification: Notification) -> bool:
        count = self._db.execute(
            "UPDATE outbox SET payload = ? WHERE id = ?", (dumps(notification), message_id)
        ).rowcount
        return count == 1

    def redact_sent_before(self, instant: datetime) -> int:
        limit = to_micros(instant, "redact_sent_before.instant")
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM outbox WHERE status = 'sent'"  # noqa: S608
            " AND redacted = 0 AND coalesce(sent_at, due_at) < ?",
            (limit,),
        ).fetchall()
        self._db.executemany(
            "UPDATE outbox SET payload = ?, redacted = 1 WHERE id = ?",
            (
                (dumps(redacted(notification)), row[0])
                for row in rows
                if (notification := _message(row).notification) is not None
            ),
        )
        return len(rows)

    def delete_dead_before(self, instant: datetime) -> int:
        limit = to_micros(instant, "delete_dead_before.instant")
        return self._db.execute(
            "DELETE FROM outbox WHERE status = 'dead' AND due_at < ?", (limit,)
        ).rowcount

    def next_sequence(self, stream: str) -> int:
        row = self._db.execute(NEXT_SEQUENCE.replace("%s", "?"), (check_stream(stream),)).fetchone()
        return int(row[0])

    def forget_sequences(self, streams: Iterable[str]) -> int:
        before = self._db.total_changes
        self._db.executemany(
            "DELETE FROM event_sequences WHERE stream = ?", ((s,) for s in sorted(set(streams)))
        )
        return self._db.total_changes - before


class SQLiteUnitOfWork:
    """The repositories of one SQLite transaction."""

    def __init__(self, connection: NamedConnection):
        db = _Db(connection)
        self.connection = connection
        self.people: tables.People = tables.People(db, _ENCODING)
        self.events: tables.Events = tables.Events(db, _ENCODING)
        self.conversations: _Conversations = _Conversations(db)
        self.reports: tables.Reports = tables.Reports(db, _ENCODING)
        self.designs: tables.Designs = tables.Designs(db, _ENCODING)
        self.action_items: _ActionItems = _ActionItems(db)
        self.absence_records: tables.AbsenceRecords = tables.AbsenceRecords(db, _ENCODING)
        self.outbox: _Outbox = _Outbox(connection)
        self.access_log: tables.AccessLog = tables.AccessLog(db, _ENCODING)
        self.voice_answers: tables.VoiceAnswers = tables.VoiceAnswers(db, _ENCODING)

    def lock(self, name: str) -> None:
        """Nothing to take: this unit of work holds the file's write lock already."""
        check_lock_name(name)


#: With a stop installed, the longest wait for the write lock inside SQLite (milliseconds):
#: between two such waits the store asks the stop, and a signal handler gets to run.
_BUSY_TURN_MS = 200


def _busy(error: sqlite3.Error) -> bool:
    """Whether ``error`` is SQLite's ``SQLITE_BUSY`` (any of its extended codes)."""
    return (error.sqlite_errorcode & 0xFF) == sqlite3.SQLITE_BUSY


#: The tables and indexes the migrations create: what a table prefix applies to.
TABLE_NAMES = created_names(MIGRATIONS, indexes=True)


def _listed(names: Sequence[str], most: int = 5) -> str:
    """Up to ``most`` of ``names``, and how many more.

    >>> _listed(["a", "b", "c"], most=2)
    'a, b and 1 more'
    """
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


_SAVEPOINT = "gesprekscyclus_unit"


class SQLiteStore:
    """A :class:`~gesprekscyclus.ports.store.Store` in one SQLite file, or on the host
    application's own ``sqlite3`` connection.

    Use :func:`open_sqlite_store` to create one; see the module docstring for concurrency and
    ``docs/host-database.md`` for sharing the host's connection and transaction.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        connection: sqlite3.Connection | None = None,
        table_prefix: str = "",
        busy_timeout: float = 30.0,
        cache_mib: int = 64,
        create: bool = True,
    ):
        if (path is None) == (connection is None):
            raise InvalidValueError("path", "give a file path or a connection: exactly one of them")
        if connection is not None and not isinstance(connection, sqlite3.Connection):
            raise InvalidValueError(
                "connection", f"expected a sqlite3.Connection, got {type(connection).__name__}"
            )
        self._rename = Renamer.prefixed(table_prefix, TABLE_NAMES)
        #: The prefix of every table and index name (``""``: none).
        self.table_prefix = table_prefix
        self._host = connection
        if connection is not None:
            path = next(
                (row[2] for row in connection.execute("PRAGMA database_list") if row[1] == "main"),
                "",
            )
        self._path = str(path)
        self._busy_ms = round(busy_timeout * 1000)
        self._stop: Callable[[], bool] | None = None
        self._cache_kib = cache_mib * 1024
        self._pid = os.getpid()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        # One host connection serves every thread: one transaction at a time on it.
        self._host_lock = threading.RLock()
        self._closed = False
        self._create = create
        # Whether the file has been checked to be new, empty or a store this release knows;
        # until then nothing persistent (the journal mode, a table) is set on it.
        self._checked = connection is not None
        try:
            with self._driver_errors("open"), self._exclusive():
                named = self._connection()
                self.schema_version: int = migrate(named, nested=named.in_transaction)
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> str:
        """The database file (``""`` for the host's in-memory database)."""
        return self._path

    @contextmanager
    def _driver_errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(f"sqlite store {self._path!r}: {action} failed: {error}") from error

    def stop_waiting_when(self, stop: Callable[[], bool] | None) -> None:
        """See :meth:`gesprekscyclus.ports.store.StoppableWaits.stop_waiting_when`.

        With ``stop`` given, a transaction on the store's own connections waits for the write
        lock in turns of at most 0.2 s (``PRAGMA busy_timeout`` for the
        ``BEGIN IMMEDIATE`` only), up to ``busy_timeout`` in total, and asks ``stop()`` after
        each turn that found the lock taken. The stop applies to every thread using this
        store; on a host's connection nothing changes.
        """
        self._stop = stop

    def _exclusive(self) -> threading.RLock | nullcontext[None]:
        return self._host_lock if self._host is not None else nullcontext()

    def _connection(self) -> NamedConnection:
        if self._closed:
            raise StoreError(f"sqlite store {self._path!r} is closed")
        if os.getpid() != self._pid:
            raise StoreError(
                "a SQLiteStore cannot be shared across processes; open one in each process"
            )
        named: NamedConnection | None = getattr(self._local, "connection", None)
        if named is not None:
            return named
        if self._host is not None:
            with self._driver_errors("configure the connection"):
                # Deleted personal data is overwritten, not only unlinked (erasure).
                self._host.execute("PRAGMA secure_delete = ON")
            named = NamedConnection(self._host, self._rename)
            self._local.connection = named
            return named
        with self._driver_errors("connect"):
            try:
                target, uri = self._target()
                connection = sqlite3.connect(
                    target,
                    timeout=self._busy_ms / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                    uri=uri,
                )
            except ValueError as error:  # a NUL in the path, or one it cannot encode
                reason = (
                    "the path has characters that cannot be encoded"
                    if isinstance(error, UnicodeError)
                    else "the path contains a NUL character"
                )
                raise StoreError(
                    f"sqlite store {self._path!r}: connect failed: {reason}"
                ) from error
            try:
                connection.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
                if not self._checked:
                    self._check_file(connection)
                    self._checked = True
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
                connection.execute("PRAGMA foreign_keys = ON")
                # Deleted content is overwritten, not only unlinked (erasure, retention).
                connection.execute("PRAGMA secure_delete = ON")
                connection.execute(f"PRAGMA cache_size = {-int(self._cache_kib)}")
            except BaseException:
                connection.close()  # e.g. not a database: leave no open handle behind
                raise
        named = NamedConnection(connection, self._rename)
        self._local.connection = named
        with self._guard:
            self._connections.append(connection)
        return named

    def _target(self) -> tuple[str, bool]:
        """What to give ``sqlite3.connect``: the path, or without ``create`` a URI that
        opens the file only if it exists."""
        if self._create:
            return self._path, False
        if "\0" in self._path:
            raise ValueError("embedded null character")
        if not os.path.exists(self._path):
            raise StoreRefusedError(
                f"sqlite store {self._path!r}: the file does not exist, and nothing was"
                " created: this opens an existing store only"
            )
        return Path(self._path).absolute().as_uri() + "?mode=rw", True

    def _check_file(self, connection: sqlite3.Connection) -> None:
        """Refuse a file that is not a new or empty database, nor a store this release
        knows, before anything is set or written on it: such a file stays as it was.

        Without a table prefix the file must hold nothing but the store's tables; with one,
        the host's tables may be there too, but none named like the store's without its
        ``schema_version``.
        """
        where = f"sqlite store {self._path!r}"
        try:
            present = {
                str(row[0])
                for row in connection.execute("SELECT name FROM sqlite_master")
                if not str(row[0]).startswith("sqlite_")
            }
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorcode", None) != sqlite3.SQLITE_NOTADB:
                raise
            raise StoreRefusedError(
                f"{where}: refused: the file is not a SQLite database ({error});"
                " it was left as it was"
            ) from error
        prefix = self.table_prefix
        if prefix + "schema_version" in present:
            query = self._rename("SELECT version FROM schema_version")
            applied = {int(row[0]) for row in connection.execute(query)}
            try:
                check_known(MIGRATIONS, applied)
            except StoreRefusedError as error:
                raise StoreRefusedError(
                    f"{where}: refused: {error}; it was left as it was"
                ) from None
            return
        if prefix:
            foreign = sorted(present & {prefix + name for name in TABLE_NAMES})
            why = (
                f"has tables named like the store's ({_listed(foreign)})"
                f" but no {prefix}schema_version"
            )
        else:
            foreign = sorted(present)
            why = (
                f"holds another application's tables ({_listed(foreign)}) and no schema_version;"
                " to keep the store beside them in this file, give a table_prefix"
            )
        if foreign:
            raise StoreRefusedError(
                f"{where}: refused: the file is not a gesprekscyclus store: it {why};"
                " it was left as it was"
            )

    def _begin_failed(self, action: str, error: sqlite3.Error) -> StoreError:
        reason = f"{error}"
        if _busy(error) and self._host is None:
            reason += (
                f"; another writer held the write lock longer than the busy timeout"
                f" ({self._busy_ms / 1000:g} s)"
            )
        return StoreError(f"sqlite store {self._path!r}: {action} (begin) failed: {reason}")

    def _begin(self, raw: sqlite3.Connection, begin: str, action: str, stoppable: bool) -> None:
        """Run ``begin``; with a stop installed and ``stoppable``, wait for the write lock in
        turns and end the wait with :class:`StoppedError` when the stop is true."""
        stop = self._stop if stoppable and self._host is None else None
        if stop is None or begin != "BEGIN IMMEDIATE":
            try:
                raw.execute(begin)
            except sqlite3.Error as error:
                raise self._begin_failed(action, error) from error
            return
        deadline = time.monotonic() + self._busy_ms / 1000
        full = f"PRAGMA busy_timeout = {int(self._busy_ms)}"
        try:
            while True:
                left = ceil((deadline - time.monotonic()) * 1000)
                raw.execute(f"PRAGMA busy_timeout = {max(0, min(_BUSY_TURN_MS, left))}")
                try:
                    raw.execute(begin)  # fails as a whole when busy: nothing to undo
                    break
                except sqlite3.OperationalError as error:
                    if not _busy(error) or time.monotonic() >= deadline:
                        raise self._begin_failed(action, error) from error
                    raw.execute(full)  # ``stop`` may read through this connection
                    if stop():
                        raise StoppedError(
                            f"sqlite store {self._path!r}: {action} stopped waiting for the"
                            " write lock: the process is stopping"
                        ) from error
        except sqlite3.Error as error:
            raise self._begin_failed(action, error) from error
        finally:
            try:
                raw.execute(full)
            except sqlite3.Error as error:
                if raw.in_transaction:
                    with suppress(sqlite3.Error):
                        raw.execute("ROLLBACK")
                raise self._begin_failed(action, error) from error

    @contextmanager
    def _transaction(self, action: str, *, stoppable: bool = True) -> Iterator[NamedConnection]:
        """One transaction for ``action``; ``stoppable`` when ending its wait for the write
        lock early loses nothing (see the module docstring)."""
        with self._exclusive():
            connection = self._connection()
            # Inside the host's transaction a unit is a savepoint: the host commits. (On the
            # store's own connections units do not nest: BEGIN refuses.)
            nested = self._host is not None and connection.in_transaction
            begin, commit, undo = (
                (f"SAVEPOINT {_SAVEPOINT}", f"RELEASE {_SAVEPOINT}", f"ROLLBACK TO {_SAVEPOINT}")
                if nested
                else ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
            )
            self._begin(connection.raw, begin, action, stoppable)
            try:
                yield connection
            except BaseException as error:
                with suppress(sqlite3.Error):
                    connection.raw.execute(undo)
                    if nested:
                        connection.raw.execute(commit)
                if isinstance(error, sqlite3.Error) and not isinstance(error, GesprekscyclusError):
                    raise StoreError(
                        f"sqlite store {self._path!r}: {action} failed: {error}"
                    ) from error
                raise
            with self._driver_errors(f"{action} (commit)"):
                connection.raw.execute(commit)

    @contextmanager
    def unit_of_work(self) -> Iterator[SQLiteUnitOfWork]:
        """One ``BEGIN IMMEDIATE`` transaction; committed on a clean exit.

        On a host connection that has a transaction open, the unit is a savepoint in it
        instead: a failure undoes the unit's writes only, and nothing is committed until the
        host commits. Units of work do not nest within one thread on a file of the store's
        own.
        """
        with self._transaction("unit of work") as connection:
            yield SQLiteUnitOfWork(connection)

    def compact(self) -> None:
        """Make deleted content unrecoverable from the ``.sqlite``, ``-wal`` and ``-shm``
        files: checkpoint the write-ahead log into the database, rebuild the file with
        ``VACUUM`` (deletes already overwrite freed content: ``secure_delete`` is on), and
        checkpoint again with ``TRUNCATE`` so the log is empty.

        Needs a moment without other readers; raises :class:`StoreError` when another
        connection kept the log from being emptied. On a host connection this rebuilds the
        host's whole file; with a transaction open there (``VACUUM`` cannot run inside one,
        and deletions are not final before the commit) it does nothing but log a warning:
        call it again after the host's commit.
        """
        with self._exclusive():
            connection = self._connection().raw
            if connection.in_transaction:
                log.warning(
                    "sqlite store %r: compact skipped inside the host's transaction; call"
                    " compact() again after the commit",
                    self._path,
                )
                return
            with self._driver_errors("compact"):
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                connection.execute("VACUUM")
                row = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if row[0]:
            raise StoreError(
                f"sqlite store {self._path!r}: compact could not empty the write-ahead log"
                " while another connection was using the file; run it again when it is idle"
            )

    def close(self) -> None:
        """Close every connection this store opened (a host's connection stays open)."""
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
        claimed: list[OutboxMessage] = []
        with self._transaction("claim_due") as db:
            rows = db.execute(_CLAIM, (owner, until, at, at, limit)).fetchall()
            rows.sort(key=lambda row: (row[4], row[0]))
            for row in rows:
                notification, problem = decode_notification(row[1], row[2])
                if notification is None:
                    db.execute(DEAD_ON_CLAIM.replace("%s", "?"), (problem, at, row[0]))
                    log_dead_on_claim(row[0], row[1], str(problem))
                else:
                    claimed.append(_message(row, notification))
        return claimed

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
        with self._transaction("mark_sent", stoppable=False) as db:
            count = db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ? AND status = 'pending' AND lease_owner = ?"
                " AND lease_until > ?",
                (at, message_id, owner, at),
            ).rowcount
        return count == 1

    def mark_sent_many(self, owner: str, ids: Sequence[int], *, now: datetime) -> set[int]:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_sent_many`."""
        at = to_micros(now, "mark_sent_many.now")
        wanted = sorted({int(i) for i in ids})
        marked: set[int] = set()
        if not wanted:
            return marked
        with self._transaction("mark_sent_many", stoppable=False) as db:
            for begin in range(0, len(wanted), _IDS_PER_QUERY):
                part = wanted[begin : begin + _IDS_PER_QUERY]
                marked.update(
                    row[0]
                    for row in db.execute(
                        "UPDATE outbox SET status = 'sent', sent_at = ?, lease_owner = NULL,"  # noqa: S608
                        f" lease_until = NULL WHERE id IN ({', '.join('?' * len(part))})"
                        " AND status = 'pending' AND lease_owner = ? AND lease_until > ?"
                        " RETURNING id",
                        (at, *part, owner, at),
                    )
                )
        return marked

    def mark_expired(self, owner: str, message_id: int, *, now: datetime, reason: str) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_expired`."""
        at = to_micros(now, "mark_expired.now")
        with self._transaction("mark_expired", stoppable=False) as db:
            count = db.execute(
                "UPDATE outbox SET status = 'expired', last_error = ?, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ? AND status = 'pending' AND lease_owner = ?"
                " AND lease_until > ?",
                (reason, message_id, owner, at),
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
        delivered: Iterable[str] | None = None,
    ) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_failed`."""
        targets = None if delivered is None else write_targets(check_targets(delivered))
        at = to_micros(now, "mark_failed.now")
        retry = None if retry_at is None else to_micros(retry_at, "mark_failed.retry_at")
        with self._transaction("mark_failed", stoppable=False) as db:
            count = db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                " status = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END,"
                " due_at = coalesce(?, ?), lease_owner = NULL, lease_until = NULL,"
                " delivered = coalesce(?, delivered)"
                " WHERE id = ? AND status = 'pending' AND lease_owner = ? AND lease_until > ?",
                (error, retry, retry, at, targets, message_id, owner, at),
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
        with self._driver_errors("outbox_message"), self._exclusive():
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
        with self._driver_errors("outbox_stats"), self._exclusive():
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
            expired=counts.get(OutboxStatus.EXPIRED, (0, 0))[0],
        )


def open_sqlite_store(
    path: str | Path | None = None,
    *,
    connection: sqlite3.Connection | None = None,
    table_prefix: str = "",
    busy_timeout: float = 30.0,
    cache_mib: int = 64,
    create: bool = True,
) -> SQLiteStore:
    """Open (creating if needed) a SQLite store at ``path`` and bring its schema up to date.

    The file must be new, empty (zero bytes) or a store; anything else is refused with
    :class:`StoreError` before the store sets anything on it (see the module docstring). With
    ``create=False`` a missing file is refused too, and nothing is created: for what only
    reads a store that must be there. (An existing store is still migrated forward.)

    ``busy_timeout`` is how many seconds in total a writer waits for another one (a wait that
    a stop may end early, see :meth:`SQLiteStore.stop_waiting_when`); ``cache_mib`` the
    page cache per connection. ``connection`` uses the host application's own connection
    instead of a file path (the store then leaves its settings alone, except that it turns
    ``secure_delete`` on, and never closes it); ``table_prefix`` puts every table and index
    of the store behind a prefix, so that it can share a database with the host's tables.

    >>> import os, tempfile
    >>> from gesprekscyclus.adapters.sqlite.schema import MIGRATIONS
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = open_sqlite_store(os.path.join(folder, "cycle.db"))
    ...     print(store.schema_version == MIGRATIONS[-1][0], store.outbox_stats())
    ...     store.close()
    True OutboxStats(pending=0, leased=0, sent=0, dead=0, expired=0)
    """
    return SQLiteStore(
        path,
        connection=connection,
        table_prefix=table_prefix,
        busy_timeout=busy_timeout,
        cache_mib=cache_mib,
        create=create,
    )
