"""What the SQL stores share: row encodings, the fast conversation reader and the tables.

Internal to the adapters; nothing here imports a database driver.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from gesprekscyclus import __version__
from gesprekscyclus.errors import StoreRefusedError

if TYPE_CHECKING:
    from gesprekscyclus.adapters._sql.follow_up_ids import MigrationSql

#: A migration step written in Python, for what SQL alone cannot do (see ``follow_up_ids``).
Step = Callable[["MigrationSql"], None]
Migrations = Sequence[tuple[int, Sequence[str | Step]]]


def check_known(migrations: Migrations, applied: Collection[int]) -> int:
    """The highest of ``applied``; raises :class:`StoreRefusedError` when it is beyond the last of
    ``migrations``: a later release wrote it, and this one does not know what that migration
    changed.

    >>> check_known([(1, ["a"]), (2, ["b"])], {1, 2})
    2
    """
    known = max((number for number, _ in migrations), default=0)
    version = max(applied, default=0)
    if version > known:
        raise StoreRefusedError(
            f"the store's schema is at version {version}, newer than this version of "
            f"gesprekscyclus ({__version__}) knows (up to {known}): it was written by a later "
            "release, whose data this one could misread or overwrite; open it with that "
            "release or a later one"
        )
    return version


def apply_migrations(
    migrations: Migrations,
    applied: Collection[int],
    run: Callable[[str], object],
    record: Callable[[int], object],
    sql: Any = None,
) -> int:
    """Run the statements of every migration not in ``applied``, in order, calling
    ``record(number)`` after each; returns the highest version now applied. The caller holds
    the transaction. A step that is not a statement is called with ``sql`` (a
    :class:`~gesprekscyclus.adapters._sql.follow_up_ids.MigrationSql` on the same
    transaction).

    Missing migrations are found by number, not by the highest one applied, so a migration
    that was added beside a higher-numbered one still runs. A store that has a migration
    applied beyond the last one known here raises :class:`StoreRefusedError`: a later release wrote
    it, and this one does not know what that migration changed.

    >>> done = []
    >>> apply_migrations([(1, ["a"]), (2, ["b", "c"]), (3, ["d"])], {1, 3}, done.append,
    ...                  done.append)
    3
    >>> done
    ['b', 'c', 2]
    """
    version = check_known(migrations, applied)
    for number, statements in migrations:
        if number in applied:
            continue
        for statement in statements:
            if isinstance(statement, str):
                run(statement)
            else:
                statement(sql)
        record(number)
        version = max(version, number)
    return version
