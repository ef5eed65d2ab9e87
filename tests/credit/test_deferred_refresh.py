"""Records refreshed once per indexing cycle equal records computed afresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.credit.cache import DeferredRefresh, _block_time
from backend.credit.models import CreditRecord
from backend.credit.record import compute_record
from tests.indexer.helpers import make_indexer, scripted_history

pytestmark = pytest.mark.chain


def test_a_cycle_refreshes_every_touched_firm_once_as_of_the_last_block(
    ledger, anvil, artifacts, engine
):
    scripted_history(ledger, rounds=1)
    credit = DeferredRefresh(engine)
    indexer = make_indexer(
        ledger, anvil.url, artifacts, engine, max_range=2, on_batch=credit.collect
    )
    progress = indexer.sync()
    with engine.connect() as connection:
        assert (
            connection.execute(select(CreditRecord)).first() is None
        )  # nothing until the cycle ends
    credit.flush(progress.to_block)
    with engine.connect() as connection:
        rows = connection.execute(select(CreditRecord)).all()
        as_of = _block_time(connection, progress.to_block)
        assert len(rows) >= 4  # the core enterprise and three suppliers at least
        for row in rows:
            assert row.as_of_block == progress.to_block
            assert row.record == compute_record(connection, row.firm, as_of).to_json(
                include_evidence=True
            )
