"""Records refreshed once per indexing cycle equal records computed afresh (the global figures
null until the network job has run, then equal to theirs computed afresh)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.credit.cache import DeferredRefresh, _block_time
from backend.credit.models import CreditRecord
from backend.credit.record import compute_record
from tests.credit.equality import assert_served_equals_recomputed, served_evidence
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
            # no network snapshot yet: the global figures are null, with the reason
            fresh = compute_record(connection, row.firm, as_of, network_figures=None)
            assert row.record == fresh.to_json(include_evidence=False)
            assert row.record["network"]["reason"].startswith("not yet computed")
            assert served_evidence(engine, row.firm) == dict(fresh.evidence)
    assert assert_served_equals_recomputed(engine, [row.firm for row in rows]) == len(rows)


def test_a_cycle_also_refreshes_the_stalest_records(ledger, anvil, artifacts, engine):
    scripted_history(ledger, rounds=1)
    credit = DeferredRefresh(engine, max_age_s=3_600, stale_limit=2)
    indexer = make_indexer(ledger, anvil.url, artifacts, engine, on_batch=credit.collect)
    first = indexer.sync().to_block
    credit.flush(first)
    w3 = ledger.w3
    latest = w3.eth.get_block("latest")["timestamp"]
    w3.provider.make_request("evm_setNextBlockTimestamp", [latest + 600])
    w3.provider.make_request("evm_mine", [])  # younger than the maximum age: nothing moves
    credit.flush(indexer.sync().to_block)
    with engine.connect() as connection:
        assert set(connection.execute(select(CreditRecord.as_of_block)).scalars()) == {first}
    w3.provider.make_request("evm_setNextBlockTimestamp", [latest + 7_200])
    w3.provider.make_request("evm_mine", [])  # two hours later, without events of the ledger
    later = indexer.sync().to_block
    credit.flush(later)
    with engine.connect() as connection:
        rows = connection.execute(select(CreditRecord)).all()
        blocks = sorted(row.as_of_block for row in rows)
        assert blocks == [first] * (len(rows) - 2) + [later] * 2  # the stale limit per cycle
        for row in rows:
            fresh = compute_record(
                connection, row.firm, row.as_of_time, network_figures=None
            ).to_json()
            assert row.record == fresh
