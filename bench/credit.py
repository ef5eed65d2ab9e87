"""Benchmark: a credit record costs the same whatever the size of the ledger; PageRank does not;
a served record read costs the same whatever the length of the firm's own history.

Part 1 fills two SQLite databases with synthetic indexed rows (firms, verified invoices,
payments), the second with ten times the firms and trades (so each firm has as many trades as
before), then measures in the same run: a firm's record computed from scratch with the global
PageRank already cached (what scoring many firms at one T costs per firm), the PageRank itself
(once per T and chain prefix), and the ratio between the two ledger sizes.

Part 2, the growth curve: one firm with 100 ... 100,000 trades of its own history (``--growth``).
For each size it measures what the indexer pays to refresh that firm's stored record when one of
its events arrives (``refresh``), and what a read of the served record costs (``read``, the
median of ``--reads`` reads of ``get_record(engine, firm, None)`` after the network job ran),
and prints the read's ratio at the largest size against the smallest (target: within 0.5-1.5).
Prints figures; asserts nothing.

    python bench/credit.py [--firms 500] [--trades 20000] [--records 100]
                           [--growth 100,1000,10000,100000] [--reads 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import statistics  # noqa: E402

from eth_utils import to_checksum_address  # noqa: E402
from sqlalchemy import Engine, func, insert, select  # noqa: E402

from backend.credit import network, snapshot, tallies  # noqa: E402
from backend.credit.cache import EVIDENCE, RECORDS, get_record, refresh_records  # noqa: E402
from backend.credit.queries import CURSORS, EVENTS, FIRMS, HEADERS, PAYMENTS, TRADES  # noqa: E402
from backend.credit.record import compute_record  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.enums import DAY  # noqa: E402
from backend.migrations import upgrade  # noqa: E402

T = 1_900_000_000
EVENT_SHIFT = 20


def fill(
    engine: Engine,
    firms: int,
    trades: int,
    seed: int,
    party: str | None = None,
    first_block: int = 1,
    cursor: bool = True,
) -> list[str]:
    """``firms`` firms registered two years before T and ``trades`` invoices among them, each
    paid in full around its due date, in blocks from ``first_block`` on (a bench that also
    indexes a real chain puts them past its blocks); with ``party`` (an index into the firms, as
    a string) every trade has that firm on one side; ``cursor``: an indexer cursor and header at
    the last block, as if they had been indexed (not when a real indexer follows). Returns the
    firms' addresses, checksummed as the indexer stores them (records are keyed by that form)."""
    rng = random.Random(seed)
    addresses = [to_checksum_address(f"0x{index:040x}") for index in range(1, firms + 1)]
    events, firm_rows, trade_rows, payment_rows = [], [], [], []
    for number, address in enumerate(addresses, start=first_block):
        event = number << EVENT_SHIFT
        events.append(_event(event, number, T - 730 * DAY, "FirmRegistered",
                             {"firm": address, "roles": 1 if number % 10 else 2}))  # fmt: skip
        firm_rows.append({"address": address, "roles": 1, "status": 1, "credit_code_hash": address,
                          "registered_at": T - 730 * DAY, "registered_block": number,
                          "event_id": event})  # fmt: skip
    for index in range(trades):
        seller, buyer = rng.sample(addresses, 2)
        if party is not None:
            hub = addresses[int(party)]
            other = rng.choice([a for a in (seller, buyer) if a != hub])
            seller, buyer = (hub, other) if index % 2 else (other, hub)
        issued = T - rng.randrange(720 * DAY)
        block = first_block + firms + index
        trade_id = f"0x{index:064x}"
        trade_rows.append({
            "trade_id": trade_id, "seller": seller, "buyer": buyer, "kind": 2,
            "doc_hash": trade_id, "amount": rng.randrange(10_000, 5_000_000), "currency": 156,
            "issued_at": issued, "due_at": issued + 30 * DAY, "ref": "0x", "status": 2,
            "reject_reason": None, "recorded_block": block, "recorded_time": issued + 3_600,
            "verified_time": issued + 3_600, "rejected_time": None,
            "event_id": block << EVENT_SHIFT, "answer_event_id": None,
        })  # fmt: skip
        paid = issued + rng.randrange(20 * DAY, 45 * DAY)
        if paid < T:
            payment_rows.append({
                "payment_id": trade_id, "trade_id": trade_id, "payer": buyer, "payee": seller,
                "amount": trade_rows[-1]["amount"], "paid_at": paid, "pay_ref": "0x",
                "block_number": block, "block_time": paid, "event_id": (block << EVENT_SHIFT) + 1,
            })  # fmt: skip
    last_block = first_block + firms + trades - 1
    with engine.begin() as connection:
        for table, rows in ((EVENTS, events), (FIRMS, firm_rows), (TRADES, trade_rows),
                            (PAYMENTS, payment_rows)):  # fmt: skip
            for start in range(0, len(rows), 5_000):
                connection.execute(insert(table), rows[start : start + 5_000])
        tallies.rebuild(connection)  # what the indexer's handlers would have kept
        if not cursor:
            return addresses
        connection.execute(insert(HEADERS).values(number=last_block, hash="0x", timestamp=T))
        connection.execute(
            insert(CURSORS).values(chain_id=31_337, last_block=last_block, last_hash="0x")
        )
    return addresses


def _event(event: int, block: int, time_: int, name: str, args: dict[str, object]) -> dict:
    return {"id": event, "block_number": block, "block_hash": f"0x{block:064x}",
            "block_time": time_, "tx_hash": f"0x{event:064x}", "log_index": 0,
            "contract": "FirmRegistry", "event": name, "args": args}  # fmt: skip


def measure(engine: Engine, firms: list[str], records: int) -> tuple[float, float]:
    """(seconds per record with PageRank cached, seconds of one cold PageRank)."""
    network.clear_cache()
    with engine.connect() as connection:
        start = time.perf_counter()
        network.network_ranks(connection, T, 156)
        pagerank = time.perf_counter() - start
        snapshot.compute(connection, T, 156)  # the population too: both cached from here
        chosen = firms[:records]
        start = time.perf_counter()
        for firm in chosen:
            compute_record(connection, firm, T)
        per_record = (time.perf_counter() - start) / len(chosen)
    return per_record, pagerank


def growth(directory: str, sizes: list[int], reads: int) -> None:
    """One firm's refresh and served read at each size of its own history."""
    read_times = {}
    for size in sizes:
        url = f"sqlite:///{directory}/growth-{size}.db"
        upgrade(url)
        engine = make_engine(url)
        firms = fill(engine, 200, size, seed=size, party="0")
        firm = firms[0]
        with engine.begin() as connection:
            block = connection.execute(select(CURSORS.c.last_block)).scalar_one()
            start = time.perf_counter()
            refresh_records(connection, {firm}, block)
            refresh = time.perf_counter() - start
        snapshot.NetworkJob(engine, 60.0, 156).run_once()
        with engine.connect() as connection:
            stored = connection.execute(
                select(RECORDS.c.record).where(RECORDS.c.firm == firm)
            ).scalar_one()
            references = connection.execute(
                select(func.count()).select_from(EVIDENCE).where(EVIDENCE.c.firm == firm)
            ).scalar_one()
        get_record(engine, firm, None)  # the snapshot parsed once, as any process does
        timings = []
        for _ in range(reads):
            start = time.perf_counter()
            get_record(engine, firm, None)
            timings.append(time.perf_counter() - start)
        read_times[size] = statistics.median(timings)
        engine.dispose()
        print(f"{size:>9,} trades of one firm: refresh {refresh * 1000:9.1f} ms (indexer), "
              f"read {read_times[size] * 1000:6.3f} ms (served, median of {reads}), "
              f"stored record {len(str(stored)):,} chars, "
              f"{references:,} evidence references")  # fmt: skip
    smallest, largest = min(sizes), max(sizes)
    print(f"read at {largest:,} / at {smallest:,} trades: "
          f"x{read_times[largest] / read_times[smallest]:.2f} (target 0.5-1.5)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--trades", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--growth", default="100,1000,10000,100000")
    parser.add_argument("--reads", type=int, default=200)
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        for scale in (1, 10):
            url = f"sqlite:///{directory}/credit-{scale}.db"
            upgrade(url)
            engine = make_engine(url)
            firms = fill(engine, options.firms * scale, options.trades * scale, seed=scale)
            results[scale] = measure(engine, firms, options.records)
            engine.dispose()
            per_record, pagerank = results[scale]
            print(f"{options.trades * scale:>9,} trades, {options.firms * scale:>6,} firms: "
                  f"record {per_record * 1000:7.2f} ms (PageRank cached), "
                  f"PageRank {pagerank * 1000:8.1f} ms once per as_of")  # fmt: skip
        print(f"10x the ledger: record x{results[10][0] / results[1][0]:.2f}, "
              f"PageRank x{results[10][1] / results[1][1]:.2f}")  # fmt: skip
        growth(directory, [int(n) for n in options.growth.split(",")], options.reads)


if __name__ == "__main__":
    main()
