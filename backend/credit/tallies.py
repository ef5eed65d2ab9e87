"""Credit tallies: what a firm's verified invoices add up to per day they were issued, kept by
the indexer as the events arrive, and the exact window sums read from them.

A tally row (:class:`~backend.credit.models.CreditTally`) holds the amount and count of the
verified invoices of one firm, as seller or buyer, in one currency, issued on one UTC day. The
indexer's handlers add to it in the transaction of the event that verifies the invoice
(``TradeRecorded`` of a co-signed invoice, ``TradeConfirmed`` of a proposed one), through
:meth:`~backend.indexer.store.Store.increment`, which journals the additions of provisional
blocks so that a reorg rollback restores the tallies with the rows.

The record's windows are to the second, ``(T - days, T]``, not to the day. :func:`window_sums`
takes the days a window covers whole from the tallies and the part-days at its two ends from the
trades themselves (read by ``(seller, issued_at)``/``(buyer, issued_at)``): exact, and the cost of
a window is that of its days, not of the firm's history. Tallies count what is indexed, which is
what the chain shows at the indexer's cursor: they serve the record as of the cursor (the one the
indexer keeps); a record for a past time still reads the rows (:mod:`backend.credit.record`).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, or_, select

from backend.credit.models import CreditTally
from backend.db import table_of
from backend.enums import DAY, TallyMeasure, TradeKind
from backend.indexer.store import Store, bulk_insert
from backend.trades.models import Trade

TALLIES: Table = table_of(CreditTally)
TRADES: Table = table_of(Trade)
PARTY = {TallyMeasure.SOLD: TRADES.c.seller, TallyMeasure.BOUGHT: TRADES.c.buyer}

Interval = tuple[int, int]  # (lo, hi]: Unix times, lo excluded, hi included


def count_verified(store: Store, trade: Mapping[str, Any], *, block: int) -> None:
    """Add a trade verified in ``block`` to its seller's and buyer's tallies, if an invoice
    (orders and deliveries describe the same sale: volume counts invoices only)."""
    if trade["kind"] != TradeKind.INVOICE:
        return
    day = int(trade["issued_at"]) // DAY
    amounts = (int(trade["amount"]), 1)
    for measure, firm in (
        (TallyMeasure.SOLD, trade["seller"]),
        (TallyMeasure.BOUGHT, trade["buyer"]),
    ):
        store.increment(
            TALLIES, (firm, measure.value, int(trade["currency"]), day), amounts, block=block
        )


def from_rows(connection: Connection) -> list[tuple[str, str, int, int, int, int]]:
    """Every tally as the indexed trades add up to, computed from the rows (the check and the
    repair of the kept tallies): ``(firm, measure, currency, day, amount, count)``, sorted."""
    found = []
    for measure, party in PARTY.items():
        day = TRADES.c.issued_at // DAY
        rows = connection.execute(
            select(party, TRADES.c.currency, day, func.sum(TRADES.c.amount), func.count())
            .where(TRADES.c.kind == TradeKind.INVOICE, TRADES.c.verified_time.is_not(None))
            .group_by(party, TRADES.c.currency, day)
        )
        found += [(f, measure.value, int(c), int(d), int(a), int(n)) for f, c, d, a, n in rows]
    return sorted(found)


def rebuild(connection: Connection) -> int:
    """Replace every tally by what the indexed trades add up to (for ledgers written without
    the handlers, as the benches write theirs); returns the number of rows."""
    rows = from_rows(connection)
    connection.execute(delete(TALLIES))
    columns = ("firm", "measure", "currency", "day", "amount", "count")
    bulk_insert(connection, TALLIES, [dict(zip(columns, row, strict=True)) for row in rows])
    return len(rows)


def window_sums(
    connection: Connection,
    firm: str,
    measure: TallyMeasure,
    currency: int,
    intervals: Sequence[Interval],
) -> list[tuple[int, int]]:
    """``(amount, count)`` of the firm's verified invoices in ``currency`` (as seller or buyer,
    by ``measure``) issued in each interval, as indexed now."""
    if not intervals:
        return []
    whole = [_whole_days(lo, hi) for lo, hi in intervals]
    spanned = [days for days in whole if days is not None]
    by_day = _Running([])
    if spanned:
        first, last = min(d for d, _ in spanned), max(d for _, d in spanned)
        rows = connection.execute(
            select(TALLIES.c.day, TALLIES.c.amount, TALLIES.c.count).where(
                TALLIES.c.firm == firm,
                TALLIES.c.measure == measure.value,
                TALLIES.c.currency == currency,
                TALLIES.c.day.between(first, last),
            )
        )
        by_day = _Running([(int(d), int(a), int(c)) for d, a, c in rows])
    edges = [_edges(lo, hi, days) for (lo, hi), days in zip(intervals, whole, strict=True)]
    parts = sorted({part for pair in edges for part in pair})
    edge_rows = _edge_trades(connection, firm, measure, currency, parts)
    by_time = _Running([(issued_at, amount, 1) for issued_at, amount in edge_rows])
    sums = []
    for days, pair in zip(whole, edges, strict=True):
        found = [by_day.between(days[0] - 1, days[1])] if days is not None else []
        found += [by_time.between(lo, hi) for lo, hi in pair]
        sums.append((sum(a for a, _ in found), sum(c for _, c in found)))
    return sums


class _Running:
    """``(key, amount, count)`` rows sorted by key with running sums: the sums over the keys in
    any ``(lo, hi]`` in two binary searches."""

    def __init__(self, rows: list[tuple[int, int, int]]) -> None:
        rows.sort()
        self.keys = [key for key, _, _ in rows]
        self.amounts = list(itertools.accumulate((a for _, a, _ in rows), initial=0))
        self.counts = list(itertools.accumulate((c for _, _, c in rows), initial=0))

    def between(self, lo: int, hi: int) -> tuple[int, int]:
        start, end = bisect.bisect_right(self.keys, lo), bisect.bisect_right(self.keys, hi)
        return self.amounts[end] - self.amounts[start], self.counts[end] - self.counts[start]


def currencies(connection: Connection, firm: str) -> set[int]:
    """Every currency the firm has a verified invoice in, as seller or buyer."""
    rows = connection.execute(
        select(TALLIES.c.currency).where(TALLIES.c.firm == firm).group_by(TALLIES.c.currency)
    )
    return {int(currency) for currency in rows.scalars()}


def _whole_days(lo: int, hi: int) -> tuple[int, int] | None:
    """The first and last day lying wholly in ``(lo, hi]``, or None if none does."""
    first = -(-(lo + 1) // DAY)  # the first day starting at or after lo + 1
    last = (hi + 1) // DAY - 1  # the last day ending at or before hi
    return (first, last) if first <= last else None


def _edges(lo: int, hi: int, days: tuple[int, int] | None) -> tuple[Interval, ...]:
    """The parts of ``(lo, hi]`` outside its whole days: at most one at each end."""
    if days is None:
        return ((lo, hi),) if lo < hi else ()
    first, last = days
    parts = ((lo, first * DAY - 1), ((last + 1) * DAY - 1, hi))
    return tuple((a, b) for a, b in parts if a < b)


def _edge_trades(
    connection: Connection,
    firm: str,
    measure: TallyMeasure,
    currency: int,
    parts: list[Interval],
) -> list[tuple[int, int]]:
    """``(issued_at, amount)`` of the firm's verified invoices issued in any of ``parts``."""
    if not parts:
        return []
    party = PARTY[measure]
    issued = or_(*(and_(TRADES.c.issued_at > lo, TRADES.c.issued_at <= hi) for lo, hi in parts))
    rows = connection.execute(
        select(TRADES.c.issued_at, TRADES.c.amount).where(
            party == firm,
            issued,
            TRADES.c.kind == TradeKind.INVOICE,
            TRADES.c.currency == currency,
            TRADES.c.verified_time.is_not(None),
        )
    )
    return [(int(issued_at), int(amount)) for issued_at, amount in rows]
