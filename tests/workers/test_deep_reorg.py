"""A reorg deeper than the final depth under a real `scf serve`: the process stops with exit code
3 and one clear line, instead of serving rows of orphaned blocks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.chain.deploy import save_deployment
from backend.indexer.models import IndexerCursor
from tests.indexer.helpers import scripted_history
from tests.workers.serve import serve_environment, start_serve, stop, wait_answering, wait_until

pytestmark = pytest.mark.chain


def test_a_reorg_deeper_than_the_final_depth_stops_scf_serve(
    private_ledger, private_anvil, postgres_url, pg_engine, tmp_path
):
    ledger = private_ledger
    scripted_history(ledger, rounds=1)
    save_deployment(ledger.deployment, tmp_path / "deployments")
    env = serve_environment(tmp_path, private_anvil.url, postgres_url, SCF_FINAL_DEPTH="2")
    served = start_serve(env, tmp_path)
    try:
        wait_answering(served)
        head = ledger.w3.eth.block_number

        def indexed_to_head() -> bool:
            with pg_engine.connect() as connection:
                return connection.execute(select(IndexerCursor.last_block)).scalar() == head

        wait_until(indexed_to_head, what="the indexer to reach the head")
        ledger.w3.provider.make_request("anvil_reorg", [6, []])  # type: ignore[arg-type]

        assert served.process.wait(timeout=60) == 3
        lines = served.stderr().strip().splitlines()
        fatal = [line for line in lines if line.startswith("scf serve: fatal:")]
        assert fatal == [lines[-1]]
        assert fatal[0].startswith("scf serve: fatal: indexer: ")
        assert "deeper than the final depth 2" in fatal[0]
        assert "Traceback" not in served.stderr()
    finally:
        stop(served)
