"""A node outage of a few seconds under `scf serve`: the indexer and the relayer back off and
resume, nothing is lost, the restarts are counted, and /readyz says 503 (with the reason) during
the outage and 200 after."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from backend.chain.deploy import save_deployment
from backend.db import make_engine
from backend.enums import OutboxStatus, Role
from backend.indexer.models import IndexerCursor
from backend.migrations import upgrade
from backend.relayer.models import OutboxItem
from backend.trades.models import Trade
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade
from tests.indexer.helpers import dump, make_indexer, scripted_history
from tests.workers.serve import serve_environment, start_serve, stop, wait_answering, wait_until

pytestmark = pytest.mark.chain


def _cursor(engine) -> int:
    with engine.connect() as connection:
        value = connection.execute(select(IndexerCursor.last_block)).scalar()
    return -1 if value is None else int(value)


def _ready(served) -> bool:
    return served.readyz()[0] == 200


def _not_ready_because(served, *words: str):
    status, body = served.readyz()
    reasons = " | ".join(body.get("reasons", []))
    return status == 503 and all(word in reasons for word in words) and reasons


def test_the_indexer_rides_out_a_node_outage(
    private_ledger, private_anvil, proxy, artifacts, postgres_url, pg_engine, tmp_path
):
    ledger = private_ledger
    scripted_history(ledger, rounds=1)
    save_deployment(ledger.deployment, tmp_path / "deployments")
    env = serve_environment(tmp_path, proxy.url, postgres_url)
    served = start_serve(env, tmp_path, "--no-relayer")
    try:
        wait_answering(served)
        wait_until(lambda: _ready(served), what="/readyz 200 before the outage")
        wait_until(lambda: _cursor(pg_engine) == ledger.w3.eth.block_number, what="caught up")

        proxy.stop()
        scripted_history(ledger, rounds=1)  # the chain goes on; the indexer cannot see it
        reasons = wait_until(
            lambda: _not_ready_because(served, "node unreachable", "worker indexer retrying"),
            what="/readyz 503 naming the node and the indexer",
        )
        assert "worker indexer retrying" in reasons
        wait_until(
            lambda: (
                served.metric("scf_worker_retries_total", outcome="retryable", worker="indexer")
                >= 3
            ),
            what="three retries of the indexer",
        )
        proxy.start()

        wait_until(lambda: _ready(served), what="/readyz 200 after the outage")
        wait_until(lambda: _cursor(pg_engine) == ledger.w3.eth.block_number, what="caught up")
        assert served.metric("scf_worker_restarts_total", worker="indexer") >= 3
        assert served.process.poll() is None
    finally:
        stop(served)
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    upgrade(clean_url)
    clean = make_engine(clean_url)
    make_indexer(ledger, private_anvil.url, artifacts, clean).sync()
    assert dump(pg_engine) == dump(clean)  # nothing lost, nothing twice


def test_the_relayer_rides_out_a_node_outage_during_a_round(
    private_ledger, proxy, postgres_url, pg_engine, tmp_path
):
    ledger = private_ledger
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    save_deployment(ledger.deployment, tmp_path / "deployments")
    # A round starts 4 s after the first submission: the node is gone by then.
    env = serve_environment(tmp_path, proxy.url, postgres_url, SCF_RELAYER_MAX_WAIT_SECONDS="4")
    served = start_serve(env, tmp_path)
    try:
        wait_answering(served)
        wait_until(lambda: _ready(served), what="/readyz 200 before the outage")
        with httpx.Client(base_url=served.url, timeout=30) as client:
            headers = sign_in(client, seller)
            ids = []
            for _ in range(5):
                body = signed_body(ledger, make_trade(seller, buyer), seller, buyer)
                answer = client.post("/trades", json=body, headers=headers)
                assert answer.status_code == 202, answer.text
                ids.append(answer.json()["trade_id"])
        proxy.stop()
        wait_until(
            lambda: (
                served.metric("scf_worker_retries_total", outcome="retryable", worker="relayer")
                >= 2
            ),
            what="two retries of the relayer",
        )
        wait_until(
            lambda: _not_ready_because(served, "worker relayer retrying"),
            what="/readyz 503 naming the relayer",
        )
        proxy.start()

        def all_recorded() -> bool:
            with Session(pg_engine) as session:
                rows = session.exec(select(OutboxItem.status)).scalars().all()  # type: ignore[call-overload]
            return len(rows) == len(ids) and set(rows) == {OutboxStatus.RECORDED}

        wait_until(all_recorded, what="every submission recorded")

        def indexed() -> list[str]:
            with Session(pg_engine) as session:
                return sorted(session.exec(select(Trade.trade_id)).scalars().all())  # type: ignore[call-overload]

        wait_until(lambda: indexed() == sorted(ids), what="every trade indexed, once")
        wait_until(lambda: _ready(served), what="/readyz 200 after the outage")
        assert served.metric("scf_worker_restarts_total", worker="relayer") >= 2
        assert served.metric("scf_relayer_transactions_broadcast_total") >= 1
    finally:
        stop(served)
