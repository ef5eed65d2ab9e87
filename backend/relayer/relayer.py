"""The relayer: outbox rows onto the chain, in batches, without ever holding a firm's key.

One round: take queued rows; plan transactions (trades with both signatures go into
``recordTrades`` batches, everything else one call each); sign them with the operator's key and
write hash, nonce and raw bytes to their rows *before* broadcasting (write-ahead); broadcast them
as one JSON-RPC batch; wait (a bounded time) for the receipts; mark every row from the events.

Every round starts by reconciling with the chain (``reconcile``): the operator's nonce on chain
is compared with what the relayer signed, and after a rewind (the node lost blocks, or never got
a transaction) the write-ahead transactions the node does not hold are discarded and their rows
requeued, to be signed again from the chain's nonce; rows left ``submitted`` are settled from
their receipts, and one stuck below the fee market is replaced (same nonce, higher fee); every
``recorded`` row that is not yet final is checked against the indexed chain, and one whose
transaction left the canonical chain is requeued (the contracts' duplicate checks make the
resubmission safe: an item already on chain is recognised and marked recorded). A batch that sinks
as a whole (reverts, or runs out of gas) is split in halves, down to single items, so that only
the item that sinks it fails. A crash anywhere loses nothing: the next start reconciles the same
way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, update
from sqlmodel import Session, col, select
from web3 import Web3
from web3.contract.contract import ContractFunction

from backend.chain.calldata import record_trades_calldata
from backend.chain.contracts import Ledger
from backend.chain.reverts import ContractRevert
from backend.enums import OutboxKind, OutboxStatus
from backend.errors import LedgerError
from backend.indexer.decoding import LogDecoder
from backend.indexer.models import ChainEvent, IndexerCursor
from backend.indexer.rpc import JsonRpc, RpcError
from backend.relayer.actions import ACTIONS, signed_trade, trade_recorded_already
from backend.relayer.models import OutboxItem, RelayedTransaction
from backend.workers import metrics
from backend.workers.errors import Outcome, classify
from backend.workers.supervisor import Worker, supervise

logger = logging.getLogger(__name__)

BATCH_BASE_GAS = 120_000
# An invoice costs ~72,000 in a batch (two slots: document and invoice identity); the margin
# covers a contract wallet's ERC-1271 check (at most SignatureVerifier's 100,000 stipend), so
# one such item does not run its batch out of gas.
BATCH_GAS_PER_TRADE = 100_000
MAX_ATTEMPTS = 3
# A round waits this long for its receipts; rows still without one stay ``submitted`` and the
# next round's reconciliation settles them.
RECEIPT_TIMEOUT = 15.0
# A transaction still pending at the operator's lowest open nonce after this long is replaced
# with the same nonce and a fee higher by FEE_BUMP (nodes ask for at least 10%).
STUCK_SECONDS = 30.0
FEE_BUMP_PERCENT = 125
# Recorded rows (all of them: each is a lookup by transaction hash) are checked against the
# indexed chain at most this often.
RECONCILE_SECONDS = 1.0
RPC_CHUNK = 500


class SinksBatch(LedgerError, code="sinks_batch", status=422):
    """The item alone made a whole batch revert or run out of gas."""


def batch_gas(trades: int) -> int:
    """The gas limit of a ``recordTrades`` transaction of ``trades`` items."""
    return BATCH_BASE_GAS + BATCH_GAS_PER_TRADE * trades


@dataclass
class _Plan:
    call: ContractFunction | bytes  # a web3 contract call, or calldata of a trade-ledger batch
    gas: int
    items: list[OutboxItem]
    batch: bool


@dataclass
class RoundResult:
    recorded: int = 0
    failed: int = 0
    requeued: int = 0
    final: int = 0
    reorged: int = 0
    replaced: int = 0
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
        final_depth: int = 64,
        receipt_timeout: float = RECEIPT_TIMEOUT,
        stuck_seconds: float = STUCK_SECONDS,
        fence: Callable[[Connection], None] | None = None,
    ) -> None:
        self.engine = engine
        self.ledger = ledger
        self.rpc = rpc
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.max_items_per_round = max_items_per_round
        self.final_depth = final_depth
        self.receipt_timeout = receipt_timeout
        self.stuck_seconds = stuck_seconds
        self._decoder = LogDecoder(ledger.deployment, ledger.artifacts)
        # First statement of every write transaction: the leader lease's check (LostLeadership
        # when another relayer took over), so a relayer that lost its lock writes nothing more.
        self.fence: Callable[[Connection], None] = fence or (lambda _connection: None)
        self._last_recorded_check = -RECONCILE_SECONDS

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
            self.run_once()
            return 0.0

        return Worker("relayer", step=round_or_idle, start=self.resume)

    def run_once(self) -> RoundResult:
        """Reconcile with the chain, then one round over the queue; returns what it settled."""
        result = self.reconcile()
        with Session(self.engine) as session:
            items = list(
                session.exec(
                    select(OutboxItem)
                    .where(OutboxItem.status == OutboxStatus.QUEUED)
                    .order_by(col(OutboxItem.created_at))
                    .limit(self.max_items_per_round)  # type: ignore[arg-type]
                )
            )
            session.expunge_all()
        if not items:
            return result
        plans = self._plan(items)
        signed = [(plan, self._sign(plan)) for plan in plans]
        self._write_ahead(signed)
        self.checkpoint("after_write_ahead")
        self._broadcast([call.raw for _, call in signed])
        self.checkpoint("after_send")
        receipts = self._wait_for([call.tx_hash for _, call in signed])
        self.checkpoint("after_receipt")
        result.transactions += [call.tx_hash for _, call in signed]
        for plan, call in signed:
            receipt = receipts.get(call.tx_hash)
            if receipt is not None:  # else: still ``submitted``, settled by a later round
                self._settle(plan.items, plan.batch, receipt, result)
        return result

    def resume(self) -> RoundResult:
        """After a crash (or a failed round): reconcile every row left in flight with the chain.

        A retryable failure (``classify``: a node that cannot be reached, a lost database
        connection) leaves everything as it is, for the next round; a fatal or unknown one is
        raised, for the supervisor to decide."""
        try:
            return self.reconcile(force=True)
        except Exception as error:
            if classify(error) is not Outcome.RETRYABLE:
                raise
            logger.warning("relayer.resume.deferred error=%s", error)
            return RoundResult()

    def reconcile(self, *, force: bool = False) -> RoundResult:
        """Nonce truth, rows left ``submitted``, ``recorded`` rows against the indexed chain."""
        result = RoundResult()
        latest, pending = self._chain_nonces()
        self._discard_lost(pending, result)
        self._settle_submitted(latest, result, wait=force)
        if force or time.monotonic() - self._last_recorded_check >= RECONCILE_SECONDS:
            self._check_recorded(result)
            self._last_recorded_check = time.monotonic()
        # The next transaction is signed from the chain's own count, never from a stale one.
        self.ledger.transactor.reset_nonce()
        if result.requeued or result.reorged or result.replaced or result.failed:
            logger.info(
                "relayer.reconciled recorded=%d final=%d failed=%d requeued=%d reorged=%d "
                "replaced=%d",
                result.recorded,
                result.final,
                result.failed,
                result.requeued,
                result.reorged,
                result.replaced,
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
                    OutboxItem.status == OutboxStatus.QUEUED
                )
            ).one()
        if count and (count >= self.batch_size or time.time() - oldest >= self.max_wait):
            return True
        return self._reconcile_due()

    def _reconcile_due(self) -> bool:
        """Rows in flight (submitted, or recorded and not final) are reconciled now and then,
        even when nothing new is queued."""
        if time.monotonic() - self._last_recorded_check < RECONCILE_SECONDS:
            return False
        with Session(self.engine) as session:
            in_flight = session.exec(
                select(OutboxItem.id)
                .where(col(OutboxItem.status).in_([OutboxStatus.SUBMITTED, OutboxStatus.RECORDED]))
                .limit(1)
            ).first()
        return in_flight is not None

    def _plan(self, items: list[OutboxItem]) -> list[_Plan]:
        # Rows of a batch that sank carry a cap: they go in batches of at most that many.
        by_size: dict[int, list[OutboxItem]] = {}
        for item in items:
            if item.kind == OutboxKind.TRADE:
                size = min(self.batch_size, item.batch_cap or self.batch_size)
                by_size.setdefault(size, []).append(item)
        plans = []
        for size, trades in by_size.items():
            for start in range(0, len(trades), size):
                chunk = trades[start : start + size]
                call = record_trades_calldata([signed_trade(item.payload) for item in chunk])
                gas = batch_gas(len(chunk))
                plans.append(_Plan(call, gas, chunk, batch=True))
        for item in items:
            if item.kind != OutboxKind.TRADE:
                action = ACTIONS[item.kind]
                plans.append(
                    _Plan(
                        action.call(self.ledger, item.payload),
                        action.gas_of(item.payload),
                        [item],
                        False,
                    )
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
                    status=OutboxStatus.SUBMITTED,
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
        metrics.RELAYER_BROADCAST.inc(len(raw_transactions) - len(refused))
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
        """The receipts that arrive within the receipt timeout. Never raises for a missing one
        (or a node that stopped answering): those rows stay ``submitted`` for the next round."""
        receipts: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + self.receipt_timeout
        while len(receipts) < len(tx_hashes):
            missing = [h for h in tx_hashes if h not in receipts]
            try:
                receipts.update(self._receipts(missing))
            except RpcError as error:
                logger.warning("relayer.receipts.unavailable error=%s", error)
            if len(receipts) < len(tx_hashes):
                if time.monotonic() > deadline:
                    logger.warning(
                        "relayer.receipts.timeout missing=%d waited=%.0fs",
                        len(tx_hashes) - len(receipts),
                        self.receipt_timeout,
                    )
                    break
                time.sleep(0.01)
        return receipts

    def _receipts(self, tx_hashes: list[str]) -> dict[str, dict[str, Any]]:
        """The receipts the node has for ``tx_hashes`` (absent: not mined on its chain)."""
        return self._lookup("eth_getTransactionReceipt", tx_hashes)

    def _known(self, tx_hashes: list[str]) -> dict[str, dict[str, Any]]:
        """The transactions the node holds (mined or in its pool)."""
        return self._lookup("eth_getTransactionByHash", tx_hashes)

    def _lookup(self, method: str, tx_hashes: list[str]) -> dict[str, dict[str, Any]]:
        """``method`` asked of every hash, in JSON-RPC batches; the hashes it answered for."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(tx_hashes), RPC_CHUNK):
            chunk = tx_hashes[start : start + RPC_CHUNK]
            answers = self.rpc.batch([(method, [h]) for h in chunk])
            found.update({h: a for h, a in zip(chunk, answers, strict=True) if a is not None})
        return found

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
        metrics.RELAYER_BROADCAST.inc()
        return True

    # ─────────────────────────────────────────────────────────── reconciling

    def _chain_nonces(self) -> tuple[int, int]:
        """The operator's transaction count on chain: mined (``latest``), and with the node's
        pool (``pending``)."""
        address = self.ledger.transactor.address
        latest, pending = self.rpc.batch(
            [
                ("eth_getTransactionCount", [address, "latest"]),
                ("eth_getTransactionCount", [address, "pending"]),
            ]
        )
        return int(latest, 16), int(pending, 16)

    def _discard_lost(self, pending: int, result: RoundResult) -> None:
        """Write-ahead transactions at or above the chain's nonce that the node does not hold
        can never be mined (a rewind lost them, or they were never sent): their rows go back in
        the queue, to be signed again from the chain's nonce."""
        with Session(self.engine) as session:
            candidates = list(
                session.exec(
                    select(RelayedTransaction.tx_hash).where(RelayedTransaction.nonce >= pending)
                )
            )
        if not candidates:
            return
        known = self._known(candidates)
        lost = [tx_hash for tx_hash in candidates if tx_hash not in known]
        if not lost:
            return
        with Session(self.engine) as session:
            rows = list(
                session.exec(
                    select(OutboxItem).where(
                        col(OutboxItem.tx_hash).in_(lost),
                        col(OutboxItem.status).in_([OutboxStatus.SUBMITTED, OutboxStatus.RECORDED]),
                    )
                )
            )
            session.expunge_all()
        self._requeue(rows, f"the chain's nonce is {pending}: its transaction is gone", result)
        with self.engine.begin() as connection:
            self.fence(connection)
            connection.execute(
                delete(RelayedTransaction).where(col(RelayedTransaction.tx_hash).in_(lost))
            )
        logger.warning(
            "relayer.nonce.rewound chain_nonce=%d discarded=%d rows=%d",
            pending,
            len(lost),
            len(rows),
        )

    def _settle_submitted(self, latest: int, result: RoundResult, *, wait: bool = False) -> None:
        """Rows left ``submitted``: settled from their receipts; a transaction still pending is
        left to the node (or replaced when stuck); one whose nonce another transaction spent
        goes back in the queue."""
        with Session(self.engine) as session:
            rows = list(
                session.exec(select(OutboxItem).where(OutboxItem.status == OutboxStatus.SUBMITTED))
            )
            session.expunge_all()
        if not rows:
            return
        by_tx: dict[str, list[OutboxItem]] = {}
        for row in sorted(rows, key=lambda r: (r.nonce or 0, r.batch_index or 0)):
            by_tx.setdefault(str(row.tx_hash), []).append(row)
        receipts = self._receipts(list(by_tx))
        unmined = [tx_hash for tx_hash in by_tx if tx_hash not in receipts]
        known = self._known(unmined) if unmined else {}
        if wait and known:  # at start: what the node still holds is usually mined in a moment
            receipts.update(self._wait_for(list(known)))
        gone: list[OutboxItem] = []
        for tx_hash, group in by_tx.items():
            receipt = receipts.get(tx_hash)
            if receipt is not None:
                self._settle(group, group[0].kind == OutboxKind.TRADE, receipt, result)
            elif tx_hash in known:
                if group[0].nonce == latest and time.time() - group[0].updated_at > (
                    self.stuck_seconds
                ):
                    self._replace(group, known[tx_hash], result)
            elif not self._mined_replacement(group, result) and not (
                (group[0].nonce or 0) >= latest and self._known_or_rebroadcast(group[0])
            ):
                gone.extend(group)
        if gone:
            self._requeue(gone, "its transaction is neither mined nor pending", result)

    def _mined_replacement(self, group: list[OutboxItem], result: RoundResult) -> bool:
        """When another transaction of ours at the rows' nonce was mined (a fee replacement
        of theirs), settle the rows from it."""
        with Session(self.engine) as session:
            siblings = list(
                session.exec(
                    select(RelayedTransaction.tx_hash).where(
                        RelayedTransaction.nonce == group[0].nonce,
                        RelayedTransaction.tx_hash != group[0].tx_hash,
                    )
                )
            )
        receipts = self._receipts(siblings) if siblings else {}
        for tx_hash, receipt in receipts.items():
            for item in group:
                item.tx_hash = tx_hash
            self._settle(group, group[0].kind == OutboxKind.TRADE, receipt, result)
            return True
        return False

    def _replace(
        self, group: list[OutboxItem], pending_tx: dict[str, Any], result: RoundResult
    ) -> None:
        """Replace-by-fee: the same call, nonce and gas, with fees raised by at least
        FEE_BUMP_PERCENT (and to today's market when that is higher)."""
        transactor = self.ledger.transactor
        market = transactor._fees()
        old_cap = int(str(pending_tx.get("maxFeePerGas") or pending_tx["gasPrice"]), 16)
        old_tip = int(str(pending_tx.get("maxPriorityFeePerGas") or pending_tx["gasPrice"]), 16)
        tip = max(-(-old_tip * FEE_BUMP_PERCENT // 100), int(market["maxPriorityFeePerGas"]))
        cap = max(-(-old_cap * FEE_BUMP_PERCENT // 100), int(market["maxFeePerGas"]), tip)
        transaction = {
            "type": 2,
            "chainId": int(pending_tx["chainId"], 16),
            "nonce": int(pending_tx["nonce"], 16),
            "to": Web3.to_checksum_address(pending_tx["to"]),
            "value": 0,
            "data": pending_tx["input"],
            "gas": int(pending_tx["gas"], 16),
            "maxFeePerGas": cap,
            "maxPriorityFeePerGas": tip,
        }
        signed = transactor.account.sign_transaction(transaction)  # type: ignore[arg-type]
        tx_hash = "0x" + bytes(signed.hash).hex()
        raw = "0x" + bytes(signed.raw_transaction).hex()
        now = time.time()
        with self.engine.begin() as connection:  # write-ahead, as for any transaction
            self.fence(connection)
            connection.execute(
                insert(RelayedTransaction),
                [
                    {
                        "tx_hash": tx_hash,
                        "nonce": transaction["nonce"],
                        "raw": raw,
                        "created_at": now,
                    }
                ],
            )
            connection.execute(
                update(OutboxItem)
                .where(col(OutboxItem.id).in_([item.id for item in group]))
                .values(tx_hash=tx_hash, updated_at=now)
            )
        self._broadcast([raw])
        metrics.RELAYER_REPLACED.inc()
        result.replaced += 1
        logger.warning(
            "relayer.transaction.replaced nonce=%d old_tx=%s new_tx=%s max_fee=%d",
            transaction["nonce"],
            pending_tx["hash"],
            tx_hash,
            cap,
        )

    def _check_recorded(self, result: RoundResult) -> None:
        """Every ``recorded`` row not yet final, against the indexed chain (and the node):
        final once its block is deeper than the final depth under the indexed head; requeued
        when its transaction left the canonical chain."""
        with Session(self.engine) as session:
            rows = list(
                session.exec(
                    select(OutboxItem).where(col(OutboxItem.status) == OutboxStatus.RECORDED)
                )
            )
            session.expunge_all()
            if not rows:
                return
            cursor = session.get(IndexerCursor, self.ledger.deployment.chain_id)
            tx_hashes = sorted({str(row.tx_hash) for row in rows})
            indexed: dict[str, int] = {}
            for start in range(0, len(tx_hashes), RPC_CHUNK):
                chunk = tx_hashes[start : start + RPC_CHUNK]
                indexed.update(
                    session.exec(
                        select(ChainEvent.tx_hash, func.min(ChainEvent.block_number))
                        .where(col(ChainEvent.tx_hash).in_(chunk))
                        .group_by(col(ChainEvent.tx_hash))
                    ).all()
                )
        head = None if cursor is None else int(cursor.last_block)
        final_ids: list[str] = []
        moved: list[dict[str, Any]] = []
        unindexed: dict[str, list[OutboxItem]] = {}
        for row in rows:
            block = indexed.get(str(row.tx_hash))
            if block is None:
                unindexed.setdefault(str(row.tx_hash), []).append(row)
            elif head is not None and head - block >= self.final_depth:
                final_ids.append(row.id)
            elif block != row.block_number:
                moved.append({"item_id": row.id, "block_number": block})
        receipts = self._receipts(list(unindexed)) if unindexed else {}
        unmined = [tx_hash for tx_hash in unindexed if tx_hash not in receipts]
        known = self._known(unmined) if unmined else {}
        dropped: list[OutboxItem] = []
        back_to_pool: list[str] = []
        for tx_hash, group in unindexed.items():
            receipt = receipts.get(tx_hash)
            if receipt is not None:
                block = int(receipt["blockNumber"], 16)
                moved += [
                    {"item_id": r.id, "block_number": block}
                    for r in group
                    if block != (r.block_number)
                ]
            elif tx_hash in known:  # the reorg put it back in the pool: mined again soon
                back_to_pool += [r.id for r in group]
            else:
                dropped.extend(group)
        now = time.time()
        with self.engine.begin() as connection:
            self.fence(connection)
            _update_recorded(connection, final_ids, status=OutboxStatus.FINAL, updated_at=now)
            _update_recorded(
                connection,
                back_to_pool,
                status=OutboxStatus.SUBMITTED,
                block_number=None,
                updated_at=now,
            )
            if moved:
                connection.execute(
                    update(OutboxItem)
                    .where(col(OutboxItem.id) == bindparam("item_id"))
                    .values(block_number=bindparam("block_number")),
                    moved,
                )
        result.final += len(final_ids)
        if dropped:
            self._requeue(dropped, "its transaction left the canonical chain", result)

    # ─────────────────────────────────────────────────────────── settling

    def _settle(
        self, items: list[OutboxItem], batch: bool, receipt: dict[str, Any], result: RoundResult
    ) -> None:
        """Mark the rows of a mined transaction: recorded, failed (with the contract's error) or,
        for the items a sunk batch did not fail by themselves, queued again."""
        block = int(receipt["blockNumber"], 16)
        caps: dict[str, int | None] = {}
        if int(receipt["status"], 16) != 1:
            outcomes = self._failed_transaction(items, batch, block, caps)
        elif batch:
            outcomes = self._batch_outcomes(items, receipt)
        else:
            outcomes = {items[0].id: (OutboxStatus.RECORDED, None)}
        changes = []
        for item in items:
            status, error = outcomes[item.id]
            changes.append(_settled_change(item, status, error, block, receipt, caps, result))
        requeued = sum(change["status"] == OutboxStatus.QUEUED for change in changes)
        if requeued:
            metrics.RELAYER_ROWS_REQUEUED.inc(requeued)
        self._write_settled(changes)

    def _write_settled(self, changes: list[dict[str, Any]]) -> None:
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
                    batch_cap=bindparam("batch_cap"),
                    updated_at=time.time(),
                ),
                changes,
            )
            failed = [
                change["item_id"] for change in changes if change["status"] == OutboxStatus.FAILED
            ]
            _release_dedupe_keys(connection, failed)

    def _batch_outcomes(self, items: list[OutboxItem], receipt: dict[str, Any]) -> dict[str, Any]:
        """Every item of a batch is recorded unless a ``TradeFailed`` event names its index."""
        outcomes: dict[str, Any] = {item.id: (OutboxStatus.RECORDED, None) for item in items}
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
        self, items: list[OutboxItem], batch: bool, block: int, caps: dict[str, int | None]
    ) -> dict[str, Any]:
        """A reverted transaction. A batch that sank as a whole (an item reverted it or burnt
        its gas) is split: its items go back in the queue capped at half its size, down to one
        item alone, which is then the culprit. A single call is run again on the state before
        its block to learn why."""
        if batch and len(items) > 1:
            half = (len(items) + 1) // 2
            caps.update({item.id: half for item in items})
            logger.warning(
                "relayer.batch.sunk items=%d block=%d split_into=%d", len(items), block, half
            )
            return {item.id: (OutboxStatus.QUEUED, None) for item in items}
        if batch:
            return {
                items[0].id: (
                    OutboxStatus.FAILED,
                    SinksBatch(
                        "this trade makes any batch it is in revert or run out of gas "
                        "(it was isolated by splitting its batch); it is not recorded"
                    ),
                )
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

    def _requeue(self, items: list[OutboxItem], why: str, result: RoundResult) -> None:
        """Back in the queue; a row that was ``recorded`` counts as reorged."""
        if not items:
            return
        reorged = [
            item for item in items if item.status in (OutboxStatus.RECORDED, OutboxStatus.FINAL)
        ]
        reorged_ids = {item.id for item in reorged}
        with Session(self.engine) as session:
            self.fence(session.connection())
            for item in items:
                session.execute(
                    update(OutboxItem)
                    .where(col(OutboxItem.id) == item.id)
                    .values(
                        status=OutboxStatus.QUEUED,
                        attempts=item.attempts + 1,
                        reorgs=item.reorgs + (item.id in reorged_ids),
                        block_number=None,
                        updated_at=time.time(),
                        **_no_transaction(),
                    )
                )  # type: ignore[arg-type]
            session.commit()
        result.requeued += len(items)
        result.reorged += len(reorged)
        metrics.RELAYER_ROWS_REQUEUED.inc(len(items))
        metrics.RELAYER_ROWS_REORGED.inc(len(reorged))
        logger.warning("relayer.requeued rows=%d reorged=%d why=%s", len(items), len(reorged), why)


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


def _update_recorded(connection: Connection, item_ids: list[str], **values: Any) -> None:
    """The rows of ``item_ids`` that are still ``recorded`` take ``values``."""
    if item_ids:
        connection.execute(
            update(OutboxItem)
            .where(
                col(OutboxItem.id).in_(item_ids),
                col(OutboxItem.status) == OutboxStatus.RECORDED,
            )
            .values(**values)
        )


def _classify(error: ContractRevert, payload: dict[str, Any], already_done: Any) -> tuple[str, Any]:
    return (
        (OutboxStatus.RECORDED, None)
        if already_done(error, payload)
        else (OutboxStatus.FAILED, error)
    )


def _settled_change(
    item: OutboxItem,
    status: OutboxStatus,
    error: ContractRevert | None,
    block: int,
    receipt: dict[str, Any],
    caps: dict[str, int | None],
    result: RoundResult,
) -> dict[str, Any]:
    """The update of one row of a mined transaction (counted in ``result``)."""
    change: dict[str, Any] = {
        "item_id": item.id,
        "status": status,
        "block_number": block,
        "error_code": None,
        "error_message": None,
        **_transaction_of(item),
        "tx_hash": receipt.get("transactionHash", item.tx_hash),
        "batch_cap": caps.get(item.id, item.batch_cap),
    }
    if status == OutboxStatus.RECORDED:
        result.recorded += 1
    elif status == OutboxStatus.FAILED:
        assert error is not None
        result.failed += 1
        change |= {"error_code": error.code, "error_message": error.message}
    else:
        result.requeued += 1
        change |= {**_no_transaction(), "attempts": item.attempts + 1, "block_number": None}
    return change


def _no_transaction() -> dict[str, Any]:
    """The columns of a row that no transaction carries (any more)."""
    return {"tx_hash": None, "nonce": None, "batch_index": None}


def _transaction_of(item: OutboxItem) -> dict[str, Any]:
    """The columns of a row that say which transaction carries it, as they are."""
    return {
        "tx_hash": item.tx_hash,
        "nonce": item.nonce,
        "batch_index": item.batch_index,
        "attempts": item.attempts,
    }


def _relay_failure() -> ContractRevert:
    return ContractRevert("the transaction failed on chain for a reason the contract did not name")
