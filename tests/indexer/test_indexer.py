"""The indexer against a real anvil, on SQLite and PostgreSQL: rebuild, reorg, crash, lock."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.db import make_engine
from backend.indexer import indexer as indexer_module
from backend.indexer.indexer import Indexer, ReorgTooDeep
from backend.indexer.lock import IndexerLockHeld, writer_lock
from backend.indexer.models import ChainEvent
from backend.indexer.readahead import ReaderFailed, read_in_process
from backend.indexer.rpc import JsonRpc
from backend.migrations import upgrade
from backend.trades.models import Payment, Trade
from backend.workers.errors import HandlerError
from tests.factories import create_firm, make_trade, sign_both
from tests.indexer.helpers import dump, make_indexer, records, scripted_history

pytestmark = pytest.mark.chain


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def _second_database(tmp_path, name="rebuild"):
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    upgrade(url)
    return make_engine(url)


def test_indexes_every_event_in_order(ledger, anvil, artifacts, engine):
    scripted_history(ledger, rounds=2)
    progress = make_indexer(ledger, anvil.url, artifacts, engine).sync()
    assert progress.to_block == ledger.w3.eth.block_number
    with engine.connect() as connection:
        trades = {row.trade_id: row for row in connection.execute(select(Trade))}
        events = connection.execute(select(ChainEvent).order_by(ChainEvent.id)).all()
    assert len(trades) == 2 * (3 + 4 + 1)
    assert sorted(t.status for t in trades.values()).count(3) == 1  # one rejection (round 0)
    assert _count(engine, Payment) == 6
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(e.id == e.block_number << 20 | e.log_index for e in events)


def test_a_clean_reindex_reproduces_every_row(ledger, anvil, artifacts, engine, tmp_path):
    scripted_history(ledger, rounds=2)
    stepwise = make_indexer(ledger, anvil.url, artifacts, engine, max_range=2)
    stepwise.sync()
    rebuilt = _second_database(tmp_path)
    make_indexer(ledger, anvil.url, artifacts, rebuilt).sync()
    assert dump(rebuilt) == dump(engine)
    assert records(rebuilt) == records(engine)  # every credit record, evidence included


def test_running_again_changes_nothing(ledger, anvil, artifacts, engine):
    scripted_history(ledger, rounds=1)
    indexer = make_indexer(ledger, anvil.url, artifacts, engine)
    indexer.sync()
    before = dump(engine)
    assert indexer.step() is None
    assert make_indexer(ledger, anvil.url, artifacts, engine).sync().events == 0
    assert dump(engine) == before


def _reading_by_process(monkeypatch) -> list[object]:
    """Record every read-ahead done by a forked reader process."""
    reads: list[object] = []

    def recorded(produce, *, in_child):
        reads.append(produce)
        return read_in_process(produce, in_child=in_child)

    monkeypatch.setattr(indexer_module, "read_in_process", recorded)
    return reads


def test_a_catch_up_read_by_a_reader_process_writes_the_same_rows(
    ledger, anvil, artifacts, engine, tmp_path, monkeypatch
):
    scripted_history(ledger, rounds=2)
    reads = _reading_by_process(monkeypatch)
    make_indexer(ledger, anvil.url, artifacts, engine, final_depth=1).sync()
    assert reads  # more blocks than the final depth: a catch-up, read by a process
    threaded = _second_database(tmp_path)
    make_indexer(ledger, anvil.url, artifacts, threaded, final_depth=1_000).sync()
    assert dump(threaded) == dump(engine)
    assert records(threaded) == records(engine)


def test_an_error_in_the_reader_process_stops_the_writer_with_nothing_half_written(
    ledger, anvil, artifacts, engine, monkeypatch
):
    scripted_history(ledger, rounds=1)
    reads = _reading_by_process(monkeypatch)

    def unreadable(self, logs):
        raise ReaderFailed("this node's logs cannot be read")

    monkeypatch.setattr(Indexer, "_decode", unreadable)
    indexer = make_indexer(ledger, anvil.url, artifacts, engine, final_depth=1)
    with pytest.raises(ReaderFailed, match="cannot be read"):
        indexer.sync()
    assert reads
    assert _count(engine, ChainEvent) == 0


# ─────────────────────────────────────────────────────────────── reorgs


def test_a_reorg_rolls_back_orphaned_rows_and_reads_the_canonical_chain(
    ledger, anvil, artifacts, engine, tmp_path
):
    w3 = ledger.w3
    scripted_history(ledger, rounds=1)
    seller, buyer = create_firm(ledger), create_firm(ledger)
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    orphans = [make_trade(seller, buyer) for _ in range(3)]
    for trade in orphans:
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    indexer = make_indexer(ledger, anvil.url, artifacts, engine)
    indexer.sync()
    assert _count(engine, Trade) == 8 + 3  # 3 invoices, a batch of 4, 1 proposal; 3 orphans

    w3.provider.make_request("evm_revert", [snapshot])
    ledger.transactor.reset_nonce()
    canonical = [make_trade(seller, buyer) for _ in range(4)]
    for trade in canonical:
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    progress = indexer.sync()

    assert progress.rolled_back_to is not None
    with engine.connect() as connection:
        ids = set(connection.execute(select(Trade.trade_id)).scalars())
    domain = ledger.trades.domain
    assert not ids & {"0x" + t.trade_id(domain).hex() for t in orphans}
    assert {"0x" + t.trade_id(domain).hex() for t in canonical} <= ids
    clean = _second_database(tmp_path)
    make_indexer(ledger, anvil.url, artifacts, clean).sync()
    assert dump(clean) == dump(engine)
    assert records(clean) == records(engine)


def test_anvil_reorg_replacing_recent_blocks_is_followed(
    ledger, anvil, artifacts, engine, tmp_path
):
    w3 = ledger.w3
    seller, buyer = create_firm(ledger), create_firm(ledger)
    for _ in range(3):
        ledger.trades.record(sign_both(ledger, make_trade(seller, buyer), seller, buyer))
    indexer = make_indexer(ledger, anvil.url, artifacts, engine)
    indexer.sync()
    w3.provider.make_request("anvil_reorg", [2, []])  # the last two trades' blocks, now empty
    ledger.transactor.reset_nonce()
    indexer.sync()
    assert _count(engine, Trade) == 1
    clean = _second_database(tmp_path)
    make_indexer(ledger, anvil.url, artifacts, clean).sync()
    assert dump(clean) == dump(engine)


class _ReorgWhenReading(JsonRpc):
    """A node that replaces its last ``depth`` blocks (anvil_reorg) just before the indexer
    reads the logs of ``at_block``: the ranges read before it are then orphaned, though each
    was read consistently."""

    def __init__(self, url: str, at_block: int, depth: int) -> None:
        super().__init__(url)
        self.at_block, self.depth, self.fired = at_block, depth, False

    def logs(self, addresses, from_block, to_block):
        if from_block == self.at_block and not self.fired:
            self.fired = True
            self.call("anvil_reorg", [self.depth, []])
        return super().logs(addresses, from_block, to_block)


@pytest.mark.parametrize("how", ["sync", "step"])
def test_a_reorg_between_two_reads_is_caught_by_the_next_range_s_parent(
    ledger, anvil, artifacts, engine, tmp_path, how
):
    seller, buyer = create_firm(ledger), create_firm(ledger)
    make_indexer(ledger, anvil.url, artifacts, engine).sync()
    for _ in range(2):
        ledger.trades.record(sign_both(ledger, make_trade(seller, buyer), seller, buyer))
    head = ledger.w3.eth.block_number
    # One block per range: the first trade's block is read, then both blocks are replaced.
    rpc = _ReorgWhenReading(anvil.url, at_block=head, depth=2)
    indexer = Indexer(engine, rpc, ledger.deployment, artifacts, max_range=1)
    if how == "sync":
        indexer.sync()
    else:
        while indexer.step() is not None:
            pass
    ledger.transactor.reset_nonce()
    assert rpc.fired
    assert _count(engine, Trade) == 0  # both trades' blocks are gone from the chain
    clean = _second_database(tmp_path)
    make_indexer(ledger, anvil.url, artifacts, clean).sync()
    assert dump(clean) == dump(engine)


def test_a_reorg_deeper_than_the_final_depth_stops_the_indexer(ledger, anvil, artifacts, engine):
    seller, buyer = create_firm(ledger), create_firm(ledger)
    for _ in range(5):
        ledger.trades.record(sign_both(ledger, make_trade(seller, buyer), seller, buyer))
    indexer = make_indexer(ledger, anvil.url, artifacts, engine, final_depth=2)
    indexer.sync()
    ledger.w3.provider.make_request("anvil_reorg", [4, []])
    ledger.transactor.reset_nonce()
    with pytest.raises(ReorgTooDeep, match="deeper than the final depth 2"):
        indexer.sync()


# ─────────────────────────────────────────────────────────────── crashes and the lock


class _Crash(Exception):
    pass


def test_a_crash_in_the_middle_of_a_batch_leaves_nothing_half_written(
    ledger, anvil, artifacts, engine, tmp_path, monkeypatch
):
    scripted_history(ledger, rounds=2)
    from backend.indexer import events as registry

    original = registry.HANDLERS["TradeLedger:PaymentRecorded"]
    calls = {"n": 0}

    def crash_on_the_third_payment(store, event):
        calls["n"] += 1
        if calls["n"] == 3:
            raise _Crash
        original(store, event)

    monkeypatch.setitem(
        registry.HANDLERS, "TradeLedger:PaymentRecorded", crash_on_the_third_payment
    )
    indexer = make_indexer(ledger, anvil.url, artifacts, engine)
    with pytest.raises(HandlerError) as raised:
        indexer.sync()
    # the error names the event it failed on (Ponder's addErrorMeta), and keeps its cause
    assert isinstance(raised.value.__cause__, _Crash)
    assert raised.value.event_key == "TradeLedger:PaymentRecorded"
    assert raised.value.tx_hash.startswith("0x") and raised.value.block_number > 0
    assert f"block {raised.value.block_number}" in str(raised.value)
    cursor_block = indexer.cursor()[0]
    with engine.connect() as connection:
        beyond = connection.execute(
            select(func.count())
            .select_from(ChainEvent)
            .where(ChainEvent.block_number > cursor_block)
        ).scalar_one()
    assert beyond == 0  # nothing of the failed batch was kept

    monkeypatch.setitem(registry.HANDLERS, "TradeLedger:PaymentRecorded", original)
    indexer.sync()
    clean = _second_database(tmp_path)
    make_indexer(ledger, anvil.url, artifacts, clean).sync()
    assert dump(clean) == dump(engine)


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(engine):
    with writer_lock(engine):
        with pytest.raises(IndexerLockHeld, match="another indexer"):
            with writer_lock(engine, wait_seconds=0.3):
                pass
    with writer_lock(engine, wait_seconds=0.3):
        pass  # free again
