"""Benchmark: what the indexer pays to refresh credit records, by the length of a firm's history.

For each size, a ledger of 200 firms where one hub is on one side of every trade (as
bench/credit.py writes it, tallies rebuilt), then the hub's record refreshed five times and
twenty of its counterparties' once each (``refresh_records`` in a transaction, as the indexer's
callback runs it): the medians. Printed, never asserted. It uses only what every version of the
records code has, so the same file run in a worktree of an older commit gives that commit's
figures for a same-machine comparison.

    python bench/refresh.py [100,10000,100000]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(sys.argv[0]).resolve().parents[1]))

from sqlalchemy import Engine, select  # noqa: E402

from backend.credit.cache import refresh_records  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.migrations import upgrade  # noqa: E402
from bench.credit import CURSORS, fill  # noqa: E402


def main() -> None:
    sizes = [int(n) for n in (sys.argv[1] if len(sys.argv) > 1 else "100,10000,100000").split(",")]
    with tempfile.TemporaryDirectory() as directory:
        for size in sizes:
            url = f"sqlite:///{directory}/refresh-{size}.db"
            upgrade(url)
            engine = make_engine(url)
            firms = fill(engine, 200, size, seed=size, party="0")
            hub = [_refresh(engine, firms[0]) for _ in range(5)]
            others = [_refresh(engine, firm) for firm in firms[1:21]]
            engine.dispose()
            print(f"{size:>9,} trades: the hub's refresh {statistics.median(hub) * 1000:9.1f} ms, "
                  f"a counterparty's (~{size // 199:,} trades) "
                  f"{statistics.median(others) * 1000:7.1f} ms (medians)")  # fmt: skip


def _refresh(engine: Engine, firm: str) -> float:
    with engine.begin() as connection:
        block = connection.execute(select(CURSORS.c.last_block)).scalar_one()
        start = time.perf_counter()
        refresh_records(connection, {firm}, block)
        return time.perf_counter() - start


if __name__ == "__main__":
    main()
