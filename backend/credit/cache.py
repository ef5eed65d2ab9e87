"""Credit records kept up to date as the indexer writes, and read back as of now or any past time
(the evidence behind each figure is paged by :mod:`backend.credit.service`).

``refresh_records`` is the indexer's ``on_batch`` callback: inside the indexer's write transaction
it recomputes the cached record of every firm the batch touched, as of the batch's last block, so
the cache never disagrees with the rows beside it. Its volume figures are read from the credit
tallies the indexer's handlers keep (:mod:`backend.credit.tallies`), not summed over the firm's
trades. The record is stored without its evidence. The evidence of the figures whose evidence
grows with the firm's history (volumes, disputes, payment experiences...) is not stored at all:
the evidence endpoint reads it from the rows when asked (:mod:`backend.credit.evidence_query`);
that of the others is stored as references (``credit_evidence``, one row per event). The
network-wide figures come from the newest network snapshot (:mod:`backend.credit.snapshot`),
which a background job computes.

A read never computes a record the indexer keeps: ``get_record(engine, firm, None)`` serves the
stored row as of the block the firm last changed at (``as_of``), with the global figures of the
newest snapshot laid over it (cheap: one rank lookup and two binary searches). Only a firm with no
stored row (never indexed since the schema changed) is computed on a read, once: a lock per firm
in the process, and on PostgreSQL a transaction-level advisory lock per firm across processes,
make concurrent readers of the same firm wait for the one computation instead of repeating it.

On a reorg rollback the callback gets an empty set; it recomputes, inside the rollback
transaction, the records of the firms whose rows were newer than the block rolled back to, from
the rows that remain (simpler than keeping per-event deltas, and exact by construction: the same
code computes them), and deletes the network snapshots of the abandoned blocks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite

from backend.credit import network, population, queries, snapshot
from backend.credit.evidence_query import QUERIED
from backend.credit.models import CreditEvidence, CreditRecord
from backend.credit.record import (
    FIGURES,
    RECORD_VERSION,
    CreditRecordView,
    checksummed,
    compute_record,
)
from backend.db import table_of
from backend.errors import LedgerError
from backend.indexer.models import BlockHeader
from backend.indexer.store import bulk_insert

logger = logging.getLogger(__name__)

RECORDS: Table = table_of(CreditRecord)
EVIDENCE: Table = table_of(CreditEvidence)
HEADERS: Table = table_of(BlockHeader)
PAST_NETWORK = "the network figures are kept for the newest block only, not for a past as_of"


class NothingIndexed(LedgerError, code="nothing_indexed", status=503):
    """The indexer has not read any block yet: no credit record exists."""


# ─────────────────────────────────────────────────────────────── the indexer's callback


def refresh_records(connection: Connection, firms: set[str], as_of_block: int) -> None:
    """Recompute the cached records of ``firms`` as of block ``as_of_block`` (its header is in
    this transaction); an empty set after a reorg recomputes the rows newer than the block."""
    if not firms:
        _after_reorg(connection, as_of_block)
        return
    as_of = _block_time(connection, as_of_block)
    figures = snapshot.latest(connection)
    for firm in sorted(firms):
        view = compute_record(connection, firm, as_of, network_figures=figures, tallied=True)
        _store(connection, view, as_of_block)
    logger.info(
        "credit.records.refreshed block=%d as_of=%d firms=%d", as_of_block, as_of, len(firms)
    )


def _after_reorg(connection: Connection, block: int) -> None:
    snapshot.drop_after(connection, block)
    orphaned = set(
        connection.execute(select(RECORDS.c.firm).where(RECORDS.c.as_of_block > block)).scalars()
    )
    if not orphaned:
        return
    if _header_time(connection, block) is None:  # the block's header is gone: compute on read
        connection.execute(delete(RECORDS).where(RECORDS.c.firm.in_(orphaned)))
        connection.execute(delete(EVIDENCE).where(EVIDENCE.c.firm.in_(orphaned)))
        return
    connection.execute(delete(RECORDS).where(RECORDS.c.firm.in_(orphaned)))
    refresh_records(connection, orphaned, block)


class DeferredRefresh:
    """Refresh cached records once per indexing cycle instead of once per batch.

    While the indexer catches up (many batches in a row), recomputing every touched firm after
    each batch would cost more than the indexing itself. The touched firms are collected per
    batch and refreshed when the cycle ends, as of the last block. A crash in between loses
    the collected set: those firms' rows stay as of their older block until they are touched
    again or grow stale.

    A firm's record also moves without its own events (tenure grows, windows slide), so each
    cycle also refreshes up to ``stale_limit`` of the records older than ``max_age_s`` (the
    oldest first): in the indexer's thread, after its writes, so it never races them.
    """

    def __init__(self, engine: Engine, max_age_s: float = 3_600.0, stale_limit: int = 100):
        self.engine = engine
        self.max_age_s = max_age_s
        self.stale_limit = stale_limit
        self._firms: set[str] = set()

    def collect(self, connection: Connection, firms: set[str], as_of_block: int) -> None:
        """The indexer's ``on_batch``: remember the firms; a reorg (no firms) applies at once."""
        if firms:
            self._firms |= firms
        else:
            refresh_records(connection, set(), as_of_block)

    def flush(self, as_of_block: int) -> None:
        """Recompute the collected firms' records, and the stalest, as of ``as_of_block`` (the
        cursor's block)."""
        if as_of_block < 0:
            return
        firms, self._firms = self._firms, set()
        with self.engine.begin() as connection:
            if _header_time(connection, as_of_block) is None:
                return  # nothing indexed yet
            firms |= stale_firms(connection, as_of_block, self.max_age_s, self.stale_limit)
            if firms:
                refresh_records(connection, firms, as_of_block)


def stale_firms(connection: Connection, block: int, max_age_s: float, limit: int) -> set[str]:
    """Up to ``limit`` firms whose stored record is older than ``max_age_s`` at ``block``."""
    now = _block_time(connection, block)
    rows = connection.execute(
        select(RECORDS.c.firm)
        .where(RECORDS.c.as_of_time < now - max_age_s, RECORDS.c.as_of_block < block)
        .order_by(RECORDS.c.as_of_time, RECORDS.c.firm)
        .limit(limit)
    )
    return set(rows.scalars())


# ─────────────────────────────────────────────────────────────── reading


def get_record(engine: Engine, firm: str, as_of: int | None = None) -> CreditRecordView:
    """The record of ``firm`` as of ``as_of``; None means the stored record (as of the block
    the firm last changed at) with the newest network snapshot's global figures. A past
    ``as_of`` is computed from the firm's own rows on chain by then, and not stored; its global
    figures are null (``network`` says why): a request never computes the whole ledger's."""
    firm = checksummed(firm)
    if as_of is not None:
        with engine.connect() as connection:
            view = compute_record(connection, firm, as_of, network_figures=None)
        # one shape whether the firm was registered then or not
        return replace(view, network={**snapshot.describe(None), "reason": PAST_NETWORK})
    with engine.connect() as connection:
        served = _served(connection, firm)
    if served is not None:
        return served
    with _single_flight(engine, firm) as connection:
        served = _served(connection, firm)  # computed while this reader waited?
        if served is not None:
            return served
        block, block_time = last_indexed(connection)
        view = compute_record(
            connection, firm, block_time, network_figures=snapshot.latest(connection), tallied=True
        )
        if view.available:
            _store(connection, view, block)
    return view


def _served(connection: Connection, firm: str) -> CreditRecordView | None:
    row = connection.execute(
        select(RECORDS.c.record, RECORDS.c.network_block).where(RECORDS.c.firm == firm)
    ).first()
    if row is None or row.record.get("version") != RECORD_VERSION:
        return None
    view = CreditRecordView.from_json(row.record)
    figures = snapshot.latest(connection)
    if figures is not None and figures.as_of_block != row.network_block:
        view = with_network(connection, view, figures)
    return view


def with_network(
    connection: Connection,
    view: CreditRecordView,
    figures: snapshot.NetworkFigures,
    registered_at: int | None = None,
) -> CreditRecordView:
    """``view`` with its global figures taken from ``figures``: their values change, their
    evidence (the firm's own trades) does not. ``registered_at``: read when not given."""
    if registered_at is None:
        registration = queries.registration(connection, view.firm, view.as_of)
        assert registration is not None  # the record is available
        registered_at = registration.registered_at
    amount = int(view.figures["size_relative"]["amount"])
    updated = {
        **view.figures,
        "network_rank": network.rank_value(figures.ranks, view.firm),
        "size_relative": population.size_value(figures.population, amount),
        "tenure_relative": population.tenure_value(figures.population, registered_at),
    }
    return replace(view, figures=updated, network=snapshot.describe(figures))


def served_records(connection: Connection) -> list[tuple[str, dict[str, Any]]]:
    """Every stored record as a read serves it (the newest snapshot's network figures), by
    firm: for scoring them all at once (one read of the firm table, not one per record)."""
    rows = connection.execute(
        select(RECORDS.c.firm, RECORDS.c.record, RECORDS.c.network_block).order_by(RECORDS.c.firm)
    ).all()
    figures = snapshot.latest(connection)
    registered = queries.registrations(connection, [row.firm for row in rows])
    served = []
    for row in rows:
        record = row.record
        stale = figures is not None and figures.as_of_block != row.network_block
        if figures is not None and stale and record.get("available") and row.firm in registered:
            view = CreditRecordView.from_json(record)
            at = registered[row.firm].registered_at
            record = with_network(connection, view, figures, at).to_json()
        served.append((row.firm, record))
    return served


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def _single_flight(engine: Engine, firm: str) -> Iterator[Connection]:
    """A write transaction that no other reader of ``firm`` holds at the same time (a lock per
    firm in this process; a transaction advisory lock per firm across processes on
    PostgreSQL, where SQLite's single writer already serialises)."""
    key = (engine.url.render_as_string(), firm)
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"credit_record:{firm}"},
            )
        yield connection


# ─────────────────────────────────────────────────────────────── helpers


def last_indexed(connection: Connection) -> tuple[int, int]:
    """(number, time) of the last block the indexer wrote (its cursor)."""
    found = queries.cursor_block(connection)
    if found is None:
        raise NothingIndexed("nothing is indexed yet: run `scf index` first")
    return found


def _header_time(connection: Connection, number: int) -> int | None:
    row = connection.execute(
        select(HEADERS.c.timestamp).where(HEADERS.c.number == number)
    ).scalar_one_or_none()
    return None if row is None else int(row)


def _block_time(connection: Connection, number: int) -> int:
    found = _header_time(connection, number)
    if found is None:
        raise NothingIndexed(f"block {number} is not indexed")
    return found


def _store(connection: Connection, view: CreditRecordView, block: int) -> None:
    """Upsert the firm's cached row and its evidence references, unless a row for a newer
    block is there already."""
    network_block = None if view.network is None else view.network.get("as_of_block")
    values = {
        "firm": view.firm,
        "as_of_block": block,
        "as_of_time": view.as_of,
        "record": view.to_json(include_evidence=False),
        "network_block": network_block,
    }
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RECORDS).values(**values)
    written = connection.execute(
        statement.on_conflict_do_update(
            index_elements=[RECORDS.c.firm],
            set_={
                "as_of_block": statement.excluded.as_of_block,
                "as_of_time": statement.excluded.as_of_time,
                "record": statement.excluded.record,
                "network_block": statement.excluded.network_block,
            },
            where=RECORDS.c.as_of_block <= statement.excluded.as_of_block,
        )
    )
    if written.rowcount == 0:
        return  # a newer record is stored: its evidence stays
    connection.execute(delete(EVIDENCE).where(EVIDENCE.c.firm == view.firm))
    rows = [
        {"firm": view.firm, "figure": name, "position": position, "event_id": event}
        for name in FIGURES
        if name not in QUERIED  # their evidence is read from the rows when asked
        for position, event in enumerate(view.evidence.get(name, ()))
    ]
    bulk_insert(connection, EVIDENCE, rows)
