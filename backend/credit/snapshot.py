"""The network-wide figures (PageRank, the population of sellers and firms), computed off the
request path by a background job and stored with the block they are as of.

A served record never reads the whole ledger: it takes these from the newest stored snapshot
(parsed once per process and per snapshot), and says which block that is (``network`` in the
record), or that none is computed yet. :class:`NetworkJob` recomputes the snapshot at most once per
``SCF_NETWORK_INTERVAL_S`` and only when blocks were indexed since; it runs in the indexer's
process, which holds the indexer's leader lock, so one process computes it at a time, and a lock
in the job makes the computation single-flight within that process. A reorg below a snapshot's
block deletes it (:func:`drop_after`); the next run computes it again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import orjson
from sqlalchemy import Connection, Engine, Table, delete, insert, select

from backend.credit import network, population, queries
from backend.credit.models import NetworkSnapshot
from backend.credit.population import Population
from backend.db import table_of

logger = logging.getLogger(__name__)

SNAPSHOTS: Table = table_of(NetworkSnapshot)
KEEP = 2  # snapshots kept: the newest, and one before it while readers move over
NOT_YET_COMPUTED = "not yet computed: the network job has not run since the ledger was indexed"


@dataclass(frozen=True, eq=False)
class NetworkFigures:
    """The global inputs of a record as of ``as_of_time`` (block ``as_of_block``; None when
    computed ad hoc for a past time), in ``currency``."""

    as_of_block: int | None
    as_of_time: int
    currency: int
    ranks: dict[str, float]
    population: Population


def compute(
    connection: Connection, as_of_time: int, currency: int, as_of_block: int | None = None
) -> NetworkFigures:
    """The figures from the whole indexed ledger as of ``as_of_time``."""
    return NetworkFigures(
        as_of_block,
        as_of_time,
        currency,
        network.network_ranks(connection, as_of_time, currency),
        population.population(connection, as_of_time, currency),
    )


def describe(figures: NetworkFigures | None) -> dict[str, object]:
    """What a record says of the snapshot behind its global figures."""
    if figures is None:
        return {"as_of_block": None, "as_of_time": None, "reason": NOT_YET_COMPUTED}
    return {"as_of_block": figures.as_of_block, "as_of_time": figures.as_of_time, "reason": None}


# ─────────────────────────────────────────────────────────────── stored snapshots


def store(connection: Connection, figures: NetworkFigures) -> None:
    """Store ``figures`` (for a block) and drop all but the newest :data:`KEEP`."""
    assert figures.as_of_block is not None
    data = {
        "currency": figures.currency,
        "ranks": figures.ranks,
        "sales": figures.population.sales.tolist(),
        "registered_at": figures.population.registered_at.tolist(),
    }
    connection.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.as_of_block >= figures.as_of_block))
    connection.execute(
        insert(SNAPSHOTS).values(
            as_of_block=figures.as_of_block,
            as_of_time=figures.as_of_time,
            computed_at=time.time(),
            data=orjson.dumps(data).decode(),
        )
    )
    kept = select(SNAPSHOTS.c.as_of_block).order_by(SNAPSHOTS.c.as_of_block.desc()).limit(KEEP)
    connection.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.as_of_block.not_in(kept)))


def drop_after(connection: Connection, block: int) -> None:
    """A reorg back to ``block``: snapshots of later blocks describe a chain that is gone."""
    connection.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.as_of_block > block))


_parsed: dict[tuple[str, int, float], NetworkFigures] = {}
_parsed_lock = threading.Lock()


def latest(connection: Connection) -> NetworkFigures | None:
    """The newest stored snapshot (one indexed row read; parsed once per process)."""
    row = connection.execute(
        select(SNAPSHOTS.c.as_of_block, SNAPSHOTS.c.as_of_time, SNAPSHOTS.c.computed_at)
        .order_by(SNAPSHOTS.c.as_of_block.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    key = (connection.engine.url.render_as_string(), int(row.as_of_block), float(row.computed_at))
    with _parsed_lock:
        found = _parsed.get(key)
        if found is not None:
            return found
        data = orjson.loads(
            connection.execute(
                select(SNAPSHOTS.c.data).where(SNAPSHOTS.c.as_of_block == row.as_of_block)
            ).scalar_one()
        )
        found = NetworkFigures(
            int(row.as_of_block),
            int(row.as_of_time),
            int(data["currency"]),
            {firm: float(rank) for firm, rank in data["ranks"].items()},
            Population(
                sales=np.array(data["sales"], dtype=np.int64),
                registered_at=np.array(data["registered_at"], dtype=np.int64),
            ),
        )
        _parsed.clear()  # only the newest is wanted
        _parsed[key] = found
        return found


# ─────────────────────────────────────────────────────────────── the background job


class NetworkJob:
    """Recompute the stored snapshot at most once per ``interval_s``, after new blocks."""

    def __init__(self, engine: Engine, interval_s: float, currency: int) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.currency = currency
        self._running = threading.Lock()  # single-flight: one computation at a time
        self._last_run = -float("inf")

    def step(self) -> float:
        """One run if it is due; returns the seconds until the next is due."""
        wait = self._last_run + self.interval_s - time.monotonic()
        if wait > 0:
            return wait
        self.run_once()
        return self.interval_s

    def run_once(self) -> bool:
        """Compute and store the snapshot as of the indexer's cursor, unless it is stored
        already or another run is under way; True when it computed one."""
        if not self._running.acquire(blocking=False):
            return False
        try:
            self._last_run = time.monotonic()
            started = time.perf_counter()
            with self.engine.connect() as connection:  # a read: the indexer writes meanwhile
                head = queries.cursor_block(connection)
                if head is None or _newest_block(connection) == head[0]:
                    return False
                block_hash = _header_hash(connection, head[0])
                figures = compute(connection, head[1], self.currency, head[0])
            with self.engine.begin() as connection:
                if _header_hash(connection, head[0]) != block_hash:
                    return False  # a reorg rolled the block back meanwhile: the next run
                store(connection, figures)
            logger.info(
                "credit.network.computed block=%d firms=%d seconds=%.3f",
                head[0],
                len(figures.ranks),
                time.perf_counter() - started,
            )
            return True
        finally:
            self._running.release()


def _newest_block(connection: Connection) -> int | None:
    return connection.execute(
        select(SNAPSHOTS.c.as_of_block).order_by(SNAPSHOTS.c.as_of_block.desc()).limit(1)
    ).scalar_one_or_none()


def _header_hash(connection: Connection, number: int) -> str | None:
    """The stored hash of block ``number``: a rollback deletes it, a re-index changes it."""
    return connection.execute(
        select(queries.HEADERS.c.hash).where(queries.HEADERS.c.number == number)
    ).scalar_one_or_none()
