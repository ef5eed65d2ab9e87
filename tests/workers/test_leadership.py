"""Fenced leaders on PostgreSQL: a leader whose lock session ends writes nothing more; a
successor's takeover waits for a write that passed the check, and every later write of the old
leader is refused; under `scf serve` the old leader exits non-zero and a waiting one takes over."""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import select, text

from backend.chain.deploy import save_deployment
from backend.indexer.lock import ADVISORY_LOCK_KEYS, writer_lock
from backend.indexer.models import IndexerCursor
from backend.workers.errors import LostLeadership
from tests.conftest import POSTGRES_ADMIN_URL
from tests.indexer.helpers import scripted_history
from tests.workers.serve import serve_environment, start_serve, stop, wait_answering, wait_until


def _terminate(*pids: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _lock_holders(database: str) -> list[int]:
    keys = list(ADVISORY_LOCK_KEYS.values())
    with psycopg.connect(POSTGRES_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = ANY(%s) "
            "AND a.datname = %s",
            (keys, database),
        ).fetchall()
    return [int(pid) for (pid,) in rows]


def _waiting_on_a_lock(database: str) -> bool:
    with psycopg.connect(POSTGRES_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND wait_event_type = 'Lock' AND query ILIKE '%%leader_lease%%'",
            (database,),
        ).fetchone()
    return bool(row and row[0])


def test_a_leader_whose_lock_session_ended_is_refused_before_its_next_write(pg_engine):
    with writer_lock(pg_engine, name="indexer") as old:
        with pg_engine.begin() as connection:
            old.check(connection)  # the leader, while its session holds the lock
        _terminate(old.pid)  # type: ignore[attr-defined]
        with pytest.raises(LostLeadership, match="session holding the indexer lock"):
            with pg_engine.begin() as connection:
                old.check(connection)
        with pytest.raises(LostLeadership):
            old.verify()
        with writer_lock(pg_engine, name="indexer") as new:
            with pg_engine.begin() as connection:
                new.check(connection)
            with pytest.raises(LostLeadership, match="another indexer took the leader lock"):
                with pg_engine.begin() as connection:
                    old.check(connection)


def test_a_takeover_waits_for_the_old_leaders_write_in_flight(pg_engine):
    database = pg_engine.url.database
    acquired = threading.Event()
    release = threading.Event()
    with writer_lock(pg_engine, name="relayer") as old:
        writing = pg_engine.connect()
        transaction = writing.begin()
        old.check(writing)  # a write transaction of the old leader, past its check
        _terminate(old.pid)  # type: ignore[attr-defined]

        def successor() -> None:
            with writer_lock(pg_engine, name="relayer", wait_seconds=30):
                acquired.set()
                release.wait(30)

        thread = threading.Thread(target=successor)
        thread.start()
        try:
            wait_until(lambda: _waiting_on_a_lock(database), 30, "the successor to wait")
            assert not acquired.is_set()  # it has the advisory lock, but not the lease yet
            writing.execute(text("SELECT 1"))
            transaction.commit()
            writing.close()
            assert acquired.wait(30)
            with pytest.raises(LostLeadership):
                with pg_engine.begin() as connection:
                    old.check(connection)
        finally:
            release.set()
            thread.join()


@pytest.mark.chain
def test_a_serve_that_loses_its_lock_exits_and_a_waiting_one_takes_over(
    private_ledger, private_anvil, postgres_url, pg_engine, tmp_path
):
    ledger = private_ledger
    scripted_history(ledger, rounds=1)
    save_deployment(ledger.deployment, tmp_path / "deployments")
    env = serve_environment(tmp_path, private_anvil.url, postgres_url)
    first = start_serve(env, tmp_path, name="first")
    second = None
    try:
        wait_answering(first)
        wait_until(lambda: first.readyz()[0] == 200, what="the first instance ready")
        second = start_serve({**env, "SCF_LEADER_WAIT_SECONDS": "120"}, tmp_path, name="second")
        holders = _lock_holders(pg_engine.url.database)
        assert len(holders) == 2  # the first instance's relayer and indexer locks
        _terminate(*holders)

        assert first.process.wait(timeout=60) == 3
        lines = first.stderr().strip().splitlines()
        assert lines[-1].startswith("scf serve: fatal: ") and "lock" in lines[-1], lines[-1]
        assert sum(line.startswith("scf serve: fatal:") for line in lines) == 1

        wait_answering(second)
        wait_until(lambda: second.readyz()[0] == 200, what="the second instance ready")
        scripted_history(ledger, rounds=1)
        head = ledger.w3.eth.block_number

        def indexed_to_head() -> bool:
            with pg_engine.connect() as connection:
                return connection.execute(select(IndexerCursor.last_block)).scalar() == head

        wait_until(indexed_to_head, what="the second instance to index the new blocks")
        with pg_engine.connect() as connection:
            epochs = dict(connection.execute(text("SELECT name, epoch FROM leader_lease")).all())
        assert epochs == {"indexer": 2, "relayer": 2}
        assert "UniqueViolation" not in first.stderr() + second.stderr()
    finally:
        stop(first)
        if second is not None:
            stop(second)
