"""The options that say where a command's store is: ``--db``, ``--schema``, ``--table-prefix``.

``--db`` defaults to ``GESPREKSCYCLUS_DB``; ``--schema`` (PostgreSQL) to
``GESPREKSCYCLUS_DB_SCHEMA`` and ``--table-prefix`` (SQLite) to
``GESPREKSCYCLUS_DB_TABLE_PREFIX``, so that a store in a database shared with the host
application needs no options at all once the environment says where it is.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_store_options(parser)
>>> store_placement(parser.parse_args(["--db", "sqlite:///hr.db", "--table-prefix", "gc_"]))
('sqlite:///hr.db', {'schema': None, 'table_prefix': 'gc_'})
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from gesprekscyclus.errors import InvalidValueError

__all__ = ["add_store_options", "store_placement"]


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--db``, ``--schema`` and ``--table-prefix`` to ``parser``."""
    parser.add_argument("--db", help="store URL: memory:, sqlite:///FILE or postgresql://…")
    parser.add_argument(
        "--schema",
        help="PostgreSQL: keep the tables in this schema (default GESPREKSCYCLUS_DB_SCHEMA)",
    )
    parser.add_argument(
        "--table-prefix",
        help="SQLite: put this prefix before every table name"
        " (default GESPREKSCYCLUS_DB_TABLE_PREFIX)",
    )


def store_placement(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The store URL and the ``schema`` and ``table_prefix`` for
    :func:`~gesprekscyclus.bootstrap.build_service`, from the options or the environment."""
    url: str | None = args.db or os.environ.get("GESPREKSCYCLUS_DB")
    if not url:
        raise InvalidValueError("--db", "give a store URL or set GESPREKSCYCLUS_DB")
    schema = getattr(args, "schema", None) or os.environ.get("GESPREKSCYCLUS_DB_SCHEMA") or None
    prefix = (
        getattr(args, "table_prefix", None)
        or os.environ.get("GESPREKSCYCLUS_DB_TABLE_PREFIX")
        or ""
    )
    return url, {"schema": schema, "table_prefix": prefix}
