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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, func, or_, select

from backend.credit.figure import RunningSums
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
    return FirmTallies(connection, firm).sums(measure, currency, intervals)


class FirmTallies:
    """One firm's tallies, read at once, and the trades of the part-days at the windows' ends,
    read once a day and only on a day the tallies count trades on: a record asks for some thirty
    windows, whose ends fall on a handful of days. Two statements of fixed shapes in all."""

    def __init__(self, connection: Connection, firm: str) -> None:
        self.connection, self.firm = connection, firm
        self._days: dict[tuple[str, int], RunningSums] | None = None
        self._edge_days: dict[int, dict[tuple[str, int], RunningSums]] = {}

    def currencies(self) -> set[int]:
        """Every currency the firm has a verified invoice in, as seller or buyer."""
        return {currency for _, currency in self._tallied()}

    def sums(
        self, measure: TallyMeasure, currency: int, intervals: Sequence[Interval]
    ) -> list[tuple[int, int]]:
        key = (measure.value, currency)
        days = self._tallied().get(key, _NOTHING)
        found = []
        for lo, hi in intervals:
            amount = count = 0
            whole = _whole_days(lo, hi)
            if whole is not None:
                amount, count = days.between(whole[0] - 1, whole[1])
            for part_lo, part_hi in _edges(lo, hi, whole):
                for day, day_lo, day_hi in _by_day(part_lo, part_hi):
                    if days.between(day - 1, day)[1] == 0:
                        continue  # the tallies count nothing that day: no trade to read
                    edge = self._edge_day(day).get(key, _NOTHING)
                    part_amount, part_count = edge.between(day_lo, day_hi)
                    amount, count = amount + part_amount, count + part_count
            found.append((amount, count))
        return found

    def _tallied(self) -> dict[tuple[str, int], RunningSums]:
        if self._days is None:
            rows = self.connection.execute(
                select(
                    TALLIES.c.measure,
                    TALLIES.c.currency,
                    TALLIES.c.day,
                    TALLIES.c.amount,
                    TALLIES.c.count,
                ).where(TALLIES.c.firm == self.firm)
            )
            grouped: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
            for measure, currency, day, amount, count in rows:
                grouped.setdefault((measure, int(currency)), []).append(
                    (int(day), int(amount), int(count))
                )
            self._days = {key: RunningSums(found) for key, found in grouped.items()}
        return self._days

    def _edge_day(self, day: int) -> dict[tuple[str, int], RunningSums]:
        found = self._edge_days.get(day)
        if found is None:
            rows = self.connection.execute(
                select(
                    TRADES.c.seller, TRADES.c.currency, TRADES.c.issued_at, TRADES.c.amount
                ).where(
                    or_(TRADES.c.seller == self.firm, TRADES.c.buyer == self.firm),
                    TRADES.c.issued_at >= day * DAY,
                    TRADES.c.issued_at < (day + 1) * DAY,
                    TRADES.c.kind == TradeKind.INVOICE,
                    TRADES.c.verified_time.is_not(None),
                )
            )
            grouped: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
            for seller, currency, issued_at, amount in rows:
                side = TallyMeasure.SOLD if seller == self.firm else TallyMeasure.BOUGHT
                grouped.setdefault((side.value, int(currency)), []).append(
                    (int(issued_at), int(amount), 1)
                )
            found = self._edge_days[day] = {k: RunningSums(v) for k, v in grouped.items()}
        return found


@dataclass(frozen=True)
class TallyVolumes:
    """The sums of one side and currency of a firm's tallies (``trading.Volumes``)."""

    tallies: FirmTallies
    measure: TallyMeasure
    currency: int

    def sums(self, intervals: Sequence[Interval]) -> list[tuple[int, int]]:
        return self.tallies.sums(self.measure, self.currency, intervals)


_NOTHING = RunningSums([])


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


def _by_day(lo: int, hi: int) -> list[tuple[int, int, int]]:
    """``(lo, hi]`` cut at midnights: ``(day, lo, hi)`` pieces, each within its day."""
    pieces = []
    while lo < hi:
        day = (lo + 1) // DAY  # the day holding lo + 1, the first second of the piece
        end = min(hi, (day + 1) * DAY - 1)
        pieces.append((day, lo, end))
        lo = end
    return pieces
