"""What the SQL stores share: row encodings, the fast conversation reader and the tables.

Internal to the adapters; nothing here imports a database driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gesprekscyclus.adapters._sql.follow_up_ids import MigrationSql

#: A migration step written in Python, for what SQL alone cannot do (see ``follow_up_ids``).
Step = Callable[["MigrationSql"], None]
Migrations = Sequence[tuple[int, Sequence[str | Step]]]


def apply_migrations(
    migrations: Migrations,
    version: int,
    run: Callable[[str], object],
    record: Callable[[int], object],
    sql: Any = None,
) -> int:
    """Run the statements of every migration numbered above ``version``, in order, calling
    ``record(number)`` after each; returns the version reached. The caller holds the
    transaction. A step that is not a statement is called with ``sql`` (a
    :class:`~gesprekscyclus.adapters._sql.follow_up_ids.MigrationSql` on the same
    transaction).

    >>> done = []
    >>> apply_migrations([(1, ["a"]), (2, ["b", "c"])], 1, done.append, done.append)
    2
    >>> done
    ['b', 'c', 2]
    """
    for number, statements in migrations:
        if number <= version:
            continue
        for statement in statements:
            if isinstance(statement, str):
                run(statement)
            else:
                statement(sql)
        record(number)
        version = number
    return version
