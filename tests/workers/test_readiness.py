"""/healthz is liveness only; /readyz is 503 with a reason when the indexer lags or the queue
is stuck, 200 once they are not; /metrics carries the queue and the indexer's figures."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend.app import create_app
from backend.chain.anvil import free_port
from backend.db import make_engine
from backend.enums import OutboxStatus
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.relayer.models import OutboxItem
from backend.services import Services
from backend.settings import Settings

pytestmark = pytest.mark.chain


def _client(ledger, engine, models_dir, **settings) -> TestClient:
    return TestClient(
        create_app(Services(Settings(models_dir=models_dir, **settings), engine, ledger))
    )


def test_healthz_answers_without_the_database_and_readyz_says_it_is_gone(ledger, models_dir):
    gone = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    client = _client(ledger, gone, models_dir)
    assert client.get("/healthz").json() == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert any(r.startswith("database unreachable: ") for r in answer.json()["reasons"])
    gone.dispose()


def test_readyz_says_why_the_indexer_lags_and_recovers(ledger, anvil, engine, models_dir):
    client = _client(ledger, engine, models_dir, ready_max_lag_blocks=0)
    ledger.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert any(r.startswith("indexer: ") and "blocks behind" in r for r in answer.json()["reasons"])

    Indexer(engine, JsonRpc(anvil.url), ledger.deployment, ledger.artifacts).sync()
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["ready"] is True and answer.json()["lag"] == 0

    metrics = client.get("/metrics").text
    assert "scf_indexer_cursor_block " in metrics and "scf_indexer_lag_blocks 0.0" in metrics


def test_readyz_says_when_the_oldest_queued_submission_is_too_old(ledger, engine, models_dir):
    client = _client(ledger, engine, models_dir, ready_max_queue_age_seconds=60)
    assert client.get("/readyz").status_code == 200
    an_hour_ago = time.time() - 3600
    with Session(engine) as session:
        session.add(
            OutboxItem(
                id="stuck",
                kind="trade",
                subject="0x01",
                dedupe_key="stuck",
                payload={},
                submitter="0x00",
                status=OutboxStatus.QUEUED,
                created_at=an_hour_ago,
                updated_at=an_hour_ago,
            )
        )
        session.commit()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert any("oldest queued submission" in r for r in answer.json()["reasons"])
    metrics = client.get("/metrics").text
    assert 'scf_relayer_queue_depth{status="queued"} 1.0' in metrics
    assert "scf_relayer_oldest_queued_seconds 3" in metrics  # ~3600 s
