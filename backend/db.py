"""Database engine and sessions: SQLite by default (a file in the data directory, WAL mode),
PostgreSQL through ``SCF_DATABASE_URL``.

The database is a derived, rebuildable view of the chain (plus off-chain documents and the
outbox): deleting it and re-indexing from block 0 reproduces every record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine, Table, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

S = TypeVar("S", bound=BaseModel)
M = TypeVar("M", bound=SQLModel)

#: Threads that run a process's blocking request handlers at once (anyio's default limiter).
REQUEST_THREADS = 40
#: Connections a process's background work holds besides its requests (workers, health checks).
BACKGROUND_CONNECTIONS = 4
#: Connections left to administration and migrations (PostgreSQL reserves 3 for superusers).
RESERVED_CONNECTIONS = 10
#: PostgreSQL connections are reopened after this long: a server or proxy idle timeout would
#: otherwise close them under the pool.
PG_RECYCLE_SECONDS = 1800


def pool_options(backend: str, processes: int = 1, max_connections: int = 100) -> dict[str, Any]:
    """The pool of one of ``processes`` processes sharing a database of ``max_connections``.

    No overflow: an overflow connection is closed when it is returned, so every burst would
    reopen (and, on SQLite, re-run the PRAGMAs of) the same connections. The pool holds what a
    process can use at once (one per request thread, plus its background work), or its share of
    the server's connections when that is smaller; past it a request waits for a connection."""
    wanted = REQUEST_THREADS + BACKGROUND_CONNECTIONS
    if backend == "sqlite":  # a file: connections cost no server slot and never go stale
        return {"pool_size": wanted, "max_overflow": 0, "pool_recycle": -1}
    share = max(2, (max_connections - RESERVED_CONNECTIONS) // max(1, processes))
    return {
        "pool_size": min(wanted, share),
        "max_overflow": 0,
        "pool_recycle": PG_RECYCLE_SECONDS,
        "pool_pre_ping": True,
    }


def make_engine(url: str, processes: int = 1, max_connections: int = 100) -> Engine:
    """An engine for ``url`` whose pool is sized by :func:`pool_options`; SQLite gets WAL,
    foreign keys and a busy timeout."""
    parsed = make_url(url)
    pool = pool_options(parsed.get_backend_name(), processes, max_connections)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, **pool)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        pool = {}  # an in-memory database lives in one connection: SQLAlchemy's own pool
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def warm_pool(engine: Engine, connections: int) -> None:
    """Open ``connections`` of the pool now, so the first burst of requests does not pay for
    connecting (and the PRAGMAs)."""
    opened = []
    try:
        for _ in range(min(connections, engine.pool.size())):  # type: ignore[attr-defined]
            opened.append(engine.raw_connection())
    finally:
        for connection in opened:
            connection.close()  # back to the pool, still open


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


def from_row(schema: type[S], row: SQLModel, **values: Any) -> S:
    """``schema`` of ``row``: each field named as one of the row's columns takes its value, unless
    ``values`` gives it (with the fields the row does not have)."""
    columns = type(row).model_fields
    copied = {name: getattr(row, name) for name in schema.model_fields if name in columns}
    return schema(**{**copied, **values})


def get_or(session: Session, model: type[M], key: Any, missing: Exception) -> M:
    """The ``model`` row ``key``, else raise ``missing``."""
    row = session.get(model, key)
    if row is None:
        raise missing
    return row
