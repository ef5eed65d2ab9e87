"""The relayer: outbox rows onto the chain, in batches, without ever holding a firm's key.

One round: take queued rows; plan transactions (trades with both signatures go into
``recordTrades`` batches, everything else one call each); sign them with the operator's key and
write hash, nonce and raw bytes to their rows *before* broadcasting (write-ahead); broadcast them
as one JSON-RPC batch; wait for the receipts; mark every row from the events. A crash anywhere
loses nothing: on start the relayer looks up the receipts of rows left ``submitted``, rebroadcasts
what the node never saw (same nonce, same bytes, so never twice) and puts back in the queue what
can no longer be sent. An item that turns out to be on chain already is marked recorded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, update
from sqlmodel import Session, col, select

from backend.chain.calldata import record_trades_calldata
from backend.chain.contracts import Ledger
from backend.chain.reverts import ContractRevert
from backend.indexer.decoding import LogDecoder
from backend.indexer.rpc import JsonRpc, RpcError
from backend.relayer.actions import ACTIONS, TRADE, signed_trade, trade_recorded_already
from backend.relayer.models import (
    FAILED,
    QUEUED,
    RECORDED,
    SUBMITTED,
    OutboxItem,
    RelayedTransaction,
)
from backend.workers import metrics
from backend.workers.supervisor import Worker, supervise

logger = logging.getLogger(__name__)

BATCH_BASE_GAS = 120_000
# An invoice costs ~72,000 in a batch (two slots: document and invoice identity); the margin
# covers a contract wallet's ERC-1271 check (at most SignatureVerifier's 100,000 stipend), so
# one such item does not run its batch out of gas.
BATCH_GAS_PER_TRADE = 100_000
MAX_ATTEMPTS = 3
RECEIPT_TIMEOUT = 120.0


def batch_gas(trades: int) -> int:
    """The gas limit of a ``recordTrades`` transaction of ``trades`` items."""
    return BATCH_BASE_GAS + BATCH_GAS_PER_TRADE * trades


@dataclass
class _Plan:
    call: Any  # a web3 contract call, or calldata bytes for the trade ledger (batches)
    gas: int
    items: list[OutboxItem]
    batch: bool


@dataclass
class RoundResult:
    recorded: int = 0
    failed: int = 0
    requeued: int = 0
    transactions: list[str] = field(default_factory=list)


class Relayer:
    """Moves outbox rows onto the chain. Exactly one runs per chain and database."""

    def __init__(
        self,
        engine: Engine,
        ledger: Ledger,
        rpc: JsonRpc,
        *,
        batch_size: int = 100,
        max_wait: float = 0.2,
        max_items_per_round: int = 1_000,
        fence: Callable[[Connection], None] | None = None,
    ) -> None:
        self.engine = engine
        self.ledger = ledger
        self.rpc = rpc
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.max_items_per_round = max_items_per_round
        self._decoder = LogDecoder(ledger.deployment, ledger.artifacts)
        # First statement of every write transaction: the leader lease's check (LostLeadership
        # when another relayer took over), so a relayer that lost its lock writes nothing more.
        self.fence: Callable[[Connection], None] = fence or (lambda _connection: None)

    # ─────────────────────────────────────────────────────────── loop

    def follow(self, stop: threading.Event, idle_seconds: float = 0.05) -> None:
        """Rounds until ``stop``, supervised: a failed round (or a failed ``resume()``) backs off
        and is recovered like a crash, through ``resume()``; a fatal error raises `WorkerFailed`."""
        supervise(self.worker(idle_seconds), stop)

    def worker(self, idle_seconds: float = 0.05) -> Worker:
        """The relayer as a supervised worker: ``resume()`` at each (re)start, then rounds."""

        def round_or_idle() -> float:
            if not self._ready():
                return idle_seconds
            result = self.run_once()
            metrics.RELAYER_BROADCAST.inc(len(result.transactions))
            return 0.0

        return Worker("relayer", step=round_or_idle, start=self.resume)

    def run_once(self) -> RoundResult:
        """One round over the queue; returns what it settled."""
        with Session(self.engine) as session:
            items = list(
                session.exec(
                    select(OutboxItem)
                    .where(OutboxItem.status == QUEUED)
                    .order_by(col(OutboxItem.created_at))
                    .limit(self.max_items_per_round)  # type: ignore[arg-type]
                )
            )
            session.expunge_all()
        if not items:
            return RoundResult()
        plans = self._plan(items)
        signed = [(plan, self._sign(plan)) for plan in plans]
        self._write_ahead(signed)
        self.checkpoint("after_write_ahead")
        self._broadcast([call.raw for _, call in signed])
        self.checkpoint("after_send")
        receipts = self._wait_for([call.tx_hash for _, call in signed])
        self.checkpoint("after_receipt")
        result = RoundResult(transactions=[call.tx_hash for _, call in signed])
        for plan, call in signed:
            self._settle(plan.items, plan.batch, receipts[call.tx_hash], result)
        return result

    def resume(self) -> RoundResult:
        """After a crash: settle, rebroadcast or requeue every row left ``submitted``."""
        result = RoundResult()
        with Session(self.engine) as session:
            rows = list(session.exec(select(OutboxItem).where(OutboxItem.status == SUBMITTED)))
            session.expunge_all()
        by_tx: dict[str, list[OutboxItem]] = {}
        for row in sorted(rows, key=lambda r: (r.nonce or 0, r.batch_index or 0)):
            by_tx.setdefault(str(row.tx_hash), []).append(row)
        for tx_hash, group in by_tx.items():
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is None and not self._known_or_rebroadcast(group[0]):
                self._requeue(group, "its transaction could no longer be sent")
                result.requeued += len(group)
                continue
            receipt = receipt or self._wait_for([tx_hash])[tx_hash]
            self._settle(group, group[0].kind == TRADE, receipt, result)
        self.ledger.transactor.reset_nonce()
        if rows:
            logger.info(
                "relayer.resumed rows=%d recorded=%d failed=%d requeued=%d",
                len(rows),
                result.recorded,
                result.failed,
                result.requeued,
            )
        return result

    def checkpoint(self, name: str) -> None:
        """A named point in a round (tests crash the relayer here)."""

    # ─────────────────────────────────────────────────────────── planning and sending

    def _ready(self) -> bool:
        """A round is worth it when a batch is full or the oldest item waited long enough."""
        with Session(self.engine) as session:
            count, oldest = session.exec(
                select(func.count(), func.min(OutboxItem.created_at)).where(
                    OutboxItem.status == QUEUED
                )
            ).one()
        return bool(count) and (count >= self.batch_size or time.time() - oldest >= self.max_wait)

    def _plan(self, items: list[OutboxItem]) -> list[_Plan]:
        trades = [item for item in items if item.kind == TRADE]
        plans = []
        for start in range(0, len(trades), self.batch_size):
            chunk = trades[start : start + self.batch_size]
            call = record_trades_calldata([signed_trade(item.payload) for item in chunk])
            gas = batch_gas(len(chunk))
            plans.append(_Plan(call, gas, chunk, batch=True))
        for item in items:
            if item.kind != TRADE:
                action = ACTIONS[item.kind]
                plans.append(
                    _Plan(action.call(self.ledger, item.payload), action.gas, [item], False)
                )
        return plans

    def _sign(self, plan: _Plan) -> Any:
        transactor = self.ledger.transactor
        if isinstance(plan.call, bytes):
            return transactor.sign_data(self.ledger.trades.address, plan.call, gas=plan.gas)
        return transactor.sign(plan.call, gas=plan.gas)

    def _write_ahead(self, signed: Sequence[tuple[_Plan, Any]]) -> None:
        """Record the signed transactions and which rows each carries, before any is sent."""
        now = time.time()
        transactions = [
            {"tx_hash": call.tx_hash, "nonce": call.nonce, "raw": call.raw, "created_at": now}
            for _, call in signed
        ]
        rows = [
            {
                "item_id": item.id,
                "tx_hash": call.tx_hash,
                "nonce": call.nonce,
                "batch_index": index if plan.batch else None,
            }
            for plan, call in signed
            for index, item in enumerate(plan.items)
        ]
        for plan, call in signed:  # the caller's copies follow what is written
            for index, item in enumerate(plan.items):
                item.tx_hash, item.nonce = call.tx_hash, call.nonce
                item.batch_index = index if plan.batch else None
        with self.engine.begin() as connection:
            self.fence(connection)
            connection.execute(insert(RelayedTransaction), transactions)
            connection.execute(
                update(OutboxItem)
                .where(col(OutboxItem.id) == bindparam("item_id"))
                .values(
                    status=SUBMITTED,
                    tx_hash=bindparam("tx_hash"),
                    nonce=bindparam("nonce"),
                    batch_index=bindparam("batch_index"),
                    updated_at=now,
                ),
                rows,
            )

    def _broadcast(self, raw_transactions: list[str]) -> None:
        calls = [("eth_sendRawTransaction", [raw]) for raw in raw_transactions]
        refused = [
            outcome for outcome in self._batch_tolerant(calls) if isinstance(outcome, RpcError)
        ]
        if refused:
            # The rows stay ``submitted``: recovery rebroadcasts or requeues them.
            raise RpcError(f"the node refused {len(refused)} transaction(s): {refused[0].message}")

    def _batch_tolerant(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        try:
            return self.rpc.batch(calls)
        except RpcError:
            outcomes: list[Any] = []
            for method, params in calls:
                try:
                    outcomes.append(self.rpc.call(method, params))
                except RpcError as error:
                    outcomes.append(error)
            return outcomes

    def _wait_for(self, tx_hashes: list[str]) -> dict[str, dict[str, Any]]:
        receipts: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + RECEIPT_TIMEOUT
        while len(receipts) < len(tx_hashes):
            missing = [h for h in tx_hashes if h not in receipts]
            found = self.rpc.batch([("eth_getTransactionReceipt", [h]) for h in missing])
            receipts.update({h: r for h, r in zip(missing, found, strict=True) if r is not None})
            if len(receipts) < len(tx_hashes):
                if time.monotonic() > deadline:
                    raise RpcError(f"no receipt for {len(tx_hashes) - len(receipts)} transactions")
                time.sleep(0.01)
        return receipts

    def _known_or_rebroadcast(self, row: OutboxItem) -> bool:
        """True when the node has (or now accepted again) the row's transaction."""
        if self.rpc.call("eth_getTransactionByHash", [row.tx_hash]) is not None:
            return True
        with Session(self.engine) as session:
            transaction = session.get(RelayedTransaction, row.tx_hash)
        if transaction is None:
            return False
        try:
            self.rpc.call("eth_sendRawTransaction", [transaction.raw])
        except RpcError as error:
            logger.warning("relayer.rebroadcast.refused tx=%s error=%s", row.tx_hash, error)
            return False
        return True

    # ─────────────────────────────────────────────────────────── settling

    def _settle(
        self, items: list[OutboxItem], batch: bool, receipt: dict[str, Any], result: RoundResult
    ) -> None:
        block = int(receipt["blockNumber"], 16)
        if int(receipt["status"], 16) != 1:
            outcomes = self._failed_transaction(items, batch, block)
        elif batch:
            outcomes = self._batch_outcomes(items, receipt)
        else:
            outcomes = {items[0].id: (RECORDED, None)}
        now = time.time()
        changes = []
        for item in items:
            status, error = outcomes[item.id]
            change: dict[str, Any] = {
                "item_id": item.id,
                "status": status,
                "block_number": block,
                "error_code": None,
                "error_message": None,
                **_kept(item),
            }
            if status == RECORDED:
                result.recorded += 1
            elif status == FAILED:
                result.failed += 1
                change |= {"error_code": error.code, "error_message": error.message}
            else:
                result.requeued += 1
                change |= {**_cleared(), "attempts": item.attempts + 1}
            changes.append(change)
        with self.engine.begin() as connection:
            self.fence(connection)
            connection.execute(
                update(OutboxItem)
                .where(col(OutboxItem.id) == bindparam("item_id"))
                .values(
                    status=bindparam("status"),
                    block_number=bindparam("block_number"),
                    error_code=bindparam("error_code"),
                    error_message=bindparam("error_message"),
                    tx_hash=bindparam("tx_hash"),
                    nonce=bindparam("nonce"),
                    batch_index=bindparam("batch_index"),
                    attempts=bindparam("attempts"),
                    updated_at=now,
                ),
                changes,
            )
            failed = [change["item_id"] for change in changes if change["status"] == FAILED]
            _release_dedupe_keys(connection, failed)

    def _batch_outcomes(self, items: list[OutboxItem], receipt: dict[str, Any]) -> dict[str, Any]:
        """Every item of a batch is recorded unless a ``TradeFailed`` event names its index."""
        outcomes: dict[str, Any] = {item.id: (RECORDED, None) for item in items}
        for log in receipt["logs"]:
            spec = self._decoder.spec_for(log)
            if spec is None or spec.name != "TradeFailed":
                continue
            args = spec.decode(log["topics"], log["data"])
            item = items[args["index"]]
            error = self.ledger.decoder.decode(args["reason"])
            outcomes[item.id] = _classify(error, item.payload, trade_recorded_already)
        return outcomes

    def _failed_transaction(
        self, items: list[OutboxItem], batch: bool, block: int
    ) -> dict[str, Any]:
        """A reverted transaction: learn why by calling it again on the state before its block."""
        if batch:  # pre-validated items should never sink a batch: try them again, a few times
            return {
                i.id: (QUEUED, None) if i.attempts < MAX_ATTEMPTS else (FAILED, _relay_failure())
                for i in items
            }
        item = items[0]
        action = ACTIONS[item.kind]
        try:
            action.call(self.ledger, item.payload).call(
                {"from": self.ledger.transactor.address}, block_identifier=block - 1
            )
            error: ContractRevert = _relay_failure()
        except Exception as raised:  # web3 raises its own errors; decode the revert data
            error = self.ledger.decoder.decode(getattr(raised, "data", None))
        return {item.id: _classify(error, item.payload, action.already_done)}

    def _requeue(self, items: list[OutboxItem], why: str) -> None:
        with Session(self.engine) as session:
            self.fence(session.connection())
            for item in items:
                session.execute(
                    update(OutboxItem)
                    .where(col(OutboxItem.id) == item.id)
                    .values(
                        status=QUEUED,
                        attempts=item.attempts + 1,
                        updated_at=time.time(),
                        **_cleared(),
                    )
                )  # type: ignore[arg-type]
            session.commit()
        logger.warning("relayer.requeued rows=%d why=%s", len(items), why)


def _release_dedupe_keys(connection: Any, item_ids: list[str]) -> None:
    """A row the chain refused gives up its dedupe key (to ``failed:<row id>``), in the
    transaction that marks it failed: a later valid submission of the same document, answer or
    move must not be refused as a duplicate of what never happened."""
    if item_ids:
        connection.execute(
            update(OutboxItem)
            .where(col(OutboxItem.id) == bindparam("item_id"))
            .values(dedupe_key=bindparam("released_key")),
            [{"item_id": i, "released_key": f"failed:{i}"} for i in item_ids],
        )


def _classify(error: ContractRevert, payload: dict[str, Any], already_done: Any) -> tuple[str, Any]:
    return (RECORDED, None) if already_done(error, payload) else (FAILED, error)


def _cleared() -> dict[str, Any]:
    return {"tx_hash": None, "nonce": None, "batch_index": None}


def _kept(item: OutboxItem) -> dict[str, Any]:
    return {
        "tx_hash": item.tx_hash,
        "nonce": item.nonce,
        "batch_index": item.batch_index,
        "attempts": item.attempts,
    }


def _relay_failure() -> ContractRevert:
    return ContractRevert("the transaction failed on chain for a reason the contract did not name")
