"""The composition root: build a store and the service from a URL.

Nothing is opened when this module is imported; :func:`open_store` connects on call, and
the PostgreSQL adapter (with psycopg) is imported only when a ``postgresql://`` URL is used.

========================================  =================================================
URL                                       store
========================================  =================================================
``memory:``                               :class:`~gesprekscyclus.adapters.memory.MemoryStore`
``sqlite:///cycle.db``                    SQLite file ``cycle.db`` relative to the working
                                          directory
``sqlite:////var/lib/cycle.db``           SQLite file at the absolute path
                                          ``/var/lib/cycle.db``
``postgresql://user@host/db``             PostgreSQL (needs the ``postgres`` extra)
========================================  =================================================

>>> from datetime import date
>>> from gesprekscyclus.planning.design import CycleDesign
>>> design = CycleDesign(name="demo", cycle_start=date(2026, 1, 1))
>>> service = build_service("memory:")
>>> type(service.store).__name__, service.design_version
('MemoryStore', None)
>>> service.apply_design(design, applied_by="hr-1").version.label[:9]
'version 1'
>>> service.design.name
'demo'
>>> open_store("mysql://localhost/db")
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: url: unsupported scheme 'mysql' \
(allowed: memory:, sqlite:///<path>, postgresql://...)
"""

from __future__ import annotations

from importlib import import_module
from typing import cast

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.errors import InvalidValueError, StoreError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import Clock, SystemClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.app import ConversationService

__all__ = ["ALLOWED_URLS", "build_service", "open_store"]

#: The URL forms :func:`open_store` understands.
ALLOWED_URLS = ("memory:", "sqlite:///<path>", "postgresql://...")

_SQLITE = "sqlite:///"
_POSTGRES_SCHEMES = ("postgresql", "postgres")
#: The function the PostgreSQL adapter module provides to open a store from a URL.
_POSTGRES_OPENER = "open_postgres_store"


def _scheme(url: str) -> str:
    scheme, colon, _ = url.partition(":")
    return scheme.lower() if colon else url


def open_store(
    url: str, *, schema: str | None = None, table_prefix: str = "", create: bool = True
) -> Store:
    """Open the store ``url`` names; see the module docstring for the forms.

    ``schema`` keeps a PostgreSQL store's tables in that schema (created when missing);
    ``table_prefix`` puts a SQLite store's tables and indexes behind that prefix. Either lets
    the store share the host application's database. A PostgreSQL database has schemas for
    this, a SQLite file has not, so each option belongs to one kind of store and is refused
    for the other. With ``create=False`` a SQLite file that does not exist is refused with
    :class:`StoreError` and not created (for what only reads a store); a PostgreSQL database
    is never created, and ``memory:`` is always new.

    Unknown schemes raise :class:`InvalidValueError` listing the allowed forms. A
    ``postgresql://`` URL without the PostgreSQL adapter installed raises
    :class:`StoreError` naming the extra to install.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidValueError("url", "a store URL is required", allowed=ALLOWED_URLS)
    url = url.strip()
    scheme = _scheme(url)
    if schema is not None and scheme not in _POSTGRES_SCHEMES:
        raise InvalidValueError(
            "schema", "is for a PostgreSQL store; a SQLite store takes a table_prefix"
        )
    if table_prefix and scheme != "sqlite":
        raise InvalidValueError(
            "table_prefix", "is for a SQLite store; a PostgreSQL store takes a schema"
        )
    if url == "memory:":
        return MemoryStore()
    if scheme == "sqlite":
        if not url.startswith(_SQLITE) or not url[len(_SQLITE) :].strip():
            raise InvalidValueError(
                "url",
                f"{url!r} is not a SQLite URL with a path: write sqlite:///relative/path.db "
                "or sqlite:////absolute/path.db",
            )
        return open_sqlite_store(url[len(_SQLITE) :], table_prefix=table_prefix, create=create)
    if scheme in _POSTGRES_SCHEMES:
        return _open_postgres(url, schema)
    raise InvalidValueError("url", f"unsupported scheme {scheme!r}", allowed=ALLOWED_URLS)


def _open_postgres(url: str, schema: str | None) -> Store:
    try:
        module = import_module("gesprekscyclus.adapters.postgres")
    except ImportError as error:
        raise StoreError(
            "postgresql:// needs the PostgreSQL adapter and psycopg: install "
            f"'gesprekscyclus[postgres]' ({error})"
        ) from error
    opener = getattr(module, _POSTGRES_OPENER, None)
    if opener is None:
        raise StoreError(
            f"the installed gesprekscyclus.adapters.postgres has no {_POSTGRES_OPENER}(url); "
            "install a complete 'gesprekscyclus[postgres]'"
        )
    return cast(Store, opener(url, schema=schema))


def build_service(
    url: str,
    *,
    schema: str | None = None,
    table_prefix: str = "",
    design: CycleDesign | None = None,
    clock: Clock | None = None,
    catalog: Catalog | None = None,
    hr_contact_id: str | None = None,
    state_changes: bool = False,
    create: bool = True,
) -> ConversationService:
    """A :class:`ConversationService` on the store at ``url``, using the system clock unless
    ``clock`` is given; ``state_changes`` makes its commands write state changes (see
    ``docs/events.md``).

    Without ``design`` the service uses the store's current design version, with its catalog
    and HR contact unless ``catalog`` or ``hr_contact_id`` are given; a given ``design`` must
    equal the stored one (see :class:`ConversationService`). ``schema`` (PostgreSQL) and
    ``table_prefix`` (SQLite) place the store's tables in a database it shares with the host
    (see :func:`open_store`); ``create=False`` refuses a SQLite file that does not exist
    instead of creating it. The store is closed again when building the service fails.
    """
    store = open_store(url, schema=schema, table_prefix=table_prefix, create=create)
    try:
        return ConversationService(
            store,
            clock if clock is not None else SystemClock(),
            design=design,
            catalog=catalog,
            hr_contact_id=hr_contact_id,
            state_changes=state_changes,
        )
    except BaseException:
        store.close()
        raise
