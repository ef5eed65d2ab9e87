"""One indexer and one relayer per database: PostgreSQL advisory locks, or file locks for SQLite.

Holding the lock is not enough on PostgreSQL: the lock lives as long as the session that took it,
and a session can end under a running process (``pg_terminate_backend``, a restarted server, a
dropped connection) while its other connections keep writing. So a leader is **fenced**:

- taking the lock bumps the ``leader_lease`` row's epoch (on the locking session, right after the
  lock), and :meth:`Lease.check` runs first in every write transaction of the leader: it reads the
  row ``FOR SHARE`` and refuses (`LostLeadership`) when the epoch is no longer its own or its
  locking session no longer holds the lock. The row lock makes the check hold for the whole
  transaction: a successor's bump waits until a transaction that passed the check has committed,
  and every later transaction of the old leader sees the new epoch. No two leaders' writes
  interleave (the epoch is stronger than asking ``pg_locks`` alone, which a successor can take
  over between the question and the write).
- :meth:`Lease.verify` (the supervisor runs it every second) asks the locking session itself,
  so that a process whose lock is gone stops even when it has nothing to write.

SQLite's file lock is held by the process's open file: it cannot be lost while the process runs,
so there both are no-ops.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text

from backend.errors import LedgerError
from backend.workers.errors import LostLeadership

logger = logging.getLogger(__name__)

# Lock ids in pg_advisory_lock, one per kind of leader.
ADVISORY_LOCK_KEYS = {"indexer": 0x5CF1ED6E, "relayer": 0x5CF1ED6F}


class IndexerLockHeld(LedgerError, code="indexer_lock_held", status=409):
    """Another process holds the worker's leader lock."""


class Lease:
    """What a leader checks before it writes. This base one is the SQLite file lock's: no check."""

    def __init__(self, name: str) -> None:
        self.name = name

    def check(self, connection: Connection) -> None:
        """First statement of each write transaction: LostLeadership when no longer the leader."""

    def verify(self) -> None:
        """Whether the lock is still held (on the locking session); LostLeadership if not."""


class AdvisoryLease(Lease):
    """A PostgreSQL advisory lock with a fencing epoch (see the module's docstring)."""

    _HELD = text(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
        "AND objid::bigint = :key AND objsubid = 1 AND pid = :pid AND granted)"
    )

    def __init__(self, name: str, key: int, connection: Connection) -> None:
        super().__init__(name)
        self.key = key
        self._connection = connection
        self._guard = threading.Lock()  # the locking session is used by one thread at a time
        self.pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        self.epoch = int(
            connection.execute(
                text(
                    "INSERT INTO leader_lease (name, epoch, holder_pid, acquired_at) "
                    "VALUES (:name, 1, :pid, :now) ON CONFLICT (name) DO UPDATE SET "
                    "epoch = leader_lease.epoch + 1, holder_pid = :pid, acquired_at = :now "
                    "RETURNING epoch"
                ),
                {"name": name, "pid": self.pid, "now": time.time()},
            ).scalar_one()
        )
        connection.commit()
        logger.info("lock.acquired leader=%s epoch=%d pid=%d", name, self.epoch, self.pid)

    def check(self, connection: Connection) -> None:
        row = connection.execute(
            text(
                "SELECT epoch, EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = 0 AND objid::bigint = :key AND objsubid = 1 AND pid = :pid "
                "AND granted) AS held FROM leader_lease WHERE name = :name FOR SHARE"
            ),
            {"name": self.name, "key": self.key, "pid": self.pid},
        ).first()
        if row is None or int(row.epoch) != self.epoch:
            raise LostLeadership(
                f"another {self.name} took the leader lock (epoch "
                f"{None if row is None else int(row.epoch)}, this one {self.epoch}); this one stops"
            )
        if not row.held:
            raise LostLeadership(
                f"the database session holding the {self.name} lock (pid {self.pid}) is gone; "
                "this one stops"
            )

    def verify(self) -> None:
        try:
            with self._guard:
                held = bool(
                    self._connection.execute(
                        self._HELD, {"key": self.key, "pid": self.pid}
                    ).scalar_one()
                )
                self._connection.rollback()
        except Exception as error:
            raise LostLeadership(
                f"the database session holding the {self.name} lock (pid {self.pid}) is gone "
                f"({type(error).__name__}); this one stops"
            ) from error
        if not held:
            raise LostLeadership(f"the {self.name} lock is no longer held; this one stops")

    def release(self) -> None:
        try:
            with self._guard:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self._connection.commit()
        except Exception as error:  # the session is gone, and its lock with it
            logger.info("lock.release.skipped leader=%s error=%s", self.name, type(error).__name__)


@contextmanager
def writer_lock(
    engine: Engine, *, wait_seconds: float = 0.0, name: str = "indexer"
) -> Iterator[Lease]:
    """Hold the database's ``name`` lock; wait up to ``wait_seconds``, else IndexerLockHeld."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, wait_seconds, ADVISORY_LOCK_KEYS[name], name) as lease:
            yield lease
    else:
        database = engine.url.database or "memory"
        with _file_lock(Path(f"{database}.{name}.lock"), wait_seconds, name):
            yield Lease(name)


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
def _advisory_lock(
    engine: Engine, wait_seconds: float, key: int, name: str
) -> Iterator[AdvisoryLease]:
    # A session-level lock lives as long as its connection: keep this one open while leading.
    connection = engine.connect()
    try:

        def acquire() -> bool:
            query = text("SELECT pg_try_advisory_lock(:key)")
            held = bool(connection.execute(query, {"key": key}).scalar())
            connection.commit()
            return held

        if not _retry(acquire, wait_seconds):
            raise IndexerLockHeld(f"another {name} holds this database's lock; this one stops")
        lease = AdvisoryLease(name, key, connection)
        try:
            yield lease
        finally:
            lease.release()
    finally:
        try:
            connection.close()
        except Exception as error:  # a terminated session: nothing left to close
            logger.info("lock.close.skipped leader=%s error=%s", name, type(error).__name__)


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
