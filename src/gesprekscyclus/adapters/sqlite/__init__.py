"""The SQLite adapter: the embedded default store (stdlib ``sqlite3``, WAL)."""

from gesprekscyclus.adapters.sqlite.store import SQLiteStore, SQLiteUnitOfWork, open_sqlite_store

__all__ = ["SQLiteStore", "SQLiteUnitOfWork", "open_sqlite_store"]
