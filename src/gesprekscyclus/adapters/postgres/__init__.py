"""The PostgreSQL adapter (psycopg 3 with its pool); needs the ``postgres`` extra.

Importing this package needs nothing beyond the library itself: psycopg is imported when a
store is opened, and a missing driver is reported with the extra to install::

    pip install 'gesprekscyclus[postgres]'

>>> callable(open_postgres_store)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gesprekscyclus.errors import StoreError

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

    from gesprekscyclus.adapters.postgres.store import PostgresStore, PostgresUnitOfWork

__all__ = ["PostgresStore", "PostgresUnitOfWork", "open_postgres_store"]

_MISSING = (
    "the PostgreSQL store needs psycopg 3 and psycopg_pool; install the 'postgres' extra:"
    " pip install 'gesprekscyclus[postgres]'"
)


def _store_module() -> Any:
    try:
        from gesprekscyclus.adapters.postgres import store  # noqa: PLC0415 - optional extra
    except ModuleNotFoundError as error:
        if error.name is not None and error.name.split(".")[0] in {"psycopg", "psycopg_pool"}:
            raise StoreError(f"{_MISSING} ({error})") from error
        raise
    return store


def open_postgres_store(
    dsn: str | None = None,
    *,
    pool: ConnectionPool[Any] | None = None,
    connection: psycopg.Connection[Any] | None = None,
    schema: str | None = None,
    prepare_threshold: int | None = None,
    pool_size: int = 4,
    connect_timeout: float = 10.0,
    pool_timeout: float = 30.0,
    idle_in_transaction_timeout: float | None = 60.0,
    copy_threshold: int = 200,
) -> PostgresStore:
    """Connect to PostgreSQL at ``dsn`` (or use the host's ``pool`` or ``connection``), apply
    the migrations and return the store.

    See :func:`gesprekscyclus.adapters.postgres.store.open_postgres_store` for the options.
    Raises :class:`~gesprekscyclus.errors.StoreError` naming the ``postgres`` extra when
    psycopg is not installed, and when the server cannot be reached.
    """
    store: PostgresStore = _store_module().open_postgres_store(
        dsn,
        pool=pool,
        connection=connection,
        schema=schema,
        prepare_threshold=prepare_threshold,
        pool_size=pool_size,
        connect_timeout=connect_timeout,
        pool_timeout=pool_timeout,
        idle_in_transaction_timeout=idle_in_transaction_timeout,
        copy_threshold=copy_threshold,
    )
    return store
    return store


def __getattr__(name: str) -> Any:
    if name in {"PostgresStore", "PostgresUnitOfWork"}:
        return getattr(_store_module(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
