"""The firm's place in the trade network (weighted PageRank) and circular trading among a closed
group of firms.

PageRank is the one global figure: it needs the whole graph of the last 365 days' verified
invoices. Money flows from buyer to seller, so the edge is buyer -> seller weighted by amount: a
firm paid by important buyers is important. Scoring many firms at one ``as_of`` must compute it
once, so results are cached by ``(database, as_of, chain prefix)``, where the chain prefix is the
newest indexed event at or before ``as_of`` and its block hash. Every indexed row that counts at
``as_of`` is a function of the chain up to that block, so the prefix fingerprints the graph without
reading it; more events indexed by ``as_of``, or a reorg below it, change the key.

A ring is a directed cycle of 2 to 4 firms through the firm in the graph of verified invoices
(seller -> buyer, amounts summed per pair) issued in the 30 days before ``as_of``, whose edge
amounts are similar (largest / smallest <= 1.25): money sent round a closed group to inflate
everyone's sales. A chain of supply (tier 3 -> tier 2 -> tier 1 -> core) has no cycle.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Mapping

import numpy as np
from sqlalchemy import Connection

from backend.credit import population, queries
from backend.credit.figure import Figure, evidence_of, within
from backend.credit.queries import FirmHistory, TradeRow
from backend.enums import DAY

logger = logging.getLogger(__name__)

PAGERANK_DAYS = 365
DAMPING = 0.85
TOLERANCE = 1e-10  # L1 change between two iterations
MAX_ITERATIONS = 1_000
CACHE_SIZE = 32
RING_DAYS = 30
RING_MAX_LENGTH = 4
RING_SIMILARITY = (5, 4)  # largest * 4 <= smallest * 5, i.e. largest / smallest <= 1.25

_cache: OrderedDict[queries.LedgerStateKey, dict[str, float]] = OrderedDict()
_cache_lock = threading.Lock()


# ─────────────────────────────────────────────────────────────── PageRank


def weighted_pagerank(
    edges: Mapping[tuple[str, str], int],
    damping: float = DAMPING,
    tolerance: float = TOLERANCE,
) -> dict[str, float]:
    """PageRank of a weighted directed graph ``{(source, target): weight}`` by power iteration.

    A node's rank flows to its targets in proportion to the weights; a dangling node's rank is
    spread uniformly over all nodes. Nodes and edges are sorted, so the result is reproducible.
    """
    nodes = sorted({node for edge in edges for node in edge})
    if not nodes:
        return {}
    size = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    ordered = sorted(edges.items())
    source = np.array([index[s] for (s, _), _ in ordered], dtype=np.int64)
    target = np.array([index[t] for (_, t), _ in ordered], dtype=np.int64)
    weight = np.array([float(w) for _, w in ordered])
    out_weight = np.bincount(source, weights=weight, minlength=size)
    share = weight / out_weight[source]
    dangling = out_weight == 0
    rank = np.full(size, 1.0 / size)
    for _ in range(MAX_ITERATIONS):
        flow = np.bincount(target, weights=rank[source] * share, minlength=size)
        updated = (1.0 - damping) / size + damping * (flow + rank[dangling].sum() / size)
        change = float(np.abs(updated - rank).sum())
        rank = updated
        if change < tolerance:
            break
    else:
        logger.warning("credit.pagerank.not_converged nodes=%d change=%g", size, change)
    return {node: float(rank[i]) for i, node in enumerate(nodes)}


def network_ranks(connection: Connection, as_of: int) -> dict[str, float]:
    """``firm -> rank x number of firms`` (1.0 = average) at ``as_of``, computed once per key."""
    key = queries.ledger_state_key(connection, as_of)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    edges = queries.invoice_graph(connection, as_of, as_of - PAGERANK_DAYS * DAY)
    ranks = weighted_pagerank(edges)
    scaled = {firm: rank * len(ranks) for firm, rank in ranks.items()}
    with _cache_lock:
        _cache[key] = scaled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return scaled


def clear_cache() -> None:
    """Forget every cached graph figure: PageRank and the population (size, tenure)."""
    with _cache_lock:
        _cache.clear()
    population.clear_cache()


def network_rank(connection: Connection, history: FirmHistory) -> Figure:
    """The firm's scaled rank; None when it has no verified invoice in the last 365 days."""
    as_of, firm = history.as_of, history.firm
    ranks = network_ranks(connection, as_of)
    own = [
        t
        for t in history.trades
        if t.is_verified_invoice(as_of) and within(t.issued_at, as_of, PAGERANK_DAYS)
    ]
    value = {"value": ranks.get(firm), "firms": len(ranks)}
    return Figure(value, evidence_of(own, as_of))


# ─────────────────────────────────────────────────────────────── circular trading


def find_rings(firm: str, edges: Mapping[tuple[str, str], int]) -> list[list[str]]:
    """Simple directed cycles of 2..4 firms through ``firm``, each listed from ``firm`` on,
    shortest first."""
    successors: dict[str, list[str]] = defaultdict(list)
    for seller, buyer in sorted(edges):
        successors[seller].append(buyer)
    return sorted(_cycles(firm, [firm], successors), key=lambda ring: (len(ring), ring))


def _cycles(firm: str, path: list[str], successors: dict[str, list[str]]) -> Iterator[list[str]]:
    for following in successors.get(path[-1], []):
        if following == firm and len(path) >= 2:
            yield list(path)
        elif following not in path and len(path) < RING_MAX_LENGTH:
            yield from _cycles(firm, [*path, following], successors)


def similar(amounts: list[int]) -> bool:
    larger, smaller = RING_SIMILARITY
    return max(amounts) * smaller <= min(amounts) * larger


def circular_trading(connection: Connection, history: FirmHistory) -> Figure:
    """Rings of similar amounts through the firm, each with its members, amounts and trades."""
    as_of, firm = history.as_of, history.firm
    since = as_of - RING_DAYS * DAY
    own = [
        t
        for t in history.trades
        if t.is_verified_invoice(as_of) and within(t.issued_at, as_of, RING_DAYS)
    ]
    buyers = {t.buyer for t in own if t.seller == firm}
    sellers = {t.seller for t in own if t.buyer == firm}
    trades = {t.trade_id: t for t in own}
    for t in queries.verified_invoices_of(connection, "seller", buyers, as_of, since):
        trades[t.trade_id] = t
    for t in queries.verified_invoices_of(connection, "buyer", sellers, as_of, since):
        trades[t.trade_id] = t
    by_pair: dict[tuple[str, str], list[TradeRow]] = defaultdict(list)
    for trade in sorted(trades.values(), key=lambda t: t.event_id):
        by_pair[(trade.seller, trade.buyer)].append(trade)
    edges = {pair: sum(t.amount for t in ts) for pair, ts in by_pair.items()}
    rings, ring_trades = [], []
    for members in find_rings(firm, edges):
        pairs = list(zip(members, [*members[1:], members[0]], strict=True))
        amounts = [edges[pair] for pair in pairs]
        if similar(amounts):
            used = [t for pair in pairs for t in by_pair[pair]]
            ring_trades += used
            rings.append(
                {
                    "members": members,
                    "amounts": amounts,
                    "trade_ids": sorted(t.trade_id for t in used),
                }
            )
    return Figure({"flag": bool(rings), "rings": rings}, evidence_of(ring_trades, as_of))


def figures(connection: Connection, history: FirmHistory) -> dict[str, Figure]:
    return {
        "network_rank": network_rank(connection, history),
        "circular_trading": circular_trading(connection, history),
    }
