"""Indexer throughput: events decoded and stored per second, against web3's decoded path.

Run: ``.venv/bin/python bench/indexer.py [--events 100000]``. Printed, never asserted. Besides
the whole rate, the rate of each 100,000-event segment of the catch-up and the last segment's
against the first (issue 14's target: >= 0.8x over 1,000,000 events).

A bench-only contract (contracts/test/TradeEventEmitter.sol) emits ``TradeRecorded`` events in
bulk on a local anvil. Our path: ``scf``'s Indexer (raw ``eth_getLogs``, direct word decoding,
bulk inserts of the chain events and the trade rows) into a fresh SQLite file, in a child process
so its peak RSS is its own; the peak RSS of the indexer's forked reader process is printed beside
it, and the peak of the two processes' summed PSS (their sum of RSS would count shared pages
twice). The web3 path, on a sample in
the same run: ``contract.events.TradeRecorded.get_logs`` then the same rows added through the
ORM, as a straightforward implementation would. The ratio compares the two on events per second.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eth_account import Account  # noqa: E402
from sqlmodel import Session  # noqa: E402

from backend.chain.anvil import Anvil  # noqa: E402
from backend.chain.compiler import compile_contracts  # noqa: E402
from backend.chain.deploy import DeployedContract, Deployment  # noqa: E402
from backend.chain.node import connect  # noqa: E402
from backend.chain.transactor import Transactor  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.indexer.indexer import Indexer  # noqa: E402
from backend.indexer.models import ChainEvent  # noqa: E402
from backend.indexer.rpc import JsonRpc  # noqa: E402
from backend.migrations import upgrade  # noqa: E402
from backend.settings import DEVELOPMENT_OPERATOR_KEY  # noqa: E402
from backend.trades.models import Trade  # noqa: E402

EVENTS_PER_TX = 3_000
FIRMS = 50
WEB3_SAMPLE = 20_000
FINAL_DEPTH = 64
SEGMENT = 100_000  # events per segment of the catch-up's rate


def emit(url: str, events: int) -> tuple[str, int]:
    """Deploy the emitter and emit ``events`` trades; returns (address, deploy block)."""
    artifacts = compile_contracts()
    w3 = connect(url)
    operator = Account.from_key(DEVELOPMENT_OPERATOR_KEY)
    transactor = Transactor.for_contracts(w3, operator, artifacts)
    emitter = artifacts["TradeEventEmitter"]
    receipt = transactor.deploy(emitter.abi, emitter.bytecode)
    contract = w3.eth.contract(address=receipt["contractAddress"], abi=emitter.abi)
    firms = [Account.create().address for _ in range(FIRMS)]
    for first in range(0, events, EVENTS_PER_TX):
        count = min(EVENTS_PER_TX, events - first)
        transactor.send(contract.functions.emitTrades(first, count, firms), gas=29_000_000)
    # Blocks past the final depth, as in a catch-up over history: final blocks need no journal.
    w3.provider.make_request("anvil_mine", [hex(FINAL_DEPTH + 1)])
    return str(receipt["contractAddress"]), int(receipt["blockNumber"])


def bench_deployment(chain_id: int, address: str, block: int) -> Deployment:
    """The emitter stands where the trade ledger would: same event, same decoding."""
    abi_hash = compile_contracts()["TradeLedger"].abi_hash
    return Deployment(chain_id, block, {"TradeLedger": DeployedContract(address, abi_hash, block)})


class PeakMemory:
    """The peak, sampled every 50 ms, of this process's PSS plus its children's (the forked
    reader): PSS shares each shared page out between the processes mapping it, so the sum counts
    memory once, where adding the two RSS figures would count shared pages twice."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            pids = [os.getpid(), *_children(os.getpid())]
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in pids))


def _children(pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            pids += [int(child) for child in (task / "children").read_text().split()]
    return pids


def _pss_kib(pid: int) -> int:
    """Proportional set size of ``pid`` (0 once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def index_only(url: str, address: str, block: int, database: str) -> None:
    """Child process: index everything, print events, seconds and peak RSS as JSON."""
    database_url = f"sqlite:///{database}"
    upgrade(database_url)
    engine = make_engine(database_url)
    rpc = JsonRpc(url)
    deployment = bench_deployment(int(rpc.call("eth_chainId", []), 16), address, block)
    marks: list[tuple[float, int]] = []  # (seconds since the start, events stored) per batch
    indexer = Indexer(
        engine,
        rpc,
        deployment,
        compile_contracts(),
        final_depth=FINAL_DEPTH,
        on_batch=lambda _c, _f, to_block: marks.append(
            (time.perf_counter() - started, (to_block - block) * EVENTS_PER_TX)
        ),
    )
    with PeakMemory() as memory:
        started = time.perf_counter()
        progress = indexer.sync()
        seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # its reader process
    print(
        json.dumps(
            {
                "events": progress.events,
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "reader_peak_mib": reader_kib / 1024,
                "peak_pss_mib": memory.peak_kib / 1024,
                "segments": segment_rates(marks, progress.events),
            }
        )
    )


def segment_rates(marks: list[tuple[float, int]], events: int) -> list[float]:
    """Events per second over each SEGMENT of the catch-up (the last may be shorter), from the
    batch boundaries nearest each segment's end: does the rate fall as the database grows?

    Each emitting transaction is a block of EVENTS_PER_TX events, so a batch's last block says
    how many events are stored when it commits."""
    rates, last_time, last_events = [], 0.0, 0
    for boundary in range(SEGMENT, events + SEGMENT, SEGMENT):
        boundary = min(boundary, events)
        at = next(((t, min(n, events)) for t, n in marks if min(n, events) >= boundary), None)
        if at is None or at[1] <= last_events:
            continue
        rates.append((at[1] - last_events) / (at[0] - last_time))
        last_time, last_events = at
    return rates


def web3_path(url: str, address: str, block: int, database: str, sample: int) -> tuple[int, float]:
    """web3's decoded logs, stored row by row through the ORM, over the first ``sample`` events."""
    database_url = f"sqlite:///{database}"
    upgrade(database_url)
    engine = make_engine(database_url)
    w3 = connect(url)
    abi = compile_contracts()["TradeLedger"].abi
    contract = w3.eth.contract(address=w3.to_checksum_address(address), abi=abi)
    last = block + -(-sample // EVENTS_PER_TX)
    started = time.perf_counter()
    logs = contract.events.TradeRecorded.get_logs(from_block=block, to_block=last)
    times: dict[int, int] = {}
    with Session(engine) as session:
        for log in logs:
            number = log["blockNumber"]
            if number not in times:
                times[number] = int(w3.eth.get_block(number)["timestamp"])
            args = log["args"]
            event_id = number << 20 | log["logIndex"]
            session.add(
                ChainEvent(
                    id=event_id,
                    block_number=number,
                    block_hash="0x" + log["blockHash"].hex(),
                    block_time=times[number],
                    tx_hash="0x" + log["transactionHash"].hex(),
                    log_index=log["logIndex"],
                    contract="TradeLedger",
                    event="TradeRecorded",
                    args={
                        k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in args.items()
                    },
                )
            )
            session.add(
                Trade(
                    trade_id="0x" + args["tradeId"].hex(),
                    seller=args["seller"],
                    buyer=args["buyer"],
                    kind=args["kind"],
                    doc_hash="0x" + args["docHash"].hex(),
                    amount=args["amount"],
                    currency=args["currency"],
                    issued_at=args["issuedAt"],
                    due_at=args["dueAt"],
                    ref="0x" + args["ref"].hex(),
                    invoice_key="0x" + args["invoiceKey"].hex(),
                    status=2,
                    recorded_block=number,
                    recorded_time=times[number],
                    verified_time=times[number],
                    event_id=event_id,
                )
            )
        session.commit()
    return len(logs), time.perf_counter() - started


def run_child(url: str, address: str, block: int, database: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--index-only", url, address, str(block), database]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--index-only", nargs=4, metavar=("URL", "ADDRESS", "BLOCK", "DB"))
    options = parser.parse_args()
    if options.index_only:
        url, address, block, database = options.index_only
        index_only(url, address, int(block), database)
        return
    with Anvil(accounts=1) as node, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        address, block = emit(node.url, options.events)
        print(f"emitted {options.events:,} events in {time.perf_counter() - started:.1f} s")
        ours = run_child(node.url, address, block, os.path.join(folder, "ours.db"))
        sample = min(WEB3_SAMPLE, options.events)
        count, seconds = web3_path(
            node.url, address, block, os.path.join(folder, "web3.db"), sample
        )
    ours_rate = ours["events"] / ours["seconds"]
    web3_rate = count / seconds
    print(
        f"indexer (raw getLogs, word decoding, bulk insert): {ours['events']:,.0f} events in "
        f"{ours['seconds']:.2f} s = {ours_rate:,.0f} events/s, peak RSS {ours['peak_mib']:.0f} MiB"
        f" (its forked reader process: {ours['reader_peak_mib']:.0f} MiB, pages partly shared);"
        f" peak PSS of both together {ours['peak_pss_mib']:.0f} MiB"
        f" ({ours['peak_pss_mib'] * 2**20 / 1e6:.0f} MB)"
    )
    print(
        f"web3 decoded path (get_logs + ORM), sample: {count:,} events in {seconds:.2f} s = "
        f"{web3_rate:,.0f} events/s"
    )
    print(f"ratio: {ours_rate / web3_rate:.1f}x")
    segments = ours["segments"]
    for number, rate in enumerate(segments):
        end = min((number + 1) * SEGMENT, ours["events"])
        print(f"segment {number * SEGMENT:>9,}..{end:>9,.0f}: {rate:>9,.0f} events/s")
    if len(segments) > 1:
        print(f"last/first segment: {segments[-1] / segments[0]:.2f}x (target >= 0.8x)")


if __name__ == "__main__":
    main()
