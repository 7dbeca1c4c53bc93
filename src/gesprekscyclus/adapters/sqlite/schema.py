"""The SQLite schema as numbered forward migrations.

Opening a store applies every migration above the recorded ``schema_version`` in one
``BEGIN IMMEDIATE`` transaction, so several processes opening the same file at once agree,
and a failure leaves the file as it was. Migrations are never edited once released: a change
is a new entry at the end of :data:`MIGRATIONS`.

Times the store compares (``due_at``, ``lease_until``) are integer microseconds since the Unix
epoch in UTC; dates are ISO 8601 text, which sorts like the dates themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from gesprekscyclus.adapters._sql import Step, apply_migrations
from gesprekscyclus.adapters._sql.follow_up_ids import shorten_follow_up_ids

__all__ = ["CONVERSATION_INDEXES", "MIGRATIONS", "current_version", "migrate"]

#: (version, statements) pairs, applied in order.
MIGRATIONS: tuple[tuple[int, tuple[str | Step, ...]], ...] = (
    (
        1,
        (
            """
            CREATE TABLE people (
                id TEXT PRIMARY KEY,
                data TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE life_events (
                person_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                on_date TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (person_id, kind, on_date)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX life_events_on ON life_events (on_date)",
            """
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                payload TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                due_at INTEGER NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'dead')),
                last_error TEXT,
                lease_owner TEXT,
                lease_until INTEGER,
                sent_at INTEGER
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE status = 'pending'",
            "CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead'",
        ),
    ),
    (
        2,
        (
            # The planner's fields are real columns; answers, notes, history and the
            # participants are one JSON document (``data``).
            """
            CREATE TABLE conversations (
                id TEXT PRIMARY KEY,
                type_key TEXT NOT NULL,
                employee_id TEXT NOT NULL,
                manager_id TEXT,
                earliest TEXT NOT NULL,
                target TEXT NOT NULL,
                latest TEXT NOT NULL,
                status TEXT NOT NULL,
                starts_at INTEGER,
                duration_minutes INTEGER NOT NULL,
                time_zone TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                requires_report INTEGER NOT NULL,
                version INTEGER NOT NULL,
                data TEXT NOT NULL
            )
            """,
            "CREATE INDEX conversations_employee ON conversations (employee_id, type_key)",
            "CREATE INDEX conversations_manager ON conversations (manager_id, target)",
            "CREATE INDEX conversations_due ON conversations (target)"
            " WHERE status IN ('planned', 'scheduled')",
            "CREATE INDEX conversations_overdue ON conversations (latest)"
            " WHERE status IN ('planned', 'scheduled')",
            """
            CREATE TABLE reports (
                conversation_id TEXT PRIMARY KEY,
                employee_id TEXT NOT NULL,
                status TEXT NOT NULL,
                version INTEGER NOT NULL,
                data TEXT NOT NULL
            )
            """,
            "CREATE INDEX reports_employee ON reports (employee_id)",
        ),
    ),
    (
        3,
        (
            """
            CREATE TABLE action_items (
                id TEXT PRIMARY KEY,
                employee_id TEXT NOT NULL,
                manager_id TEXT,
                owner_id TEXT NOT NULL,
                status TEXT NOT NULL,
                due TEXT,
                version INTEGER NOT NULL,
                data TEXT NOT NULL
            )
            """,
            "CREATE INDEX action_items_pair ON action_items (employee_id, manager_id)"
            " WHERE status = 'open'",
            "CREATE INDEX action_items_owner ON action_items (owner_id)",
        ),
    ),
    (
        4,
        (
            # The reminder sweep and the service's queries read only what can be due.
            "CREATE INDEX conversations_scheduled ON conversations (starts_at)"
            " WHERE status = 'scheduled'",
            "CREATE INDEX conversations_held ON conversations (target) WHERE status = 'held'",
            "CREATE INDEX reports_shared ON reports (conversation_id) WHERE status = 'shared'",
            "CREATE INDEX action_items_open_due ON action_items (due, id)"
            " WHERE status = 'open' AND due IS NOT NULL",
        ),
    ),
    (
        5,
        (
            # The applied versions of the cycle design; the highest number is current.
            """
            CREATE TABLE design_versions (
                number INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                source TEXT NOT NULL,
                format TEXT NOT NULL CHECK (format IN ('toml', 'json')),
                applied_by TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """,
        ),
    ),
    (
        6,
        (
            # Who read a confidential or health-related record, and when (``at`` in
            # microseconds since the epoch, like the outbox times).
            """
            CREATE TABLE access_log (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                reader_id TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                record_kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                sensitivity TEXT NOT NULL,
                via TEXT NOT NULL
            )
            """,
            "CREATE INDEX access_log_subject ON access_log (subject_id, at)",
            "CREATE INDEX access_log_reader ON access_log (reader_id, at)",
            "CREATE INDEX access_log_at ON access_log (at)",
        ),
    ),
    (
        7,
        (
            # What an employer may record about sick leave (domain.absence_records).
            """
            CREATE TABLE absence_records (
                person_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                on_date TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (person_id, kind, on_date)
            ) WITHOUT ROWID
            """,
            # A sent message past its retention keeps its key (so it is never sent again)
            # but loses its payload: ``redacted`` marks the ones done.
            "ALTER TABLE outbox ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent' AND redacted = 0",
        ),
    ),
    (
        8,
        (
            # Messages that no longer serve are 'expired'. SQLite cannot change a CHECK
            # constraint in place, so the outbox is rebuilt with every row and index.
            "DROP INDEX outbox_sent",
            "ALTER TABLE outbox RENAME TO outbox_before_8",
            """
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                payload TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                due_at INTEGER NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'dead', 'expired')),
                last_error TEXT,
                lease_owner TEXT,
                lease_until INTEGER,
                sent_at INTEGER,
                redacted INTEGER NOT NULL DEFAULT 0
            )
            """,
            "INSERT INTO outbox (id, key, payload, attempts, due_at, status, last_error,"
            " lease_owner, lease_until, sent_at, redacted) SELECT id, key, payload, attempts,"
            " due_at, status, last_error, lease_owner, lease_until, sent_at, redacted"
            " FROM outbox_before_8",
            "DROP TABLE outbox_before_8",
            "CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE status = 'pending'",
            "CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead'",
            "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent' AND redacted = 0",
        ),
    ),
    (
        9,
        # Follow-up ids no longer hold the id they follow (chains grew without bound): the
        # stored ones and every reference to them are renamed (see follow_up_ids).
        (shorten_follow_up_ids,),
    ),
    (
        10,
        (
            # State changes: the last sequence number per aggregate ('conversation/c-1').
            """
            CREATE TABLE event_sequences (
                stream TEXT PRIMARY KEY,
                last INTEGER NOT NULL CHECK (last >= 1)
            ) WITHOUT ROWID
            """,
            # The targets of a fan-out notifier that have a message already, one per line.
            "ALTER TABLE outbox ADD COLUMN delivered TEXT NOT NULL DEFAULT ''",
        ),
    ),
    (
        14,
        (
            # The employee's check after a held conversation (domain.voice), one per
            # conversation; ``at`` is the ISO instant it was given.
            """
            CREATE TABLE voice_answers (
                conversation_id TEXT PRIMARY KEY,
                employee_id TEXT NOT NULL,
                manager_id TEXT,
                at TEXT NOT NULL,
                data TEXT NOT NULL
            ) WITHOUT ROWID
            """,
            "CREATE INDEX voice_answers_employee ON voice_answers (employee_id)",
            "CREATE INDEX voice_answers_manager ON voice_answers (manager_id)",
        ),
    ),
    (
        15,
        # PostgreSQL leaves room on its outbox pages (fillfactor); SQLite has no such
        # setting. The number is kept so that both stores count the same versions.
        (),
    ),
)

#: The indexes on ``conversations`` (used by the benchmark to build an equal raw table).
CONVERSATION_INDEXES = tuple(
    statement
    for statement in MIGRATIONS[1][1]
    if isinstance(statement, str) and "ON conversations" in statement
)


class Executes(Protocol):
    """What the migrations need of a connection."""

    def execute(self, query: str, params: Sequence[Any] = (), /) -> Any: ...


class _MigrationSql:
    """``%s`` statements of a Python migration step on the migrating connection."""

    def __init__(self, connection: Executes):
        self._connection = connection

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._connection.execute(
            query.replace("%s", "?"), params
        ).fetchall()
        return rows

    def execute(self, query: str, params: Sequence[Any] = ()) -> object:
        return self._connection.execute(query.replace("%s", "?"), params)


def current_version(connection: Executes) -> int:
    """The highest applied migration, 0 for a new file."""
    row = connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0])


def applied_versions(connection: Executes) -> frozenset[int]:
    """The numbers of every applied migration."""
    rows = connection.execute("SELECT version FROM schema_version").fetchall()
    return frozenset(int(row[0]) for row in rows)


def migrate(connection: Executes, *, nested: bool = False) -> int:
    """Apply the missing migrations in one transaction; returns the resulting version.

    The connection must have no transaction open, or, with ``nested``, it has one (the
    host's) and the migrations run in a savepoint of it.
    """
    begin, commit, undo = (
        (
            "SAVEPOINT gesprekscyclus_migrate",
            "RELEASE gesprekscyclus_migrate",
            "ROLLBACK TO gesprekscyclus_migrate",
        )
        if nested
        else ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
    )
    connection.execute(begin)
    try:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        version = apply_migrations(
            MIGRATIONS,
            applied_versions(connection),
            connection.execute,
            lambda number: connection.execute(
                "INSERT INTO schema_version (version) VALUES (?)", (number,)
            ),
            _MigrationSql(connection),
        )
        connection.execute(commit)
    except BaseException:
        connection.execute(undo)
        if nested:
            connection.execute(commit)
        raise
    return version
