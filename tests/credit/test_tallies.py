"""The credit tallies the indexer keeps equal what the indexed trades add up to, after any
history and any reorg; window sums read from them equal the sums over the trades, to the second."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine, insert, select

from backend.credit import tallies
from backend.db import make_engine
from backend.enums import DAY, TallyMeasure
from backend.migrations import upgrade
from bench.credit import T, fill
from tests.factories import create_firm, make_trade, sign_both
from tests.indexer.helpers import make_indexer, scripted_history


def kept(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        rows = connection.execute(select(tallies.TALLIES)).all()
    return sorted(tuple(row) for row in rows)


def recomputed(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return tallies.from_rows(connection)


def test_the_kept_tallies_are_what_the_indexed_invoices_add_up_to(ledger, anvil, artifacts, engine):
    scripted_history(ledger, rounds=3)  # co-signed, batched, proposed then confirmed or rejected
    make_indexer(ledger, anvil.url, artifacts, engine).sync()
    rows = kept(engine)
    assert {row[1] for row in rows} == {TallyMeasure.SOLD, TallyMeasure.BOUGHT}
    assert rows == recomputed(engine)


def test_a_reorg_takes_back_exactly_what_the_orphaned_blocks_added(
    ledger, anvil, artifacts, engine
):
    w3 = ledger.w3
    seller, buyer = create_firm(ledger), create_firm(ledger)
    for _ in range(2):  # the day's tallies exist before the blocks that will be orphaned
        ledger.trades.record(sign_both(ledger, make_trade(seller, buyer), seller, buyer))
    indexer = make_indexer(ledger, anvil.url, artifacts, engine)
    indexer.sync()
    before = kept(engine)
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    for amount in (7_000, 11_000, 13_000):  # add to the same rows, and to new ones
        trade = make_trade(seller, buyer, amount=amount)
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    other = create_firm(ledger)
    ledger.trades.record(sign_both(ledger, make_trade(other, buyer), other, buyer))
    indexer.sync()
    assert kept(engine) != before

    w3.provider.make_request("evm_revert", [snapshot])
    ledger.transactor.reset_nonce()
    ledger.trades.record(sign_both(ledger, make_trade(seller, buyer, amount=5_000), seller, buyer))
    progress = indexer.sync()

    assert progress.rolled_back_to is not None
    assert kept(engine) == recomputed(engine)
    assert len(kept(engine)) == len(before)  # the orphaned firm's rows are gone


@pytest.fixture
def synthetic(engine: Engine) -> tuple[Engine, list[str]]:
    """A ledger written as rows (as the benches write it), its tallies rebuilt from them."""
    firms = fill(engine, 12, 3_000, seed=7)
    with engine.begin() as connection:
        assert tallies.rebuild(connection) > 0
    return engine, firms


def brute_force(engine: Engine, firm: str, measure: TallyMeasure, lo: int, hi: int) -> tuple:
    party = tallies.PARTY[measure]
    trades = tallies.TRADES
    with engine.connect() as connection:
        rows = connection.execute(
            select(trades.c.amount).where(
                party == firm,
                trades.c.kind == 2,
                trades.c.currency == 156,
                trades.c.verified_time.is_not(None),
                trades.c.issued_at > lo,
                trades.c.issued_at <= hi,
            )
        ).scalars()
        amounts = list(rows)
    return sum(amounts), len(amounts)


def test_window_sums_equal_the_sums_over_the_trades_to_the_second(synthetic):
    engine, firms = synthetic
    rng = random.Random(11)
    for _ in range(40):
        firm, measure = rng.choice(firms), rng.choice(list(TallyMeasure))
        ends = sorted(rng.randrange(T - 760 * DAY, T + 2 * DAY) for _ in range(2))
        record_windows = [(T - days * DAY, T) for days in (1, 30, 90, 365, 730)]
        buckets = [(T - (k + 1) * 30 * DAY, T - k * 30 * DAY) for k in range(24)]
        small = (ends[0], ends[0] + rng.randrange(1, 2 * DAY))  # within a day or across one
        intervals = [tuple(ends), small, (ends[0], ends[0]), *record_windows, *buckets]
        with engine.connect() as connection:
            sums = tallies.window_sums(connection, firm, measure, 156, intervals)
        for (lo, hi), found in zip(intervals, sums, strict=True):
            assert found == brute_force(engine, firm, measure, lo, hi), (firm, measure, lo, hi)


def test_a_firm_without_invoices_sums_to_zero(synthetic):
    engine, _ = synthetic
    with engine.connect() as connection:
        sums = tallies.window_sums(connection, "0x" + "ab" * 20, TallyMeasure.SOLD, 156, [(0, T)])
    assert sums == [(0, 0)]


def test_the_migration_tallies_the_trades_indexed_before_it(unmigrated_database_url):
    url = unmigrated_database_url
    upgrade(url, "0010_financing_offers")
    engine = make_engine(url)
    rng = random.Random(5)
    rows = [_trade(index, rng) for index in range(300)]
    with engine.begin() as connection:
        connection.execute(insert(tallies.TRADES), rows)
    upgrade(url)
    assert kept(engine) == recomputed(engine)
    counted = [r for r in rows if r["kind"] == 2 and r["verified_time"] is not None]
    assert sum(row[5] for row in kept(engine)) == 2 * len(counted)  # seller and buyer
    engine.dispose()


def _trade(index: int, rng: random.Random) -> dict[str, object]:
    firms = [f"0x{n:040x}" for n in range(1, 6)]
    seller, buyer = rng.sample(firms, 2)
    issued = T - rng.randrange(400 * DAY)
    verified = rng.random() < 0.8
    return {
        "trade_id": f"0x{index:064x}", "seller": seller, "buyer": buyer,
        "kind": rng.choice([0, 1, 2, 2]), "doc_hash": f"0x{index:064x}",
        "amount": rng.randrange(1, 10**9), "currency": rng.choice([156, 156, 840]),
        "issued_at": issued, "due_at": issued + 30 * DAY, "ref": "0x",
        "status": 2 if verified else 1,
        "reject_reason": None, "recorded_block": index, "recorded_time": issued,
        "verified_time": issued if verified else None, "rejected_time": None,
        "event_id": index, "answer_event_id": None,
    }  # fmt: skip
