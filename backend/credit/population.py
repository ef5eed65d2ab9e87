"""Where a firm stands in the population the ledger holds at T: size and tenure as percentiles.

Amounts learned in one ledger mean nothing in another (a ledger of larger firms puts every firm in
the top sales bin), so the record also places the firm among the firms the same ledger holds at
``as_of``: its 365-day verified sales against every seller's (``size_relative``) and its tenure
against every registered firm's (``tenure_relative``). Percentiles are mid-ranks: the share of the
population below the firm plus half the share level with it, so the median firm is at 0.5
whatever the scale of the amounts.

Like PageRank these read the whole ledger: the serving path takes them from the network snapshot
the background job stores (:mod:`backend.credit.snapshot`); a record for a past ``as_of`` computes
the population once per ``(database, as_of, chain prefix, currency)`` (see
:mod:`backend.credit.network`) and caches it. Sales are in the record's currency only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, select

from backend.credit import queries
from backend.credit.figure import Figure, evidence_of, within
from backend.credit.queries import FIRMS, FirmHistory, TradeRow
from backend.credit.singleflight import SingleFlightCache
from backend.enums import DAY

SIZE_DAYS = 365
CACHE_SIZE = 32

_cache: SingleFlightCache[Population] = SingleFlightCache(CACHE_SIZE)


@dataclass(frozen=True, eq=False)
class Population:
    """Sorted 365-day sales of every seller with any, and sorted registration times."""

    sales: NDArray[np.int64]
    registered_at: NDArray[np.int64]


def mid_rank(sorted_values: NDArray[np.int64], value: int) -> float | None:
    """Share of ``sorted_values`` below ``value`` plus half the share equal to it."""
    if sorted_values.size == 0:
        return None
    below = int(np.searchsorted(sorted_values, value, side="left"))
    level = int(np.searchsorted(sorted_values, value, side="right")) - below
    return (below + 0.5 * level) / sorted_values.size


def population(connection: Connection, as_of: int, currency: int) -> Population:
    """Every seller's 365-day sales in ``currency`` and every registration, at ``as_of``."""

    def compute() -> Population:
        edges = queries.invoice_graph(connection, as_of, as_of - SIZE_DAYS * DAY, currency)
        by_seller: dict[str, int] = defaultdict(int)
        for (_, seller), amount in edges.items():
            by_seller[seller] += amount
        registered = connection.execute(
            select(FIRMS.c.registered_at).where(FIRMS.c.registered_at <= as_of)
        ).scalars()
        return Population(
            sales=np.sort(np.array([a for a in by_seller.values() if a > 0], dtype=np.int64)),
            registered_at=np.sort(np.fromiter(registered, dtype=np.int64)),
        )

    return _cache.get((*queries.ledger_state_key(connection, as_of), currency), compute)


def clear_cache() -> None:
    _cache.clear()


def size_value(people: Population | None, amount: int) -> dict[str, object]:
    """The firm's 365-day verified sales ``amount`` against every seller's: ``percentile`` (0
    without sales), ``log_ratio_to_median`` (None without sales), ``median``, ``sellers``; all
    None but the amount while no network snapshot exists (``people`` None)."""
    if people is None:
        return {"percentile": None, "log_ratio_to_median": None, "median": None,
                "sellers": None, "amount": amount}  # fmt: skip
    median = int(np.median(people.sales)) if people.sales.size else None
    percentile = 0.0 if amount == 0 else mid_rank(people.sales, amount)
    ratio = None if amount == 0 or not median else math.log(amount / median)
    return {
        "percentile": percentile,
        "log_ratio_to_median": ratio,
        "median": median,
        "sellers": int(people.sales.size),
        "amount": amount,
    }


def tenure_value(people: Population | None, registered_at: int) -> dict[str, object]:
    """The firm's tenure against every firm registered by then: ``percentile`` (share of firms
    that joined later, plus half of those that joined with it), ``firms``."""
    if people is None:
        return {"percentile": None, "firms": None}
    # a longer tenure is an earlier registration: rank the negated times
    earlier_first = -people.registered_at[::-1]
    percentile = mid_rank(earlier_first, -registered_at)
    return {"percentile": percentile, "firms": int(people.registered_at.size)}


def own_sales(history: FirmHistory, currency: int) -> list[TradeRow]:
    """The firm's verified invoices as seller in ``currency`` issued in the last 365 days."""
    as_of = history.as_of
    return [
        t
        for t in history.trades
        if t.seller == history.firm
        and t.currency == currency
        and t.is_verified_invoice(as_of)
        and within(t.issued_at, as_of, SIZE_DAYS)
    ]


def figures(history: FirmHistory, people: Population | None, currency: int) -> dict[str, Figure]:
    sold = own_sales(history, currency)
    amount = sum(t.amount for t in sold)
    registration = history.registration
    return {
        "size_relative": Figure(size_value(people, amount), evidence_of(sold, history.as_of)),
        "tenure_relative": Figure(
            tenure_value(people, registration.registered_at), frozenset({registration.event_id})
        ),
    }
