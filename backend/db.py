"""Database engine and sessions: SQLite by default (a file in the data directory, WAL mode),
PostgreSQL through ``SCF_DATABASE_URL``.

The database is a derived, rebuildable view of the chain (plus off-chain documents and the
outbox): deleting it and re-indexing from block 0 reproduces every record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, event
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, create_engine


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Takes effect only while the file is new: fewer, larger pages make a commit's WAL frames
    # fewer where indexes on hashes (random keys) take inserts all over (a million events index
    # about 10% faster).
    cursor.execute("PRAGMA page_size=8192")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: index upkeep stays in memory
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel class, typed (SQLModel's ``__table__`` is not declared), for
    the bulk and Core reads and writes that bypass the ORM."""
    return model.__table__  # type: ignore[attr-defined, no-any-return]
