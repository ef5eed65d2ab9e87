"""Benchmark: credit-profile reads under `scf serve --workers N`, warm and under a live indexer,
beside `/ledger` (the framework's floor: no database, no node) measured in the same run.

Builds the ledger (10,000 firms, 1,000,000 verified and paid invoices by default; ``--quick``:
1,000 / 50,000) as bench/credit.py does, directly as indexed rows, in blocks past the ones a real
anvil mines here; deploys the contracts on that anvil (its clock set to the ledger's T) and runs
`scf serve --workers N --no-relayer` over both, so its indexer follows the chain. Then, for each
number of concurrent clients, each client a firm signed in (a bearer token of its own) reading
its own profile over keep-alive connections (an asyncio httpx client):

- ``/ledger`` for ``--seconds``;
- the profiles, warm (every record read once before);
- the profiles while a block with an event (a firm registration) is mined every second.

Prints requests/s and p50/p95/p99 of each, and the ratios of the targets of issue 14: warm
throughput >= 0.8x `/ledger`'s and p99 <= 1.5x, at 200 clients; live: 0 errors, 0 timeouts,
p99 <= 2x the warm p99. Printed, never asserted (exit 0 unless the bench itself failed).

    python bench/read.py [--quick] [--firms 10000] [--trades 1000000] [--clients 50,100,200]
                         [--seconds 10] [--workers 2] [--http httptools|h11]
                         [--loop uvloop|asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from eth_account import Account  # noqa: E402

from backend.auth.service import Principal, issue_token  # noqa: E402
from backend.chain.anvil import Anvil, free_port  # noqa: E402
from backend.chain.compiler import compile_contracts  # noqa: E402
from backend.chain.contracts import Ledger, Role  # noqa: E402
from backend.chain.deploy import save_deployment  # noqa: E402
from backend.chain.node import connect  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.migrations import upgrade  # noqa: E402
from backend.settings import DEVELOPMENT_OPERATOR_KEY, Settings  # noqa: E402
from bench.credit import T, fill  # noqa: E402

#: The synthetic ledger's first block: past any block the bench's anvil mines, so the events the
#: live indexer writes never take an id of the synthetic ones.
SYNTHETIC_FIRST_BLOCK = 1 << 24
SCF = str(Path(sys.executable).with_name("scf"))
CLIENT_TIMEOUT_SECONDS = 10.0
STARTUP_SECONDS = 300.0  # a bound for a loaded machine, not a measurement
TOKEN_SECONDS = 6 * 3600


@dataclass
class Run:
    """What one phase measured."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of every request, failed ones too
    answered: int = 0  # 200s
    errors: int = 0  # answered, not 200 (or the connection failed)
    timeouts: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # what the errors were

    def failed(self, kind: str) -> None:
        self.errors += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    @property
    def rate(self) -> float:
        """200s per second."""
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def line(self) -> str:
        p50, p95, p99 = (self.percentile(q) * 1000 for q in (0.5, 0.95, 0.99))
        return (
            f"{self.clients:>7} {self.name:<14} {self.rate:>9,.0f} {p50:>8.1f} {p95:>8.1f} "
            f"{p99:>8.1f} {self.errors:>7} {self.timeouts:>8}"
        )


async def drive(
    url: str, requests: list[tuple[str, dict[str, str]]], clients: int, seconds: float, name: str
) -> Run:
    """``clients`` concurrent loops, client ``i`` sending ``requests[i % len]`` for ``seconds``."""
    run = Run(name, clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=CLIENT_TIMEOUT_SECONDS
    ) as client:
        deadline = time.perf_counter() + seconds

        async def loop(index: int) -> None:
            path, headers = requests[index % len(requests)]
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    answer = await client.get(path, headers=headers)
                    if answer.status_code == 200:
                        run.answered += 1
                    else:
                        run.failed(f"{answer.status_code} {answer.text[:120]}")
                except httpx.TimeoutException:
                    run.timeouts += 1
                except httpx.HTTPError as error:
                    run.failed(repr(error)[:160])
                # A timeout counts at the time it took: percentiles of what clients waited.
                run.latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(loop(index) for index in range(clients)))
        run.seconds = time.perf_counter() - started
    return run


def profile_requests(firms: list[str], clients: int) -> list[tuple[str, dict[str, str]]]:
    """One signed-in firm per client, reading its own profile."""
    settings = Settings()  # the same development secret `scf serve` signs with
    expires = int(time.time()) + TOKEN_SECONDS
    requests = []
    for firm in firms[:clients]:
        token = issue_token(settings, Principal(firm, Role.SUPPLIER), expires)
        requests.append((f"/firms/{firm}/credit-profile", {"Authorization": f"Bearer {token}"}))
    return requests


class BlockWriter:
    """A block with an event every second: the operator registers a new firm."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.blocks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._write, daemon=True)

    def __enter__(self) -> BlockWriter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _write(self) -> None:
        while not self._stop.wait(1.0):
            self.ledger.registry.register(Account.create().address, Role.SUPPLIER, os.urandom(32))
            self.blocks += 1


def build(folder: Path, firms: int, trades: int) -> tuple[Anvil, Ledger, str, list[str]]:
    """The chain (clock at T, contracts deployed) and the database (synthetic ledger)."""
    node = Anvil(accounts=1).__enter__()
    w3 = connect(node.url)
    w3.provider.make_request("evm_setNextBlockTimestamp", [T])  # type: ignore[arg-type]
    operator = Account.from_key(DEVELOPMENT_OPERATOR_KEY)
    ledger = Ledger.deploy_new(w3, compile_contracts(), operator)
    save_deployment(ledger.deployment, folder / "deployments")
    url = f"sqlite:///{folder / 'read.db'}"
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    addresses = fill(engine, firms, trades, seed=1, first_block=SYNTHETIC_FIRST_BLOCK, cursor=False)
    engine.dispose()
    print(f"ledger: {firms:,} firms, {trades:,} trades in {time.perf_counter() - started:.1f} s")
    return node, ledger, url, addresses


def serve(
    folder: Path, rpc_url: str, database_url: str, workers: int, *options: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "SCF_RPC_URL": rpc_url,
        "SCF_DATABASE_URL": database_url,
        "SCF_DATA_DIR": str(folder / "data"),
        "SCF_DEPLOYMENTS_DIR": str(folder / "deployments"),
        "SCF_MODELS_DIR": str(folder / "models"),
        "SCF_INDEXER_POLL_SECONDS": "0.2",
        "SCF_RATE_LIMIT_PER_SECOND": "1000000",  # the serving is measured, not the limits
        "SCF_RATE_LIMIT_BURST": "1000000",
    }
    command = [SCF, "serve", "--workers", str(workers), "--no-relayer", "--port", str(port)]
    command += options
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def wait_serving(
    process: subprocess.Popen[bytes], url: str, probe: tuple[str, dict[str, str]]
) -> None:
    """Until a profile answers 200 (the indexer has written its first block)."""
    deadline, last = time.monotonic() + STARTUP_SECONDS, "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"scf serve exited with {process.returncode}")
        try:
            answer = httpx.get(url + probe[0], headers=probe[1], timeout=60)
            if answer.status_code == 200:
                return
            last = f"{answer.status_code} {answer.text[:300]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.5)
    raise SystemExit(f"scf serve did not answer a profile in time; last: {last}")


def report(runs: dict[tuple[int, str], Run], clients: list[int], blocks: dict[int, int]) -> None:
    print(f"{'clients':>7} {'endpoint':<14} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'timeouts':>8}")  # fmt: skip
    for count in clients:
        for name in ("/ledger", "profile warm", "profile live"):
            print(runs[count, name].line())
    for count in clients:
        ledger, warm, live = (
            runs[count, name] for name in ("/ledger", "profile warm", "profile live")
        )
        throughput = warm.rate / ledger.rate if ledger.rate else float("nan")
        p99 = warm.percentile(0.99) / ledger.percentile(0.99)
        live_p99 = live.percentile(0.99) / warm.percentile(0.99)
        print(
            f"{count} clients: warm throughput {throughput:.2f}x /ledger "
            f"({_met(throughput >= 0.8)} >= 0.8), warm p99 {p99:.2f}x /ledger's "
            f"({_met(p99 <= 1.5)} <= 1.5); live ({blocks[count]} blocks): {live.errors} errors, "
            f"{live.timeouts} timeouts ({_met(live.errors == live.timeouts == 0)} 0), p99 "
            f"{live_p99:.2f}x warm ({_met(live_p99 <= 2.0)} <= 2)"
        )
    for (count, name), run in sorted(runs.items()):
        for kind, times in sorted(run.kinds.items()):
            print(f"  {count} clients, {name}: {times} x {kind}")


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


async def measure(
    url: str, firms: list[str], clients: list[int], seconds: float, ledger: Ledger
) -> None:
    runs: dict[tuple[int, str], Run] = {}
    blocks: dict[int, int] = {}
    for count in clients:
        profiles = profile_requests(firms, count)
        for path, headers in profiles:  # every record read once: cached as of the last block
            httpx.get(url + path, headers=headers, timeout=600).raise_for_status()
        runs[count, "/ledger"] = await drive(url, [("/ledger", {})], count, seconds, "/ledger")
        runs[count, "profile warm"] = await drive(url, profiles, count, seconds, "profile warm")
        with BlockWriter(ledger) as writer:
            runs[count, "profile live"] = await drive(url, profiles, count, seconds, "profile live")
        blocks[count] = writer.blocks
        print(f"measured {count} clients", flush=True)
    report(runs, clients, blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 firms, 50,000 trades, 5 s")
    parser.add_argument("--firms", type=int)
    parser.add_argument("--trades", type=int)
    parser.add_argument("--clients", default="50,100,200")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--http", default="httptools", help="scf serve --http: httptools or h11")
    parser.add_argument("--loop", default="uvloop", help="scf serve --loop: uvloop or asyncio")
    options = parser.parse_args()
    firms = options.firms or (1_000 if options.quick else 10_000)
    trades = options.trades or (50_000 if options.quick else 1_000_000)
    seconds = options.seconds or (5.0 if options.quick else 10.0)
    clients = [int(count) for count in options.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="scf-read-") as directory:
        folder = Path(directory)
        node, ledger, url, addresses = build(folder, firms, trades)
        process, api = serve(
            folder, node.url, url, options.workers, "--http", options.http, "--loop", options.loop
        )
        try:
            wait_serving(process, api, profile_requests(addresses, 1)[0])
            print(
                f"scf serve --workers {options.workers} --http {options.http} --loop "
                f"{options.loop} answering at {api}",
                flush=True,
            )
            asyncio.run(measure(api, addresses, clients, seconds, ledger))
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            node.__exit__(None, None, None)


if __name__ == "__main__":
    main()
