"""Where a firm stands in the population the ledger holds at T: size and tenure as percentiles.

Amounts learned in one ledger mean nothing in another (a ledger of larger firms puts every firm in
the top sales bin), so the record also places the firm among the firms the same ledger holds at
``as_of``: its 365-day verified sales against every seller's (``size_relative``) and its tenure
against every registered firm's (``tenure_relative``). Percentiles are mid-ranks: the share of the
population below the firm plus half the share level with it, so the median firm is at 0.5
whatever the scale of the amounts.

Like PageRank these read the whole ledger, so the population is computed once per
``(database, as_of, chain prefix)`` (see :mod:`backend.credit.network`) and cached.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, select

from backend.credit import queries
from backend.credit.figure import Figure, evidence_of, within
from backend.credit.queries import FIRMS, FirmHistory
from backend.enums import DAY

SIZE_DAYS = 365
CACHE_SIZE = 32

_cache: OrderedDict[queries.LedgerStateKey, Population] = OrderedDict()
_cache_lock = threading.Lock()


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


def population(connection: Connection, as_of: int) -> Population:
    key = queries.ledger_state_key(connection, as_of)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    edges = queries.invoice_graph(connection, as_of, as_of - SIZE_DAYS * DAY)
    by_seller: dict[str, int] = defaultdict(int)
    for (_, seller), amount in edges.items():
        by_seller[seller] += amount
    registered = connection.execute(
        select(FIRMS.c.registered_at).where(FIRMS.c.registered_at <= as_of)
    ).scalars()
    found = Population(
        sales=np.sort(np.array([a for a in by_seller.values() if a > 0], dtype=np.int64)),
        registered_at=np.sort(np.fromiter(registered, dtype=np.int64)),
    )
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def size_relative(connection: Connection, history: FirmHistory) -> Figure:
    """The firm's 365-day verified sales against every seller's: ``percentile`` (0 without
    sales), ``log_ratio_to_median`` (None without sales), ``median``, ``sellers``, ``amount``."""
    as_of, firm = history.as_of, history.firm
    people = population(connection, as_of)
    sold = [
        t
        for t in history.trades
        if t.seller == firm
        and t.is_verified_invoice(as_of)
        and within(t.issued_at, as_of, SIZE_DAYS)
    ]
    amount = sum(t.amount for t in sold)
    median = int(np.median(people.sales)) if people.sales.size else None
    percentile = 0.0 if amount == 0 else mid_rank(people.sales, amount)
    ratio = None if amount == 0 or not median else math.log(amount / median)
    value = {
        "percentile": percentile,
        "log_ratio_to_median": ratio,
        "median": median,
        "sellers": int(people.sales.size),
        "amount": amount,
    }
    return Figure(value, evidence_of(sold, as_of))


def tenure_relative(connection: Connection, history: FirmHistory) -> Figure:
    """The firm's tenure against every firm registered by ``as_of``: ``percentile`` (share of
    firms that joined later, plus half of those that joined with it), ``firms``."""
    people = population(connection, history.as_of)
    # a longer tenure is an earlier registration: rank the negated times
    earlier_first = -people.registered_at[::-1]
    percentile = mid_rank(earlier_first, -history.registration.registered_at)
    value = {"percentile": percentile, "firms": int(people.registered_at.size)}
    return Figure(value, frozenset({history.registration.event_id}))


def figures(connection: Connection, history: FirmHistory) -> dict[str, Figure]:
    return {
        "size_relative": size_relative(connection, history),
        "tenure_relative": tenure_relative(connection, history),
    }
