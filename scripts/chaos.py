"""Chaos campaign: API, relayer and indexer as separate `scf serve` processes on one database,
thousands of dual-signed trades over HTTP, and faults at random moments.

Faults: kill -9 of each process (the campaign restarts any of its processes that exited, and one
whose worker thread died), node outage (anvil stopped and started again on its state), node
restart from an older state (anvil killed, restarted from a dump taken a few blocks earlier),
reorgs of depth 1-12 (`anvil_reorg`), and with --postgres the termination of every PostgreSQL
session of the database.

It prints: trades accepted, on chain exactly once, lost, duplicated; statuses polled during the
run that said more than the chain (wrong), and those that matched the index while the index
itself was stale (the indexer had not yet seen a rewind); whether the database equals a clean
re-index; the recovery time per fault (fault to a canary trade submitted after it answering
recorded), median and max.

    .venv/bin/python scripts/chaos.py --quick              # ~1,000 trades, SQLite
    .venv/bin/python scripts/chaos.py --quick --postgres   # the same on PostgreSQL
    .venv/bin/python scripts/chaos.py                      # 10,000 trades
"""

from __future__ import annotations

import argparse
import collections
import gzip
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from eth_account import Account
from eth_account.messages import encode_defunct
from sqlalchemy import MetaData, Table, select
from web3 import Web3

from backend.chain.anvil import Anvil, free_port, rpc_answers
from backend.chain.compiler import load_artifacts
from backend.chain.contracts import Ledger
from backend.chain.deploy import save_deployment
from backend.db import make_engine
from backend.enums import DAY, Role, TradeKind
from backend.firms.credit_code import credit_code_hash, make_credit_code
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc, RpcError
from backend.migrations import upgrade
from backend.sdk.client import trade_json
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Trade
from backend.settings import DEVELOPMENT_OPERATOR_KEY

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
FINAL_DEPTH = 64
DERIVED_TABLES = [
    "chain_event",
    "trade",
    "payment",
    "receivable",
    "receivable_transition",
    "financing",
    "firm",
    "consent",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ─────────────────────────────────────────────────────────────── processes


class Process:
    """One `scf serve` process; restarted by the campaign whenever it is not running."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], directory: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = directory / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log_offset = 0

    def start(self) -> None:
        log_file = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.args, env=self.env, stdout=log_file, stderr=log_file, start_new_session=True
        )
        log_file.close()
        self.starts += 1

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def worker_crashed(self) -> bool:
        """A worker thread that died inside a live process (logged by the runtime)."""
        try:
            with self.log_path.open("rb") as handle:
                handle.seek(self._log_offset)
                tail = handle.read()
        except OSError:
            return False
        self._log_offset += len(tail)
        return b"serve.worker.crashed" in tail


class Node:
    """anvil on a fixed port, with its --state file, dumps kept for rewinds.

    Started here rather than by ``Anvil.start``: that one asks Linux to stop anvil when the
    thread that started it ends, and the campaign restarts the node from short-lived threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state = directory / "anvil-state.json"
        self.port = free_port()
        self.popen: subprocess.Popen[bytes] | None = None
        self.dumps: collections.deque[tuple[int, bytes]] = collections.deque(maxlen=12)
        self.lock = threading.Lock()
        self.restarts = 0
        self.started_at_block = 0  # anvil_reorg needs the states of the blocks it replaces
        self._start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self) -> None:
        command = Anvil(port=self.port, state_path=self.state).command()
        self.popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while not rpc_answers(self.url):
            if time.monotonic() > deadline or self.popen.poll() is not None:
                raise SystemExit("anvil did not start")
            time.sleep(0.05)
        self.started_at_block = JsonRpc(self.url).block_number()

    def _signal(self, number: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, number)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()

    def dump(self) -> None:
        try:
            rpc = JsonRpc(self.url, timeout=10)
            head = rpc.block_number()
            state = rpc.call("anvil_dumpState", [])
        except (RpcError, ValueError):
            return
        self.dumps.append((head, gzip.decompress(bytes.fromhex(state[2:]))))

    def outage(self, seconds: float) -> None:
        with self.lock:
            self._signal(signal.SIGTERM)  # anvil writes its state file
            time.sleep(seconds)
            self._start()

    def rewind(self, max_depth: int) -> int:
        """Kill -9 and restart from a dump 1..max_depth blocks behind; returns the depth."""
        with self.lock:
            head = JsonRpc(self.url).block_number()
            usable = [(b, s) for b, s in self.dumps if 1 <= head - b <= max_depth]
            if not usable:
                return 0
            block, state = usable[0]
            self._signal(signal.SIGKILL)
            self.restarts += 1
            self.state = self.directory / f"anvil-state-{self.restarts}.json"
            self.state.write_bytes(state)
            self._start()
            self.dumps.clear()
            return head - block

    def reorg(self, depth: int) -> int:
        """``anvil_reorg`` of ``depth`` blocks (fewer when the node restarted since)."""
        rpc = JsonRpc(self.url)
        depth = min(depth, rpc.block_number() - self.started_at_block - 1)
        if depth < 1:
            return 0
        rpc.call("anvil_reorg", [depth, []])
        return depth

    def stop(self) -> None:
        self._signal(signal.SIGTERM)


# ─────────────────────────────────────────────────────────────── the campaign


@dataclass
class Tally:
    accepted: set[str] = field(default_factory=set)
    refused: collections.Counter[str] = field(default_factory=collections.Counter)
    polled: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    stale_index: int = 0
    finals: dict[str, tuple[str, int]] = field(default_factory=dict)
    recoveries: list[tuple[str, float]] = field(default_factory=list)
    watchdog_restarts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Campaign:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.missed: dict[str, int] = {"not run to the end": 1}
        self.random = random.Random(options.seed)
        self.directory = Path(tempfile.mkdtemp(prefix="scf-chaos-"))
        self.tally = Tally()
        self.stop = threading.Event()
        self.load_done = threading.Event()
        self.database_name: str | None = None

    # ── setup

    def setup(self) -> None:
        if self.options.postgres:
            self.database_name = f"scf_chaos_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self.database_name}"')
            self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database_name}"
        else:
            self.database_url = f"sqlite:///{self.directory / 'scf.db'}"
        upgrade(self.database_url)
        self.engine = make_engine(self.database_url)
        self.node = Node(self.directory)
        self.artifacts = load_artifacts()
        w3 = Web3(Web3.HTTPProvider(self.node.url, request_kwargs={"timeout": 60}))
        self.ledger = Ledger.deploy_new(
            w3, self.artifacts, Account.from_key(DEVELOPMENT_OPERATOR_KEY)
        )
        save_deployment(self.ledger.deployment, self.directory / "deployments")
        self.sellers = [Signer.create() for _ in range(8)]
        self.buyers = [Signer.create() for _ in range(4)]
        for number, signer in enumerate(self.sellers + self.buyers):
            roles = Role.SUPPLIER if number < len(self.sellers) else Role.CORE
            code = make_credit_code(
                f"91{number + 10**14 + self.random.randrange(10**14):015d}"[:17]
            )
            self.ledger.registry.register(signer.address, roles, credit_code_hash(code))
        self.api_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        env = dict(
            os.environ,
            SCF_RPC_URL=self.node.url,
            SCF_DATABASE_URL=self.database_url,
            SCF_DATA_DIR=str(self.directory),
            SCF_DEPLOYMENTS_DIR=str(self.directory / "deployments"),
            SCF_FINAL_DEPTH=str(FINAL_DEPTH),
            SCF_RATE_LIMIT_PER_SECOND="100000",
            SCF_RATE_LIMIT_BURST="1000000",
            SCF_AUTH_TOKEN_SECONDS="86400",
            SCF_INDEXER_POLL_SECONDS="0.2",
        )
        scf = str(Path(sys.executable).parent / "scf")
        serve = [scf, "serve", "--port", str(self.api_port)]
        self.processes = {
            "api": Process("api", [*serve, "--no-relayer", "--no-indexer"], env, self.directory),
            "indexer": Process(
                "indexer", [*serve, "--no-api", "--no-relayer"], env, self.directory
            ),
            "relayer": Process(
                "relayer", [*serve, "--no-api", "--no-indexer"], env, self.directory
            ),
        }
        for process in self.processes.values():
            process.start()
        self.http = httpx.Client(base_url=self.api_url, timeout=30)
        self._wait_for_api()
        self.tokens = {s.address: self._sign_in(s) for s in [*self.sellers, self.operator]}
        self._wait_for_firms()
        log(f"setup done in {self.directory} ({self.database_url.split(':')[0]})")

    @property
    def operator(self) -> Signer:
        return Signer.from_key(DEVELOPMENT_OPERATOR_KEY)

    def _wait_for_api(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit("the API did not come up; see " + str(self.directory))

    def _sign_in(self, signer: Signer) -> str:
        while True:
            try:
                challenge = self.http.post("/auth/challenge", json={"address": signer.address})
                message = challenge.json()["message"]
                signature = signer.account.sign_message(encode_defunct(text=message)).signature
                token = self.http.post(
                    "/auth/token",
                    json={"message": message, "signature": "0x" + bytes(signature).hex()},
                )
                return str(token.json()["access_token"])
            except (httpx.HTTPError, KeyError, ValueError):
                time.sleep(0.5)

    def _wait_for_firms(self) -> None:
        firm = Table("firm", MetaData(), autoload_with=self.engine)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with self.engine.connect() as connection:
                if len(connection.execute(select(firm.c.address)).all()) >= 12:
                    return
            time.sleep(0.3)
        raise SystemExit("the indexer did not index the firms")

    # ── load

    def _trade(self) -> tuple[Trade, Signer, Signer]:
        seller, buyer = self.random.choice(self.sellers), self.random.choice(self.buyers)
        now = int(time.time())
        trade = Trade(
            seller=seller.address,
            buyer=buyer.address,
            kind=TradeKind.INVOICE,
            doc_hash=os.urandom(32),
            amount=self.random.randrange(10_000, 10_000_000),
            currency=156,
            issued_at=now - 30 * DAY,
            due_at=now + 30 * DAY,
            invoice_key=os.urandom(32),
        )
        return trade, seller, buyer

    def _body(self, trade: Trade, seller: Signer, buyer: Signer) -> dict[str, Any]:
        domain = self.ledger.trades.domain
        return {
            "trade": trade_json(trade),
            "seller_signature": "0x" + seller.sign_trade(trade, domain).hex(),
            "buyer_signature": "0x" + buyer.sign_trade(trade, domain).hex(),
        }

    def submit(self, seller: Signer, bodies: list[dict[str, Any]]) -> list[str]:
        """Post one batch until the API answers; an item refused as a duplicate document was
        accepted by an earlier attempt whose answer was lost."""
        headers = {"Authorization": f"Bearer {self.tokens[seller.address]}"}
        while not self.stop.is_set():
            try:
                answer = self.http.post("/trades/batch", json={"items": bodies}, headers=headers)
            except httpx.HTTPError:
                time.sleep(0.3)
                continue
            if answer.status_code != 202:
                time.sleep(0.3)
                continue
            ids = []
            for body, item in zip(bodies, answer.json()["data"], strict=True):
                if item["status"] == "queued":
                    ids.append(item["trade_id"])
                elif item["error"]["code"] == "duplicate_document":
                    trade = body["trade"]
                    ids.append(self._trade_id(trade))
                else:
                    with self.tally.lock:
                        self.tally.refused[item["error"]["code"]] += 1
            with self.tally.lock:
                self.tally.accepted.update(ids)
            return ids
        return []

    def _trade_id(self, data: dict[str, Any]) -> str:
        trade = Trade(
            seller=data["seller"],
            buyer=data["buyer"],
            kind=TradeKind.INVOICE,
            doc_hash=bytes.fromhex(data["doc_hash"][2:]),
            amount=data["amount"],
            currency=data["currency"],
            issued_at=data["issued_at"],
            due_at=data["due_at"],
            invoice_key=bytes.fromhex(data["invoice_key"][2:]),
        )
        return "0x" + trade.trade_id(self.ledger.trades.domain).hex()

    def load(self, duration: float) -> None:
        batch = 50
        by_seller: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        signed = []
        for _ in range(self.options.trades):
            trade, seller, buyer = self._trade()
            by_seller[seller.address].append(self._body(trade, seller, buyer))
        sellers = {s.address: s for s in self.sellers}
        for address, bodies in by_seller.items():
            for start in range(0, len(bodies), batch):
                signed.append((sellers[address], bodies[start : start + batch]))
        self.random.shuffle(signed)
        pause = duration / max(len(signed), 1)
        log(
            f"load: {self.options.trades} trades signed, {len(signed)} batches "
            f"over {duration:.0f} s"
        )
        for seller, bodies in signed:
            if self.stop.is_set():
                break
            self.submit(seller, bodies)
            time.sleep(pause)
        self.load_done.set()
        log(f"load: done, {len(self.tally.accepted)} accepted")

    # ── statuses

    def poll_statuses(self) -> None:
        rpc = JsonRpc(self.node.url, timeout=10)
        headers = {"Authorization": f"Bearer {self.tokens[self.operator.address]}"}
        header_table = Table("block_header", MetaData(), autoload_with=self.engine)
        while not self.stop.is_set():
            with self.tally.lock:
                sample = self.random.sample(
                    sorted(self.tally.accepted), min(30, len(self.tally.accepted))
                )
            for trade_id in sample:
                try:
                    body = self.http.get(f"/trades/{trade_id}", headers=headers).json()
                    status = body.get("status")
                    if status not in ("recorded", "final"):
                        continue
                    receipt = rpc.call("eth_getTransactionReceipt", [body["tx_hash"]])
                    block = body["block_number"]
                    if receipt is not None and int(receipt["blockNumber"], 16) == block:
                        with self.tally.lock:
                            self.tally.polled += 1
                            if status == "final":
                                self.tally.finals[trade_id] = (body["tx_hash"], block)
                        continue
                    chain_block = rpc.block(block)
                    with self.engine.connect() as connection:
                        indexed = connection.execute(
                            select(header_table.c.hash).where(header_table.c.number == block)
                        ).scalar()
                except Exception:
                    continue  # a process, the node or the database is down: nothing was said
                with self.tally.lock:
                    self.tally.polled += 1
                    stale = chain_block is None or indexed is None or indexed != chain_block["hash"]
                    if stale and status == "recorded":
                        self.tally.stale_index += 1
                    else:
                        self.tally.wrong.append((trade_id, status, str(body.get("tx_hash"))))
            time.sleep(0.3)

    # ── supervision of the campaign's own processes

    def supervise(self) -> None:
        while not self.stop.is_set():
            for process in self.processes.values():
                if process.worker_crashed():  # alive, but its worker thread is gone
                    process.kill()
                    with self.tally.lock:
                        self.tally.watchdog_restarts += 1
                if not process.running() and not self.stop.is_set():
                    process.start()
            time.sleep(0.2)

    def keep_dumps(self) -> None:
        """The node's state every second or so: what a restart from an older state goes back to."""
        while not self.stop.is_set():
            self.node.dump()
            self.stop.wait(1.0)

    # ── faults

    def canary(self) -> str:
        trade, seller, buyer = self._trade()
        (trade_id,) = self.submit(seller, [self._body(trade, seller, buyer)])
        return trade_id

    def wait_recorded(self, trade_id: str, timeout: float = 180.0) -> bool:
        headers = {"Authorization": f"Bearer {self.tokens[self.operator.address]}"}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status = self.http.get(f"/trades/{trade_id}", headers=headers).json()["status"]
                if status in ("recorded", "final"):
                    return True
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def inject(self, kind: str) -> str:
        if kind.startswith("kill_"):
            self.processes[kind.removeprefix("kill_")].kill()
            return kind
        if kind == "node_outage":
            seconds = self.random.uniform(1, 4)
            self.node.outage(seconds)
            return f"{kind} {seconds:.1f}s"
        if kind == "node_rewind":
            depth = self.node.rewind(FINAL_DEPTH - 8)
            return f"{kind} {depth} blocks" if depth else "node_rewind skipped (no dump)"
        if kind == "reorg":
            depth = self.node.reorg(self.random.randint(1, 12))
            return f"{kind} depth {depth}" if depth else "reorg skipped (node just restarted)"
        if kind == "pg_terminate":
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
                ended = connection.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.database_name,),
                ).fetchone()
            return f"{kind} {ended[0] if ended else 0} sessions"
        raise ValueError(kind)

    def faults(self) -> None:
        kinds = ["kill_api", "kill_relayer", "kill_indexer", "node_outage", "node_rewind", "reorg"]
        if self.options.postgres:
            kinds.append("pg_terminate")
        plan = (kinds * (self.options.faults // len(kinds) + 1))[: self.options.faults]
        self.random.shuffle(plan)
        time.sleep(self.random.uniform(2, 5))
        while plan:
            kind = plan.pop()
            if self.stop.is_set():
                return
            started = time.monotonic()
            try:
                what = self.inject(kind)
            except (RpcError, psycopg.Error, OSError) as error:
                log(f"fault {kind} could not be injected: {error}")
                what = "skipped"
            if "skipped" in what:  # e.g. a reorg right after a node restart: another one later
                plan.insert(0, kind)
                time.sleep(2)
                continue
            recovered = self.wait_recorded(self.canary())
            seconds = time.monotonic() - started
            with self.tally.lock:
                self.tally.recoveries.append((kind, seconds if recovered else float("inf")))
            log(
                f"fault {what}: recovered in {seconds:.1f} s"
                if recovered
                else f"fault {what}: NOT recovered"
            )
            time.sleep(self.random.uniform(0.5, 3))

    # ── the end

    def settle(self, timeout: float) -> collections.Counter[str]:
        """Wait until every accepted trade reads final (mining blocks to get there)."""
        headers = {"Authorization": f"Bearer {self.tokens[self.operator.address]}"}
        deadline = time.monotonic() + timeout
        statuses: collections.Counter[str] = collections.Counter()
        while time.monotonic() < deadline:
            statuses = collections.Counter()
            for trade_id in sorted(self.tally.accepted):
                try:
                    statuses[
                        self.http.get(f"/trades/{trade_id}", headers=headers).json()["status"]
                    ] += 1
                except (httpx.HTTPError, KeyError, ValueError):
                    statuses["unreadable"] += 1
            if statuses == {"final": len(self.tally.accepted)}:
                return statuses
            log(f"settling: {dict(statuses)}")
            try:
                if not statuses.keys() - {"recorded", "final"}:
                    JsonRpc(self.node.url).call("anvil_mine", [hex(FINAL_DEPTH + 1)])
            except RpcError:
                pass
            time.sleep(3)
        return statuses

    def on_chain(self) -> collections.Counter[str]:
        rpc = JsonRpc(self.node.url)
        address = self.ledger.trades.address
        (event,) = [
            e
            for e in self.ledger.trades.contract.abi
            if e.get("type") == "event" and e.get("name") == "TradeRecorded"
        ]
        signature = f"TradeRecorded({','.join(i['type'] for i in event['inputs'])})"
        topic = "0x" + Web3.keccak(text=signature).hex().removeprefix("0x")
        head = rpc.block_number()
        counts: collections.Counter[str] = collections.Counter()
        start = self.ledger.deployment.deploy_block
        while start <= head:
            end = min(head, start + 2_000)
            for entry in rpc.logs([address], start, end):
                if entry["topics"][0] == topic:
                    counts[entry["topics"][1]] += 1
            start = end + 1
        return counts

    def reindexed_equal(self) -> tuple[bool, dict[str, tuple[int, int]]]:
        url = f"sqlite:///{self.directory / 'reindex.db'}"
        upgrade(url)
        fresh = make_engine(url)
        Indexer(
            fresh,
            JsonRpc(self.node.url),
            self.ledger.deployment,
            self.artifacts,
            final_depth=FINAL_DEPTH,
        ).sync()
        differences: dict[str, tuple[int, int]] = {}
        for name in DERIVED_TABLES:
            rows = []
            for engine in (self.engine, fresh):
                table = Table(name, MetaData(), autoload_with=engine)
                with engine.connect() as connection:
                    rows.append(sorted(repr(tuple(r)) for r in connection.execute(select(table))))
            if rows[0] != rows[1]:
                differences[name] = (len(rows[0]), len(rows[1]))
        fresh.dispose()
        return not differences, differences

    def run(self) -> None:
        self.setup()
        duration = max(30.0, self.options.faults * 7.0)
        threads = [
            threading.Thread(target=self.supervise, daemon=True),
            threading.Thread(target=self.poll_statuses, daemon=True),
            threading.Thread(target=self.keep_dumps, daemon=True),
        ]
        for thread in threads:
            thread.start()
        loader = threading.Thread(target=self.load, args=(duration,), daemon=True)
        faults = threading.Thread(target=self.faults, daemon=True)
        loader.start()
        faults.start()
        loader.join()
        faults.join()
        # Both processes have to be up to settle: the campaign keeps supervising meanwhile.
        statuses = self.settle(timeout=600)
        time.sleep(2)  # a last round of status polls on the settled state
        self.stop.set()
        for thread in threads:
            thread.join(timeout=10)
        for process in self.processes.values():
            process.stop()
        self.report(statuses)

    def report(self, statuses: collections.Counter[str]) -> None:
        self.engine.dispose()  # its sessions may have been terminated
        counts = self.on_chain()
        accepted = self.tally.accepted
        lost = accepted - set(counts)
        duplicated = [t for t, n in counts.items() if n > 1]
        exactly_once = sum(1 for t in accepted if counts.get(t) == 1)
        finals_moved = 0
        rpc = JsonRpc(self.node.url)
        for tx_hash, block in self.tally.finals.values():
            receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is None or int(receipt["blockNumber"], 16) != block:
                finals_moved += 1
        equal, differences = self.reindexed_equal()
        recoveries = [s for _, s in self.tally.recoveries]
        finite = [s for s in recoveries if s != float("inf")]
        by_kind: dict[str, list[float]] = collections.defaultdict(list)
        for kind, seconds in self.tally.recoveries:
            by_kind[kind].append(seconds)
        with self.engine.connect() as connection:
            outbox = Table("outbox", MetaData(), autoload_with=self.engine)
            rows = connection.execute(select(outbox.c.status, outbox.c.reorgs)).all()
        database = "PostgreSQL" if self.options.postgres else "SQLite"
        print()
        print(
            f"== chaos campaign on {database}: {self.options.trades} trades, "
            f"{len(recoveries)} faults =="
        )
        print(
            f"accepted                {len(accepted)}  (refused: {dict(self.tally.refused) or 0})"
        )
        print(f"on chain exactly once   {exactly_once}")
        print(f"lost                    {len(lost)}")
        print(f"duplicated              {len(duplicated)}")
        print(f"final statuses at end   {dict(statuses)}")
        print(f"statuses polled         {self.tally.polled} recorded/final answers checked")
        print(
            f"wrong statuses          {len(self.tally.wrong) + finals_moved}"
            f"  (said beyond the indexed chain: {len(self.tally.wrong)}; "
            f"final then moved: {finals_moved})"
        )
        print(
            f"stale-index answers     {self.tally.stale_index}  (recorded, matching the index, "
            "before the indexer saw a rewind)"
        )
        print(
            f"DB == clean re-index    {equal}"
            + (f"  differences: {differences}" if differences else "")
        )
        print(
            f"outbox                  {dict(collections.Counter(s for s, _ in rows))}, "
            f"rows reorged and resubmitted: {sum(r for _, r in rows)}"
        )
        print(
            f"process starts          { {n: p.starts for n, p in self.processes.items()} }, "
            f"restarted after a worker thread died: {self.tally.watchdog_restarts}"
        )
        if finite:
            print(
                f"recovery                median {statistics.median(finite):.1f} s, "
                f"max {max(finite):.1f} s, "
                f"not recovered: {len(recoveries) - len(finite)}"
            )
        for kind, values in sorted(by_kind.items()):
            shown = ", ".join("-" if v == float("inf") else f"{v:.1f}" for v in values)
            print(f"  {kind:<14} {shown}")
        if self.options.keep:
            print(f"logs in {self.directory}")
        if self.tally.wrong:
            print("first wrong statuses:", self.tally.wrong[:5])
        missed = {
            "lost": len(lost),
            "duplicated": len(duplicated),
            "wrong statuses": len(self.tally.wrong) + finals_moved,
            "DB differs from a re-index": int(not equal),
            "median recovery over 10 s": int(bool(finite) and statistics.median(finite) > 10),
            "not recovered": len(recoveries) - len(finite),
        }
        self.missed = {name: count for name, count in missed.items() if count}
        print("targets                 " + ("met" if not self.missed else f"MISSED {self.missed}"))

    def cleanup(self) -> None:
        self.stop.set()
        time.sleep(0.5)  # the supervising thread sees the stop before anything is stopped
        for process in getattr(self, "processes", {}).values():
            process.stop()
        if hasattr(self, "node"):
            self.node.stop()
        if hasattr(self, "engine"):
            self.engine.dispose()
        if self.database_name and not self.options.keep:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        if not self.options.keep:
            shutil.rmtree(self.directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trades", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="about 1,000 trades")
    parser.add_argument("--faults", type=int, default=24, help="at least 20 in a full campaign")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    options = parser.parse_args()
    if options.quick:
        options.trades = min(options.trades, 1_000)
    campaign = Campaign(options)
    try:
        campaign.run()
    finally:
        campaign.cleanup()
    if campaign.missed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
