"""Where the store's tables live: the names its statements use, mapped to the database's.

The statements of both SQL stores name their tables plainly (``people``, ``outbox``). A store
that shares a database with its host puts them elsewhere: in a PostgreSQL schema
(``"hr_cycle"."people"``) or behind a SQLite table prefix (``"cycle_people"``). A
:class:`Renamer` rewrites each statement once (the result is cached) so that no session state
(a ``search_path``) is needed: a transaction-mode connection pooler, or the host's own
transaction, sees only fully named tables.

Only whole words outside string literals are rewritten, so ``outbox_pending`` (an index) and
``'people'`` (a value) stay as they are.

>>> rename = Renamer({"people": '"cycle_people"'})
>>> rename("SELECT data FROM people WHERE id = 'people' ORDER BY people.id")
'SELECT data FROM "cycle_people" WHERE id = \\'people\\' ORDER BY "cycle_people".id'
>>> Renamer({})("SELECT 1") == "SELECT 1"
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.errors import InvalidValueError

from . import Migrations

__all__ = ["MAX_PREFIX", "Renamer", "check_prefix", "created_names"]

#: The longest table prefix (the names stay well inside every database's identifier limit).
MAX_PREFIX = 40
_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CREATED = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)"
    r"|ALTER\s+TABLE\s+\w+\s+RENAME\s+TO\s+(\w+)",
    re.IGNORECASE,
)


def check_prefix(prefix: str) -> str:
    """``prefix`` if it can start a table name: a letter or ``_``, then letters, digits or
    ``_``, at most :data:`MAX_PREFIX` characters.

    >>> check_prefix("cycle_")
    'cycle_'
    >>> check_prefix("cycle-")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: table_prefix: must be a letter or _, then \
letters, digits or _ (at most 40 characters), got 'cycle-'
    """
    if not isinstance(prefix, str) or len(prefix) > MAX_PREFIX or not _PREFIX.fullmatch(prefix):
        raise InvalidValueError(
            "table_prefix",
            f"must be a letter or _, then letters, digits or _ (at most {MAX_PREFIX}"
            f" characters), got {shown(prefix)}",
        )
    return prefix


def created_names(migrations: Migrations, *, indexes: bool) -> tuple[str, ...]:
    """The tables (and with ``indexes`` the indexes) the migrations create, and
    ``schema_version``, sorted.

    >>> created_names([(1, ["CREATE TABLE a (x int)", "CREATE INDEX a_x ON a (x)"])],
    ...               indexes=True)
    ('a', 'a_x', 'schema_version')
    """
    found = {"schema_version"}
    for _number, statements in migrations:
        for statement in statements:
            if not isinstance(statement, str):
                continue  # a Python step creates nothing
            for match in _CREATED.finditer(statement):
                kind, name, renamed = match.groups()
                if renamed:
                    found.add(renamed)
                elif indexes or kind.upper() == "TABLE":
                    found.add(name)
    return tuple(sorted(found))


class Renamer:
    """Rewrites the table names of a statement by ``names`` (plain name → SQL text)."""

    def __init__(self, names: Mapping[str, str]):
        self.names: dict[str, str] = dict(names)
        if not self.names:
            self._pattern = None
            return
        words = "|".join(sorted(map(re.escape, self.names), key=len, reverse=True))
        # A string literal (left alone), a quoted name, or a bare word.
        self._pattern = re.compile(rf"'(?:[^']|'')*'|\"({words})\"|\b({words})\b")
        self._cached = lru_cache(maxsize=4096)(self._rewrite)

    @classmethod
    def qualified(cls, schema: str | None, tables: Iterable[str]) -> Renamer:
        """Every table as ``"schema"."table"`` (nothing changes without a schema)."""
        if schema is None:
            return cls({})
        return cls({name: f'"{schema}"."{name}"' for name in tables})

    @classmethod
    def prefixed(cls, prefix: str, names: Iterable[str]) -> Renamer:
        """Every table and index as ``"<prefix><name>"`` (nothing changes for ``""``)."""
        if not prefix:
            return cls({})
        return cls({name: f'"{check_prefix(prefix)}{name}"' for name in names})

    def _rewrite(self, query: str) -> str:
        assert self._pattern is not None
        names = self.names

        def swap(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            return match.group(0) if name is None else names[name]

        return self._pattern.sub(swap, query)

    def __call__(self, query: str) -> str:
        if self._pattern is None:
            return query
        return self._cached(query)
