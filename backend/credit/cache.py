"""Credit records kept up to date as the indexer writes, read back as of now or any past time, and
the chain events behind each figure.

``refresh_records`` is the indexer's ``on_batch`` callback: inside the indexer's write transaction
it recomputes the cached record of every firm the batch touched, as of the batch's last block, so
the cache never disagrees with the rows beside it. A firm's record also moves without its own
events (tenure grows, windows slide, other firms' trades change its network rank), which is why a
cached row is only served for the block it was computed at: ``get_record(engine, firm, None)``
serves it when it is for the last indexed block and otherwise computes (and stores) it afresh.
On a reorg rollback the callback gets an empty set and drops the cached rows newer than the block
the indexer rolled back to; they are recomputed on demand.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from backend.credit.models import CreditRecord
from backend.credit.record import (
    RECORD_VERSION,
    CreditRecordView,
    checksummed,
    compute_record,
)
from backend.errors import LedgerError
from backend.indexer.models import BlockHeader, IndexerCursor

logger = logging.getLogger(__name__)

RECORDS: Table = CreditRecord.__table__  # type: ignore[attr-defined]
HEADERS: Table = BlockHeader.__table__  # type: ignore[attr-defined]
CURSORS: Table = IndexerCursor.__table__  # type: ignore[attr-defined]


class NothingIndexed(LedgerError):
    code = "nothing_indexed"
    status = 503


# ─────────────────────────────────────────────────────────────── the indexer's callback


def refresh_records(connection: Connection, firms: set[str], as_of_block: int) -> None:
    """Recompute the cached records of ``firms`` as of block ``as_of_block`` (its header is in
    this transaction); an empty set after a reorg drops the rows newer than the block."""
    if not firms:
        connection.execute(delete(RECORDS).where(RECORDS.c.as_of_block > as_of_block))
        return
    as_of = _block_time(connection, as_of_block)
    for firm in sorted(firms):
        _store(connection, compute_record(connection, firm, as_of), as_of_block)
    logger.info(
        "credit.records.refreshed block=%d as_of=%d firms=%d", as_of_block, as_of, len(firms)
    )


class DeferredRefresh:
    """Refresh cached records once per indexing cycle instead of once per batch.

    While the indexer catches up (many batches in a row), recomputing every touched firm and
    the network rank after each batch would cost more than the indexing itself. The touched
    firms are collected per batch and refreshed when the cycle ends, as of the last block. A
    crash in between loses nothing: a cached row for an older block is recomputed on read.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._firms: set[str] = set()

    def collect(self, connection: Connection, firms: set[str], as_of_block: int) -> None:
        """The indexer's ``on_batch``: remember the firms; a reorg (no firms) applies at once."""
        if firms:
            self._firms |= firms
        else:
            refresh_records(connection, set(), as_of_block)

    def flush(self, as_of_block: int) -> None:
        """Recompute the collected firms' records as of ``as_of_block`` (the cursor's block)."""
        if not self._firms or as_of_block < 0:
            return
        firms, self._firms = self._firms, set()
        with self.engine.begin() as connection:
            refresh_records(connection, firms, as_of_block)


# ─────────────────────────────────────────────────────────────── reading


def get_record(engine: Engine, firm: str, as_of: int | None = None) -> CreditRecordView:
    """The record of ``firm`` as of ``as_of``; None means as of the last indexed block (served
    from the cache when it is for that block, else computed and stored)."""
    firm = checksummed(firm)
    if as_of is not None:
        with engine.connect() as connection:
            return compute_record(connection, firm, as_of)
    with engine.begin() as connection:
        block, block_time = last_indexed(connection)
        cached = connection.execute(
            select(RECORDS.c.as_of_block, RECORDS.c.record).where(RECORDS.c.firm == firm)
        ).first()
        if (
            cached is not None
            and cached.as_of_block == block
            and cached.record.get("version") == RECORD_VERSION
        ):
            return CreditRecordView.from_json(cached.record)
        view = compute_record(connection, firm, block_time)
        _store(connection, view, block)
    return view


# ─────────────────────────────────────────────────────────────── helpers


def last_indexed(connection: Connection) -> tuple[int, int]:
    """(number, time) of the last block the indexer wrote (its cursor)."""
    row = connection.execute(
        select(HEADERS.c.number, HEADERS.c.timestamp)
        .join(CURSORS, CURSORS.c.last_block == HEADERS.c.number)
        .order_by(HEADERS.c.number.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NothingIndexed("nothing is indexed yet: run `scf index` first")
    return int(row.number), int(row.timestamp)


def _block_time(connection: Connection, number: int) -> int:
    row = connection.execute(
        select(HEADERS.c.timestamp).where(HEADERS.c.number == number)
    ).scalar_one_or_none()
    if row is None:
        raise NothingIndexed(f"block {number} is not indexed")
    return int(row)


def _store(connection: Connection, view: CreditRecordView, block: int) -> None:
    """Upsert the firm's cached row, unless a row for a newer block is there already."""
    values = {
        "firm": view.firm,
        "as_of_block": block,
        "as_of_time": view.as_of,
        "record": view.to_json(include_evidence=True),
    }
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RECORDS).values(**values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[RECORDS.c.firm],
            set_={
                "as_of_block": statement.excluded.as_of_block,
                "as_of_time": statement.excluded.as_of_time,
                "record": statement.excluded.record,
            },
            where=RECORDS.c.as_of_block <= statement.excluded.as_of_block,
        )
    )
