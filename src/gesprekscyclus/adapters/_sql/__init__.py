"""What the SQL stores share: row encodings, the fast conversation reader and the tables.

Internal to the adapters; nothing here imports a database driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Migrations = Sequence[tuple[int, Sequence[str]]]


def apply_migrations(
    migrations: Migrations,
    version: int,
    run: Callable[[str], object],
    record: Callable[[int], object],
) -> int:
    """Run the statements of every migration numbered above ``version``, in order, calling
    ``record(number)`` after each; returns the version reached. The caller holds the
    transaction.

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
            run(statement)
        record(number)
        version = number
    return version
