"""The network figures off the request path: the background job computes them at most once per
interval and only after new blocks, stores them with their block, and never twice at a time; the
whole-ledger computations are single-flight per key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from backend.credit import snapshot
from backend.credit.cache import get_record, last_indexed
from backend.credit.singleflight import SingleFlightCache
from backend.credit.snapshot import SNAPSHOTS, NetworkJob
from backend.indexer.indexer import Indexer
from tests.credit.conftest import ScriptedChain
from tests.factories import CNY

pytestmark = pytest.mark.chain


def test_concurrent_askers_of_one_key_share_one_computation():
    cache: SingleFlightCache[int] = SingleFlightCache(4)
    calls: list[int] = []
    release = threading.Event()

    def compute() -> int:
        calls.append(1)
        release.wait(10)
        return 42

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(cache.get, "key", compute) for _ in range(16)]
        release.set()
        assert [future.result() for future in futures] == [42] * 16
    assert len(calls) == 1
    assert cache.get("key", lambda: 0) == 42  # cached
    assert cache.get("other", lambda: 7) == 7


def test_the_job_computes_once_per_new_block_and_stores_the_block(
    engine, w3, scripted: ScriptedChain, scripted_indexer: Indexer
):
    scripted_indexer.rpc.cap = scripted.checkpoints[-1]
    scripted_indexer.sync()
    job = NetworkJob(engine, 3_600.0, CNY)
    with engine.connect() as connection:
        assert snapshot.latest(connection) is None
        block, block_time = last_indexed(connection)
    assert job.run_once() is True
    assert job.run_once() is False  # nothing indexed since: nothing to compute
    assert 0 < job.step() <= 3_600.0  # and not due before the interval
    with engine.connect() as connection:
        stored = snapshot.latest(connection)
    assert stored is not None and (stored.as_of_block, stored.as_of_time) == (block, block_time)
    assert len(stored.ranks) > 0 and stored.currency == CNY

    w3.provider.make_request("evm_mine", [])
    scripted_indexer.rpc.cap = None
    scripted_indexer.sync()
    with ThreadPoolExecutor(4) as pool:  # one run at a time: the others return at once
        ran = list(pool.map(lambda _: job.run_once(), range(4)))
    assert ran.count(True) == 1
    with engine.connect() as connection:
        newest, newest_time = last_indexed(connection)
        blocks = connection.execute(select(SNAPSHOTS.c.as_of_block)).scalars().all()
        assert connection.execute(select(func.count()).select_from(SNAPSHOTS)).scalar() == 2
    assert sorted(blocks) == [block, newest]
    s = scripted.history.address("S")
    assert get_record(engine, s, None).network == {
        "as_of_block": newest,
        "as_of_time": newest_time,
        "reason": None,
    }


def test_a_past_as_of_never_computes_the_network(engine, scripted, scripted_indexer):
    scripted_indexer.sync()
    record = get_record(engine, scripted.history.address("S"), scripted.history.as_of)
    assert record.figures["network_rank"] == {"value": None, "firms": None}
    assert record.network is not None and "newest block only" in record.network["reason"]
