"""The PostgreSQL schema as numbered forward migrations.

The tables mirror the SQLite adapter's, with native column types: instants are
``timestamptz``, days are ``date``, flags ``boolean``; the documents (``data``, ``payload``)
are JSON text, stored exactly as written.

Opening a store runs :func:`migrate`: one transaction that first takes a transaction-level
advisory lock derived from the schema name (``pg_advisory_xact_lock``), so several processes
opening the same schema for the first time queue up instead of racing, then creates the schema
if needed and applies every migration above the recorded ``schema_version``. A failure leaves
the database as it was. Migrations are never edited once released: a change is a new entry at
the end of :data:`MIGRATIONS`. The statements here name tables without a schema; they are
run with the schema's name put before every table (``_sql.names``), so no ``search_path``
is needed (a transaction-mode pooler would lose it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gesprekscyclus.adapters._sql import Step, apply_migrations
from gesprekscyclus.adapters._sql.follow_up_ids import shorten_follow_up_ids
from gesprekscyclus.adapters._sql.names import Renamer, created_names
from gesprekscyclus.domain._checks import shown
from gesprekscyclus.errors import InvalidValueError

if TYPE_CHECKING:
    import psycopg

__all__ = ["MIGRATIONS", "check_schema_name", "current_version", "lock_key", "migrate"]

#: (version, statements) pairs, applied in order. The numbers match the SQLite migrations.
MIGRATIONS: tuple[tuple[int, tuple[str | Step, ...]], ...] = (
    (
        1,
        (
            """
            CREATE TABLE people (
                id text PRIMARY KEY,
                data text NOT NULL
            )
            """,
            """
            CREATE TABLE life_events (
                person_id text NOT NULL,
                kind text NOT NULL,
                on_date date NOT NULL,
                data text NOT NULL,
                PRIMARY KEY (person_id, kind, on_date)
            )
            """,
            "CREATE INDEX life_events_on ON life_events (on_date)",
            """
            CREATE TABLE outbox (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                key text NOT NULL UNIQUE,
                payload text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                due_at timestamptz NOT NULL,
                status text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'dead')),
                last_error text,
                lease_owner text,
                lease_until timestamptz,
                sent_at timestamptz
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE status = 'pending'",
            "CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead'",
        ),
    ),
    (
        2,
        (
            """
            CREATE TABLE conversations (
                id text PRIMARY KEY,
                type_key text NOT NULL,
                employee_id text NOT NULL,
                manager_id text,
                earliest date NOT NULL,
                target date NOT NULL,
                latest date NOT NULL,
                status text NOT NULL,
                starts_at timestamptz,
                duration_minutes integer NOT NULL,
                time_zone text NOT NULL,
                sequence integer NOT NULL,
                requires_report boolean NOT NULL,
                version integer NOT NULL,
                data text NOT NULL
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
                conversation_id text PRIMARY KEY,
                employee_id text NOT NULL,
                status text NOT NULL,
                version integer NOT NULL,
                data text NOT NULL
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
                id text PRIMARY KEY,
                employee_id text NOT NULL,
                manager_id text,
                owner_id text NOT NULL,
                status text NOT NULL,
                due date,
                version integer NOT NULL,
                data text NOT NULL
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
                number integer PRIMARY KEY CHECK (number > 0),
                name text NOT NULL,
                fingerprint text NOT NULL,
                source text NOT NULL,
                format text NOT NULL CHECK (format IN ('toml', 'json')),
                applied_by text NOT NULL,
                applied_at timestamptz NOT NULL
            )
            """,
        ),
    ),
    (
        6,
        (
            # Who read a confidential or health-related record, and when.
            """
            CREATE TABLE access_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                reader_id text NOT NULL,
                subject_id text NOT NULL,
                record_kind text NOT NULL,
                record_id text NOT NULL,
                sensitivity text NOT NULL,
                via text NOT NULL
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
            """
            CREATE TABLE absence_records (
                person_id text NOT NULL,
                kind text NOT NULL,
                on_date date NOT NULL,
                data text NOT NULL,
                PRIMARY KEY (person_id, kind, on_date)
            )
            """,
            "ALTER TABLE outbox ADD COLUMN redacted boolean NOT NULL DEFAULT false",
            "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent' AND NOT redacted",
        ),
    ),
    (
        8,
        (
            # Messages that no longer serve are 'expired'.
            "ALTER TABLE outbox DROP CONSTRAINT outbox_status_check",
            "ALTER TABLE outbox ADD CONSTRAINT outbox_status_check"
            " CHECK (status IN ('pending', 'sent', 'dead', 'expired'))",
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
                stream text PRIMARY KEY,
                last integer NOT NULL CHECK (last >= 1)
            )
            """,
            # The targets of a fan-out notifier that have a message already, one per line.
            "ALTER TABLE outbox ADD COLUMN delivered text NOT NULL DEFAULT ''",
        ),
    ),
    (
        14,
        (
            # The employee's check after a held conversation (domain.voice), one per
            # conversation; ``at`` is the ISO instant it was given.
            """
            CREATE TABLE voice_answers (
                conversation_id text PRIMARY KEY,
                employee_id text NOT NULL,
                manager_id text,
                at text NOT NULL,
                data text NOT NULL
            )
            """,
            "CREATE INDEX voice_answers_employee ON voice_answers (employee_id)",
            "CREATE INDEX voice_answers_manager ON voice_answers (manager_id)",
        ),
    ),
    (
        15,
        (
            # Room on every outbox page for the new version of a row: a claim (the lease
            # columns only) can then be a HOT update, which writes no index entries and
            # leaves the old version for the page's own pruning. Pages written from now on
            # are filled to 60%; existing ones keep their layout until they are rewritten.
            "ALTER TABLE outbox SET (fillfactor = 60)",
        ),
    ),
)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def check_schema_name(schema: str) -> str:
    """``schema`` if it is a plain identifier (letters, digits, ``_``; at most 63 characters).

    >>> check_schema_name("gesprekscyclus")
    'gesprekscyclus'
    >>> check_schema_name("a b")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: schema: must be a plain identifier ...
    """
    if not isinstance(schema, str) or _IDENTIFIER.fullmatch(schema) is None:
        raise InvalidValueError(
            "schema",
            f"must be a plain identifier (a letter or _, then letters, digits or _;"
            f" at most 63 characters), got {shown(schema)}",
        )
    return schema


def lock_key(schema: str | None, purpose: str = "migrate") -> int:
    """The advisory lock key guarding ``purpose`` (by default: migrations) in ``schema``
    (``None``: the default one).

    A signed 64-bit number derived from both names, the same in every process.

    >>> lock_key("s1") == lock_key("s1") != lock_key("s2")
    True
    >>> lock_key("s1", "lock:planner") != lock_key("s1")
    True
    """
    digest = hashlib.sha256(f"gesprekscyclus.{purpose}:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def current_version(
    connection: psycopg.Connection[tuple[object, ...]], schema: str | None = None
) -> int:
    """The highest applied migration in ``schema``; 0 when ``schema_version`` is empty."""
    query = _named(schema)("SELECT coalesce(max(version), 0) FROM schema_version")
    row = connection.execute(query.encode(), prepare=False).fetchone()
    return 0 if row is None else int(str(row[0]))


def applied_versions(
    connection: psycopg.Connection[tuple[object, ...]], schema: str | None = None
) -> frozenset[int]:
    """The numbers of every migration applied in ``schema``."""
    query = _named(schema)("SELECT version FROM schema_version")
    rows = connection.execute(query.encode(), prepare=False).fetchall()
    return frozenset(int(str(row[0])) for row in rows)


def _named(schema: str | None) -> Renamer:
    return Renamer.qualified(schema, created_names(MIGRATIONS, indexes=False))


def migrate(connection: psycopg.Connection[tuple[object, ...]], schema: str | None) -> int:
    """Create ``schema`` if needed and apply the missing migrations; returns the version.

    Every statement names its tables with the schema, so the connection's ``search_path``
    does not matter. Everything happens in one transaction (a savepoint when the connection
    has one open) under the advisory lock of :func:`lock_key`.
    """
    from psycopg import sql  # noqa: PLC0415 - optional extra, imported when used

    rename = _named(schema)

    def run(statement: str, params: tuple[object, ...] = ()) -> None:
        connection.execute(rename(statement).encode(), params, prepare=False)

    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(schema),), prepare=False)
        if schema is not None:
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(check_schema_name(schema))
                )
            )
        run(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version integer PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        return apply_migrations(
            MIGRATIONS,
            applied_versions(connection, schema),
            run,
            lambda number: run("INSERT INTO schema_version (version) VALUES (%s)", (number,)),
            _MigrationSql(connection, rename),
        )


class _MigrationSql:
    """``%s`` statements of a Python migration step on the migrating connection."""

    def __init__(self, connection: psycopg.Connection[tuple[object, ...]], rename: Renamer):
        self._connection = connection
        self._rename = rename

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        statement = self._rename(query).encode()
        return self._connection.execute(statement, params, prepare=False).fetchall()

    def execute(self, query: str, params: Sequence[Any] = ()) -> object:
        return self._connection.execute(self._rename(query).encode(), params, prepare=False)
