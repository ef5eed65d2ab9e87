"""End-to-end ingest: dual-signed trades over HTTP, until every one is on chain and indexed.

Run: ``.venv/bin/python bench/ingest.py [--trades 20000] [--processes 3]``. Printed, never asserted.

Set-up (not timed): a local anvil, the ledger deployed, firms registered, every trade signed by
its seller and buyer with their own keys (as their clients would). Timed: from the first
``POST /trades/batch`` until the server's database holds every trade as indexed from the chain.
The server is ``scf serve``: one process (API, relayer and indexer together) or three (one each,
using both cores). In the same run, the naive path on a sample: one web3 ``transact()`` per
trade, waiting for its receipt.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from eth_account.messages import encode_defunct  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from backend.chain.anvil import Anvil, free_port  # noqa: E402
from backend.chain.deploy import save_deployment  # noqa: E402
from backend.enums import (
    DAY,
    Role,  # noqa: E402
    TradeKind,  # noqa: E402
)
from backend.sdk.client import trade_json  # noqa: E402
from backend.sdk.signer import Signer  # noqa: E402
from backend.sdk.typed_data import Trade  # noqa: E402
from bench.gas import new_ledger, register  # noqa: E402

BATCH = 1_000
SELLERS = 20
BUYERS = 5
NAIVE_SAMPLE = 200
SCF = str(Path(sys.executable).with_name("scf"))


def signed_items(ledger, sellers, buyers, count: int, seed: int = 1) -> dict[str, list[dict]]:
    """Per seller: its trades as API items, signed by both parties."""
    domain = ledger.trades.domain
    now = int(time.time())
    rng = random.Random(seed)
    per_seller: dict[str, list[dict]] = {s.address: [] for s in sellers}
    for number in range(count):
        seller, buyer = sellers[number % len(sellers)], buyers[rng.randrange(len(buyers))]
        trade = Trade(
            seller.address,
            buyer.address,
            TradeKind.INVOICE,
            rng.randbytes(32),
            rng.randrange(10_000, 10_000_000),
            156,
            now - 30 * DAY,
            now + 30 * DAY,
            invoice_key=rng.randbytes(32),
        )
        per_seller[seller.address].append(
            {
                "trade": trade_json(trade),
                "seller_signature": "0x" + seller.sign_trade(trade, domain).hex(),
                "buyer_signature": "0x" + buyer.sign_trade(trade, domain).hex(),
            }
        )
    return per_seller


def start_server(anvil_url: str, folder: str, port: int, processes: int) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "SCF_RPC_URL": anvil_url,
        "SCF_DATA_DIR": folder,
        "SCF_DEPLOYMENTS_DIR": os.path.join(folder, "deployments"),
        "SCF_INDEXER_POLL_SECONDS": "0.05",
        "SCF_RATE_LIMIT_PER_SECOND": "100000",
        "SCF_RATE_LIMIT_BURST": "100000",
        "SCF_MAX_BODY_BYTES": "20000000",
        "SCF_RELAYER_BATCH_SIZE": "100",
    }
    roles = (
        [[]]
        if processes == 1
        else [
            ["--no-relayer", "--no-indexer"],
            ["--no-api", "--no-indexer"],
            ["--no-api", "--no-relayer"],
        ]
    )
    servers = []
    for flags in roles:
        servers.append(
            subprocess.Popen(
                [SCF, "serve", "--port", str(port), *flags],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(1.5)  # let each start (and migrate) before the next one
    deadline = time.monotonic() + 60
    while not rpc_answers_http(f"http://127.0.0.1:{port}/healthz") and time.monotonic() < deadline:
        time.sleep(0.2)
    return servers


def rpc_answers_http(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def sign_in(http: httpx.Client, signer: Signer) -> dict[str, str]:
    message = http.post("/auth/challenge", json={"address": signer.address}).json()["message"]
    signature = signer.account.sign_message(encode_defunct(text=message)).signature
    token = http.post(
        "/auth/token", json={"message": message, "signature": "0x" + bytes(signature).hex()}
    )
    if token.status_code != 200:
        raise SystemExit(f"sign-in failed: {token.text}")
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def indexed_trades(database: str) -> int:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM trade")).scalar_one())
    except Exception:  # the indexer may not have created the table yet
        return 0
    finally:
        engine.dispose()


def naive_rate(ledger, sellers, buyers) -> float:
    """One web3 transact() per trade, waiting for each receipt (the straightforward client)."""
    w3 = ledger.w3
    items = signed_items(ledger, sellers[:1], buyers, NAIVE_SAMPLE, seed=2)[sellers[0].address]
    sender = w3.eth.accounts[0]
    started = time.perf_counter()
    for item in items:
        trade = item["trade"]
        fields = (
            trade["seller"],
            trade["buyer"],
            2,
            bytes.fromhex(trade["doc_hash"][2:]),
            trade["amount"],
            trade["currency"],
            trade["issued_at"],
            trade["due_at"],
            bytes.fromhex(trade["ref"][2:]),
            bytes.fromhex(trade["invoice_key"][2:]),
        )
        tx = ledger.trades.contract.functions.recordTrade(
            fields,
            bytes.fromhex(item["seller_signature"][2:]),
            bytes.fromhex(item["buyer_signature"][2:]),
        ).transact({"from": sender})
        w3.eth.wait_for_transaction_receipt(tx)
    return NAIVE_SAMPLE / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trades", type=int, default=20_000)
    parser.add_argument("--processes", type=int, choices=(1, 3), default=3)
    options = parser.parse_args()
    with Anvil(accounts=2) as node, tempfile.TemporaryDirectory() as folder:
        ledger = new_ledger(node.url)
        sellers, buyers = (
            register(ledger, SELLERS, Role.SUPPLIER),
            register(ledger, BUYERS, Role.CORE),
        )
        save_deployment(ledger.deployment, Path(folder) / "deployments")
        started = time.perf_counter()
        per_seller = signed_items(ledger, sellers, buyers, options.trades)
        print(
            f"signed {options.trades:,} trades (two signatures each) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        servers = start_server(node.url, folder, port, options.processes)
        try:
            http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
            tokens = {s.address: sign_in(http, s) for s in sellers}
            started = time.perf_counter()
            accepted = 0
            for seller, items in per_seller.items():
                for first in range(0, len(items), BATCH):
                    answer = http.post(
                        "/trades/batch",
                        json={"items": items[first : first + BATCH]},
                        headers=tokens[seller],
                    )
                    accepted += answer.json()["accepted"]
            submitted = time.perf_counter() - started
            database = os.path.join(folder, "scf.db")
            while indexed_trades(database) < accepted:
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
        naive = naive_rate(ledger, sellers, buyers)
    rate = accepted / elapsed
    print(
        f"HTTP submission of {accepted:,} trades: {submitted:.1f} s "
        f"({accepted / submitted:,.0f} trades/s accepted)"
    )
    print(
        f"end to end ({options.processes} process(es)): {accepted:,} trades on chain and indexed "
        f"in "
        f"{elapsed:.1f} s = {rate:,.0f} verified trades/s"
    )
    print(
        f"naive path (web3 transact + receipt per trade, {NAIVE_SAMPLE} trades): "
        f"{naive:,.1f} trades/s"
    )
    print(f"ratio: {rate / naive:.1f}x")


if __name__ == "__main__":
    main()
