"""The fence is wired into every writer: an indexer or a relayer whose lease another process
took writes nothing (PostgreSQL; SQLite's file lock cannot be lost while the process runs)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from backend.enums import OutboxStatus, Role
from backend.indexer.indexer import Indexer
from backend.indexer.lock import writer_lock
from backend.indexer.models import ChainEvent, IndexerCursor
from backend.indexer.rpc import JsonRpc
from backend.relayer.models import OutboxItem, RelayedTransaction
from backend.relayer.relayer import Relayer
from backend.workers.errors import LostLeadership
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade
from tests.indexer.helpers import scripted_history

pytestmark = pytest.mark.chain


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's file lock is held by the process: it cannot be lost")


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_an_indexer_whose_lease_was_taken_writes_nothing(
    postgres_only, ledger, anvil, artifacts, engine
):
    scripted_history(ledger, rounds=1)
    with writer_lock(engine, name="indexer") as old:
        indexer = Indexer(engine, JsonRpc(anvil.url), ledger.deployment, artifacts, fence=old.check)
        with _successor(engine, old, "indexer"):
            with pytest.raises(LostLeadership):
                indexer.sync()
    assert _count(engine, ChainEvent) == 0 and _count(engine, IndexerCursor) == 0


def test_a_relayer_whose_lease_was_taken_writes_and_sends_nothing(
    postgres_only,
    ledger,
    anvil,
    client,
    services,
):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    for _ in range(3):
        body = signed_body(ledger, make_trade(seller, buyer), seller, buyer)
        assert client.post("/trades", json=body, headers=headers).status_code == 202
    operator = ledger.transactor.address
    nonce_before = ledger.w3.eth.get_transaction_count(operator, "pending")
    with writer_lock(services.engine, name="relayer") as old:
        relayer = Relayer(services.engine, ledger, JsonRpc(anvil.url), fence=old.check)
        with _successor(services.engine, old, "relayer"):
            with pytest.raises(LostLeadership):
                relayer.run_once()
    with Session(services.engine) as session:
        statuses = {row.status for row in session.exec(select(OutboxItem)).scalars()}  # type: ignore[call-overload]
    assert statuses == {OutboxStatus.QUEUED}  # the write-ahead was refused ...
    assert _count(services.engine, RelayedTransaction) == 0
    assert (
        ledger.w3.eth.get_transaction_count(operator, "pending") == nonce_before
    )  # ... and so the send


def _successor(engine, old, name):
    """Another process's lock: the old leader's session ends, a new one takes the lease."""
    import psycopg

    from tests.conftest import POSTGRES_ADMIN_URL

    with psycopg.connect(POSTGRES_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (old.pid,))
    return writer_lock(engine, name=name, wait_seconds=10)
