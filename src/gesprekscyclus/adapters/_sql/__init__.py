"""What the SQL stores share: row encodings, the fast conversation reader and the tables.

Internal to the adapters; nothing here imports a database driver.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

Migrations = Sequence[tuple[int, Sequence[str]]]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def findable(params: Sequence[Any]) -> bool:
    """Whether a query with ``params`` can match a row: text with a NUL or a lone surrogate
    is in no row (the value objects refuse it), and the drivers would fail to send it, so a
    lookup with one finds nothing, as in the memory store.

    >>> findable(("e-1", 3)), findable(("e\\x00",)), findable((["a", "\\udc80"],))
    (True, False, False)
    """
    for param in params:
        values = param if isinstance(param, list | tuple) else (param,)
        if any(isinstance(value, str) and _UNSTORABLE.search(value) for value in values):
            return False
    return True


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
