"""Benchmark: a credit record costs the same whatever the size of the ledger; PageRank does not.

Fills two SQLite databases with synthetic indexed rows (firms, verified invoices, payments), the
second with ten times the firms and trades (so each firm has as many trades as before), then
measures in the same run: a firm's record with the global
PageRank already cached (what scoring many firms at one T costs per firm), the PageRank itself
(once per T and chain prefix), and the ratio between the two ledger sizes. Prints figures;
asserts nothing.

    python bench/credit.py [--firms 500] [--trades 20000] [--records 100]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, insert  # noqa: E402

from backend.credit import network  # noqa: E402
from backend.credit.queries import EVENTS, FIRMS, PAYMENTS, TRADES  # noqa: E402
from backend.credit.record import compute_record  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.enums import DAY  # noqa: E402
from backend.migrations import upgrade  # noqa: E402

T = 1_900_000_000
EVENT_SHIFT = 20


def fill(engine: Engine, firms: int, trades: int, seed: int) -> list[str]:
    """``firms`` firms registered two years before T and ``trades`` invoices among them, each
    paid in full around its due date; returns the firms' addresses."""
    rng = random.Random(seed)
    addresses = [f"0x{index:040x}" for index in range(1, firms + 1)]
    events, firm_rows, trade_rows, payment_rows = [], [], [], []
    for number, address in enumerate(addresses, start=1):
        event = number << EVENT_SHIFT
        events.append(_event(event, number, T - 730 * DAY, "FirmRegistered",
                             {"firm": address, "roles": 1 if number % 10 else 2}))  # fmt: skip
        firm_rows.append({"address": address, "roles": 1, "status": 1, "credit_code_hash": address,
                          "registered_at": T - 730 * DAY, "registered_block": number,
                          "event_id": event})  # fmt: skip
    for index in range(trades):
        seller, buyer = rng.sample(addresses, 2)
        issued = T - rng.randrange(720 * DAY)
        block = firms + 1 + index
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
    with engine.begin() as connection:
        for table, rows in ((EVENTS, events), (FIRMS, firm_rows), (TRADES, trade_rows),
                            (PAYMENTS, payment_rows)):  # fmt: skip
            for start in range(0, len(rows), 5_000):
                connection.execute(insert(table), rows[start : start + 5_000])
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
        network.network_ranks(connection, T)
        pagerank = time.perf_counter() - start
        chosen = firms[:records]
        start = time.perf_counter()
        for firm in chosen:
            compute_record(connection, firm, T)
        per_record = (time.perf_counter() - start) / len(chosen)
    return per_record, pagerank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--trades", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=100)
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


if __name__ == "__main__":
    main()
