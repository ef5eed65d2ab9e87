"""The indexer: chain logs into SQL, in (block, log index) order, reorg-safe and resumable.

Each step reads one block range with a raw ``eth_getLogs``, decodes it, runs one handler per
event and advances the cursor, all in one database transaction: a crash leaves the database at
the previous cursor, and the range is simply read again. While catching up, consecutive ranges
are joined into one transaction of about ``EVENTS_PER_WRITE`` events, and the next ones are read
and decoded ahead while it is written (by a forked process over a long catch-up). The hash of
each processed block is kept; when the chain no longer has the block the cursor stands on, the
indexer walks back to the newest stored block the chain still has, undoes the journaled writes
made after it and reads on from there. A reorg deeper than the final depth stops the indexer
with a fatal error (`ReorgTooDeep`): no retry fixes it, the process stops.

Under ``scf serve`` (and ``scf index --follow``) the indexer runs supervised: a retryable failure
(node or database gone for a while) backs off and indexing resumes from the cursor. Every write
transaction first calls the ``fence`` it was given (the leader lease's check), so an indexer that
lost its leader lock writes nothing more.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select
from sqlmodel import SQLModel

import backend.indexer.handlers  # noqa: F401  (registers the handlers)
from backend.chain.compiler import Artifact
from backend.chain.deploy import Deployment
from backend.db import table_of
from backend.indexer.decoding import LogDecoder, event_id
from backend.indexer.events import CHAIN_EVENT_COLUMNS, HANDLERS, DecodedEvent
from backend.indexer.models import BlockHeader, ChainEvent, IndexerCursor
from backend.indexer.readahead import FORK, read_in_process, read_in_thread
from backend.indexer.rpc import JsonRpc, ResponseTooLarge
from backend.indexer.store import Store, insert_values, prune_journal, roll_back
from backend.workers import metrics
from backend.workers.errors import FatalError, HandlerError
from backend.workers.supervisor import Worker, supervise

logger = logging.getLogger(__name__)

EVENTS: Table = table_of(ChainEvent)
HEADERS: Table = table_of(BlockHeader)
CURSORS: Table = table_of(IndexerCursor)
# The range adapts to fetch about this many logs per eth_getLogs. A response is held as bytes,
# parsed and decoded at once (about 4 KB a log), so this bounds the read-ahead's memory.
LOGS_PER_REQUEST = 5_000
# Ranges read ahead are joined into transactions of about this many events: each transaction
# rewrites every index page it touches, so bigger ones write fewer pages per event. Twice as many
# index a million events ~15% faster, but writer and reader then hold ~50 MB more between them.
EVENTS_PER_WRITE = 10_000


class ReorgTooDeep(FatalError):
    """A reorg deeper than the final depth: the indexed data cannot be trusted; re-index."""


@dataclass(frozen=True)
class _Batch:
    """One block range, read and decoded, ready to be written."""

    from_block: int
    to_block: int
    parent_hash: str  # of from_block: the block the range must follow
    to_hash: str
    to_time: int
    events: list[DecodedEvent]

    def follows(self, block_hash: str | None) -> bool:
        """Whether the range's first block is a child of the block with ``block_hash`` (before
        anything is indexed there is no such block to follow)."""
        return block_hash is None or self.parent_hash == block_hash


def _joined(parts: list[_Batch]) -> _Batch:
    """Consecutive batches as one."""
    if len(parts) == 1:
        return parts[0]
    first, last = parts[0], parts[-1]
    events = [event for part in parts for event in part.events]
    return _Batch(
        first.from_block, last.to_block, first.parent_hash, last.to_hash, last.to_time, events
    )


@dataclass
class IndexProgress:
    from_block: int
    to_block: int
    events: int = 0
    rolled_back_to: int | None = None


BatchCallback = Callable[[Connection, set[str], int], None]
Fence = Callable[[Connection], None]


def _unfenced(_connection: Connection) -> None:
    """No leader lease to check (a lone indexer, or SQLite's file lock)."""


class Indexer:
    """Indexes one deployment on one chain into one database."""

    def __init__(
        self,
        engine: Engine,
        rpc: JsonRpc,
        deployment: Deployment,
        artifacts: dict[str, Artifact],
        *,
        confirmation_depth: int = 0,
        final_depth: int = 64,
        max_range: int = 5_000,
        on_batch: BatchCallback | None = None,
        fence: Fence | None = None,
    ) -> None:
        self.engine = engine
        self.rpc = rpc
        self.deployment = deployment
        self.decoder = LogDecoder(deployment, artifacts)
        self.confirmation_depth = confirmation_depth
        self.final_depth = final_depth
        self.max_range = max_range
        self.on_batch = on_batch
        self.fence = fence or _unfenced
        self._head = 0  # the node's head when last asked (for the lag metric)
        self._range = 1  # grows while ranges return few logs, so one response stays small
        self._tables: dict[str, Table] = dict(SQLModel.metadata.tables)

    # ─────────────────────────────────────────────────────────── public

    def sync(self) -> IndexProgress:
        """Index until the cursor reaches the head minus the confirmation depth.

        A worker thread reads and decodes the next range while the current one is written, so
        waiting on the node overlaps with the database's work.
        """
        start = self.cursor()[0]
        total = IndexProgress(from_block=start + 1, to_block=start)
        while True:
            head = self._head = self.rpc.block_number()
            metrics.INDEXER_HEAD.set(head)
            ancestor = self._check_reorg()
            if ancestor is not None:
                total.rolled_back_to = total.to_block = ancestor
                continue
            last_block, last_hash = self.cursor()
            metrics.INDEXER_CURSOR.set(last_block)
            metrics.INDEXER_LAG.set(max(0, head - last_block))
            target = head - self.confirmation_depth
            if last_block >= target:
                return total
            with contextlib.closing(self._prefetched(last_block + 1, target)) as batches:
                for batch in batches:
                    if not batch.follows(last_hash):
                        break  # a reorg since that block was read: check for it, then again
                    self._write(batch, provisional_from=head - self.final_depth + 1)
                    total.events += len(batch.events)
                    total.to_block, last_hash = batch.to_block, batch.to_hash

    def step(self) -> IndexProgress | None:
        """Index one block range (or undo a reorg); None when there is nothing to do."""
        head = self.rpc.block_number()
        ancestor = self._check_reorg()
        if ancestor is not None:
            return IndexProgress(ancestor + 1, ancestor, rolled_back_to=ancestor)
        last_block, last_hash = self.cursor()
        target = head - self.confirmation_depth
        if last_block >= target:
            return None
        batch = self._fetch(last_block + 1, min(target, last_block + self._range))
        if batch is None or not batch.follows(last_hash):
            return IndexProgress(last_block + 1, last_block)  # narrowed the range or raced a reorg
        self._write(batch, provisional_from=head - self.final_depth + 1)
        return IndexProgress(batch.from_block, batch.to_block, events=len(batch.events))

    def follow(
        self,
        stop: threading.Event,
        poll_seconds: float = 1.0,
        after_sync: Callable[[int], None] | None = None,
    ) -> None:
        """Keep indexing new blocks until ``stop`` is set; ``after_sync(block)`` ends each cycle.

        Supervised: a retryable failure backs off and indexing resumes from the cursor; a fatal
        one raises `WorkerFailed`.
        """
        supervise(self.worker(poll_seconds, after_sync), stop)

    def worker(
        self, poll_seconds: float = 1.0, after_sync: Callable[[int], None] | None = None
    ) -> Worker:
        """The indexer as a supervised worker: one step syncs to the head, then waits a poll."""

        def cycle() -> float:
            progress = self.sync()
            if after_sync is not None:
                after_sync(progress.to_block)
            return poll_seconds

        return Worker("indexer", step=cycle)

    def cursor(self) -> tuple[int, str | None]:
        """(last indexed block, its hash); before anything, the block before the deployment."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(CURSORS).where(CURSORS.c.chain_id == self.deployment.chain_id)
            ).first()
        if row is None:
            return self.deployment.deploy_block - 1, None
        return int(row.last_block), str(row.last_hash)

    # ─────────────────────────────────────────────────────────── reading the chain

    def _check_reorg(self) -> int | None:
        """When the cursor's block is no longer on the chain, roll back; returns the ancestor."""
        last_block, last_hash = self.cursor()
        if last_hash is None or self._hash_of(last_block) == last_hash:
            return None
        return self._roll_back_reorg(last_block)

    def _hash_of(self, number: int) -> str | None:
        block = self.rpc.block(number)
        return None if block is None else str(block["hash"])

    def _prefetched(self, from_block: int, target: int) -> Generator[_Batch, None, None]:
        """Batches from ``from_block`` to ``target``, read one ahead while the last is written.

        A catch-up over more blocks than the final depth reads in a forked process, so that
        fetching and decoding run on the other core; following the head, a thread will do.
        """

        def read(stop: threading.Event) -> Iterator[_Batch]:
            return self._read_batches(from_block, target, stop)

        if FORK is not None and target - from_block >= self.final_depth:
            return read_in_process(read, in_child=self._own_node_connection)
        return read_in_thread(read)

    def _own_node_connection(self) -> None:
        """In a forked reader: its own HTTP connections, not copies of the writer's."""
        self.rpc = JsonRpc(self.rpc.url, self.rpc.timeout, retries=self.rpc.retries)

    def _read_batches(
        self, from_block: int, target: int, stop: threading.Event
    ) -> Iterator[_Batch]:
        """Batches from ``from_block`` to ``target``; the first is one request's worth, so that
        writing starts early, the others about one write's worth of events."""
        position = from_block
        wanted = LOGS_PER_REQUEST
        while position <= target and not stop.is_set():
            batch = self._read_ahead(position, target, stop, wanted)
            if batch is None:
                return
            yield batch
            position = batch.to_block + 1
            wanted = EVENTS_PER_WRITE

    def _read_ahead(
        self, from_block: int, target: int, stop: threading.Event, wanted: int
    ) -> _Batch | None:
        """Consecutive ranges from ``from_block``, joined until about ``wanted`` events (and at
        most ``max_range`` blocks); None when stopped first."""
        last = min(target, from_block + self.max_range - 1)
        parts: list[_Batch] = []
        events = 0
        position = from_block
        while position <= last and events < wanted and not stop.is_set():
            part = self._fetch(position, min(last, position + self._range - 1))
            if part is not None and parts and not part.follows(parts[-1].to_hash):
                break  # a reorg between two reads: the writer finds this part's parent changed
            if part is not None:  # else: a narrower range, or the chain moved; again
                parts.append(part)
                events += len(part.events)
                position = part.to_block + 1
        return _joined(parts) if parts else None

    def _fetch(self, from_block: int, to_block: int) -> _Batch | None:
        """The decoded events of a range and its last block's hash and time, from one fork."""
        before = self.rpc.block(to_block)
        first = before if from_block == to_block else self.rpc.block(from_block)
        try:
            logs = self.rpc.logs(self.decoder.addresses, from_block, to_block)
        except ResponseTooLarge:
            self._range = max(1, (to_block - from_block + 1) // 2)
            return None
        after = self.rpc.block(to_block)
        if before is None or first is None or after is None or before["hash"] != after["hash"]:
            return None  # the chain moved under us: read again
        self._adapt_range(len(logs), to_block - from_block + 1)
        events = self._decode(logs)
        return _Batch(
            from_block,
            to_block,
            str(first["parentHash"]),
            str(after["hash"]),
            int(after["timestamp"], 16),
            events,
        )

    def _adapt_range(self, log_count: int, span: int) -> None:
        """Aim the next range at about LOGS_PER_REQUEST logs, growing at most twofold a step."""
        if log_count > LOGS_PER_REQUEST:
            self._range = max(1, span // 2)
        else:
            fitting = span * LOGS_PER_REQUEST // max(log_count, 1)
            self._range = max(1, min(self.max_range, span * 2, fitting))

    def _decode(self, logs: list[dict[str, Any]]) -> list[DecodedEvent]:
        missing = {log["blockNumber"] for log in logs if "blockTimestamp" not in log}
        times = self._block_times(sorted(missing)) if missing else {}
        spec_for = self.decoder.spec_for
        # Logs of one block (and of one transaction) repeat its hash: keep one copy of each.
        hashes: dict[str, str] = {}
        events = []
        for log in logs:
            if log.get("removed"):
                continue
            spec = spec_for(log)
            if spec is None:
                continue
            block_number = int(log["blockNumber"], 16)
            log_index = int(log["logIndex"], 16)
            stamp = log.get("blockTimestamp") or times[log["blockNumber"]]
            block_hash = log["blockHash"]
            tx_hash = log["transactionHash"]
            events.append(
                DecodedEvent(
                    id=event_id(block_number, log_index),
                    contract=spec.contract,
                    name=spec.name,
                    block_number=block_number,
                    block_hash=hashes.setdefault(block_hash, block_hash),
                    block_time=int(stamp, 16),
                    tx_hash=hashes.setdefault(tx_hash, tx_hash),
                    log_index=log_index,
                    args=spec.decode(log["topics"], log["data"]),
                )
            )
        events.sort(key=lambda e: e.id)
        return events

    def _block_times(self, numbers_hex: list[str]) -> dict[str, str]:
        blocks = self.rpc.blocks([int(n, 16) for n in numbers_hex])
        return {n: str(b["timestamp"]) for n, b in zip(numbers_hex, blocks, strict=True) if b}

    # ─────────────────────────────────────────────────────────── writing

    def _write(self, batch: _Batch, *, provisional_from: int) -> None:
        """One database transaction: events, handlers' rows, headers, cursor (and the callback)."""
        with self.engine.begin() as connection:
            self.fence(connection)
            store = Store(connection, provisional_from)
            insert_values(
                connection, EVENTS, CHAIN_EVENT_COLUMNS, (e.row_values() for e in batch.events)
            )
            for event in batch.events:
                handler = HANDLERS.get(event.key)
                if handler is not None:
                    try:
                        handler(store, event)
                    except Exception as error:
                        raise HandlerError(
                            event.key, event.block_number, event.tx_hash, event.log_index, error
                        ) from error
            store.flush()
            self._save_headers(connection, batch)
            self._save_cursor(connection, batch.to_block, batch.to_hash)
            final_block = provisional_from - 1
            prune_journal(connection, final_block)
            connection.execute(
                delete(HEADERS).where(
                    HEADERS.c.number < final_block, HEADERS.c.number != batch.to_block
                )
            )
            if self.on_batch is not None:
                self.on_batch(connection, store.touched_firms, batch.to_block)
        metrics.INDEXER_EVENTS.inc(len(batch.events))
        metrics.INDEXER_CURSOR.set(batch.to_block)
        metrics.INDEXER_LAG.set(max(0, self._head - batch.to_block))
        logger.info(
            "indexer.batch.applied from_block=%d to_block=%d events=%d",
            batch.from_block,
            batch.to_block,
            len(batch.events),
        )

    def _save_headers(self, connection: Connection, batch: _Batch) -> None:
        headers = {e.block_number: (e.block_hash, e.block_time) for e in batch.events}
        headers[batch.to_block] = (batch.to_hash, batch.to_time)
        connection.execute(
            insert(HEADERS),
            [{"number": n, "hash": h, "timestamp": t} for n, (h, t) in sorted(headers.items())],
        )

    def _save_cursor(self, connection: Connection, block: int, block_hash: str) -> None:
        chain_id = self.deployment.chain_id
        connection.execute(delete(CURSORS).where(CURSORS.c.chain_id == chain_id))
        connection.execute(
            insert(CURSORS).values(chain_id=chain_id, last_block=block, last_hash=block_hash)
        )

    # ─────────────────────────────────────────────────────────── reorgs

    def _roll_back_reorg(self, last_block: int) -> int:
        ancestor, ancestor_hash = self._common_ancestor(last_block)
        depth = last_block - ancestor
        if depth > self.final_depth:
            raise ReorgTooDeep(
                f"reorg of {depth} blocks below block {last_block} is deeper than the final "
                f"depth {self.final_depth}: the indexed data cannot be trusted; re-index"
            )
        with self.engine.begin() as connection:
            self.fence(connection)
            undone = roll_back(connection, self._tables, ancestor)
            connection.execute(delete(EVENTS).where(EVENTS.c.id >= event_id(ancestor + 1, 0)))
            connection.execute(delete(HEADERS).where(HEADERS.c.number > ancestor))
            self._save_cursor(connection, ancestor, ancestor_hash)
            if self.on_batch is not None:
                self.on_batch(connection, set(), ancestor)
        metrics.INDEXER_REORGS.inc()
        metrics.INDEXER_REORG_DEPTH.observe(depth)
        logger.warning(
            "indexer.reorg.rolled_back from_block=%d to_block=%d depth=%d writes_undone=%d",
            last_block,
            ancestor,
            depth,
            undone,
        )
        return ancestor

    def _common_ancestor(self, last_block: int) -> tuple[int, str]:
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(HEADERS.c.number, HEADERS.c.hash)
                .where(HEADERS.c.number <= last_block)
                .order_by(HEADERS.c.number.desc())
            ).all()
        canonical = self.rpc.blocks([int(number) for number, _ in stored])
        for (number, stored_hash), block in zip(stored, canonical, strict=True):
            if block is not None and block["hash"] == stored_hash:
                return int(number), str(stored_hash)
        genesis_side = self.deployment.deploy_block - 1
        if last_block - genesis_side > self.final_depth:
            raise ReorgTooDeep(
                f"no stored block below {last_block} is still on the chain: the reorg is deeper "
                f"than the final depth {self.final_depth}; re-index"
            )
        block = self.rpc.block(max(genesis_side, 0))
        return genesis_side, str(block["hash"]) if block else ""
