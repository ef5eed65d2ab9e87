"""One indexer and one relayer per database: PostgreSQL advisory locks, or file locks for SQLite."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text

from backend.errors import LedgerError

# Lock ids in pg_advisory_lock, one per kind of leader.
ADVISORY_LOCK_KEYS = {"indexer": 0x5CF1ED6E, "relayer": 0x5CF1ED6F}


class IndexerLockHeld(LedgerError):
    code = "indexer_lock_held"
    status = 409


@contextmanager
def writer_lock(
    engine: Engine, *, wait_seconds: float = 0.0, name: str = "indexer"
) -> Iterator[None]:
    """Hold the database's ``name`` lock; wait up to ``wait_seconds``, else IndexerLockHeld."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, wait_seconds, ADVISORY_LOCK_KEYS[name], name):
            yield
    else:
        database = engine.url.database or "memory"
        with _file_lock(Path(f"{database}.{name}.lock"), wait_seconds, name):
            yield


def _retry(acquire: object, wait_seconds: float) -> bool:
    assert callable(acquire)
    deadline = time.monotonic() + wait_seconds
    while True:
        if acquire():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


@contextmanager
def _advisory_lock(engine: Engine, wait_seconds: float, key: int, name: str) -> Iterator[None]:
    # A session-level lock lives as long as its connection: keep this one open while indexing.
    with engine.connect() as connection:

        def acquire() -> bool:
            query = text("SELECT pg_try_advisory_lock(:key)")
            return bool(connection.execute(query, {"key": key}).scalar())

        if not _retry(acquire, wait_seconds):
            raise IndexerLockHeld(f"another {name} holds this database's lock; this one stops")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


@contextmanager
def _file_lock(path: Path, wait_seconds: float, name: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = path.open("a")

    def acquire() -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        if not _retry(acquire, wait_seconds):
            raise IndexerLockHeld(f"another {name} holds {path}; this one stops")
        yield
    finally:
        handle.close()  # closing releases the lock
