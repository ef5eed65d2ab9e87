"""Weighted PageRank and ring search on small graphs worked out by hand."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest
from sqlalchemy import insert

from backend.credit import queries
from backend.credit.network import RING_DAYS, find_rings, similar, weighted_pagerank
from backend.credit.queries import TradeRow
from backend.credit.trading import RowVolumes, monthly_buckets
from backend.enums import DAY


def test_pagerank_of_a_symmetric_cycle_is_uniform():
    ranks = weighted_pagerank({("a", "b"): 5, ("b", "c"): 5, ("c", "a"): 5})
    assert ranks == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, abs=1e-12)


def test_pagerank_spreads_a_dangling_node_uniformly():
    # a -> b only; b is dangling. r_a = 0.15/2 + 0.85 * r_b/2, r_a + r_b = 1
    # => r_a = 0.075 + 0.425 (1 - r_a) => r_a = 0.5 / 1.425
    ranks = weighted_pagerank({("a", "b"): 100})
    assert ranks["a"] == pytest.approx(0.5 / 1.425, abs=1e-9)
    assert ranks["b"] == pytest.approx(1 - 0.5 / 1.425, abs=1e-9)


def test_pagerank_follows_the_weights():
    # a pays b three times what it pays c; b and c pay a back in full.
    # r_b = 0.05 + 0.85 * 0.75 r_a, r_c = 0.05 + 0.85 * 0.25 r_a, r_a = 0.05 + 0.85 (r_b + r_c)
    # => r_a = 0.05 + 0.85 (0.1 + 0.85 r_a) => r_a = 0.135 / 0.2775
    ranks = weighted_pagerank({("a", "b"): 300, ("a", "c"): 100, ("b", "a"): 7, ("c", "a"): 9})
    r_a = 0.135 / 0.2775
    assert ranks["a"] == pytest.approx(r_a, abs=1e-9)
    assert ranks["b"] == pytest.approx(0.05 + 0.85 * 0.75 * r_a, abs=1e-9)
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_pagerank_does_not_depend_on_the_order_of_the_edges():
    edges = {("a", "b"): 3, ("b", "c"): 1, ("c", "a"): 2, ("d", "a"): 5}
    assert weighted_pagerank(edges) == weighted_pagerank(dict(reversed(list(edges.items()))))


def test_rings_of_two_three_and_four_firms_are_found_from_the_firm():
    edges = {("f", "a"): 1, ("a", "f"): 1, ("a", "b"): 1, ("b", "f"): 1, ("b", "c"): 1,
             ("c", "f"): 1}  # fmt: skip
    assert find_rings("f", edges) == [["f", "a"], ["f", "a", "b"], ["f", "a", "b", "c"]]


def test_a_chain_of_supply_and_a_cycle_of_five_are_not_rings():
    chain = {("t3", "t2"): 1, ("t2", "t1"): 1, ("t1", "core"): 1}
    assert all(find_rings(firm, chain) == [] for firm in ("t3", "t2", "t1", "core"))
    five = {("a", "b"): 1, ("b", "c"): 1, ("c", "d"): 1, ("d", "e"): 1, ("e", "a"): 1}
    assert find_rings("a", five) == []


def test_similar_amounts_are_within_a_quarter():
    assert similar([1_000, 1_250, 1_100])
    assert not similar([1_000, 1_251])


def _sale(issued_at: int, amount: int) -> TradeRow:
    return TradeRow(
        trade_id="t", seller="s", buyer="b", kind=2, amount=amount, currency=156,
        issued_at=issued_at, due_at=issued_at, recorded_time=issued_at, verified_time=issued_at,
        rejected_time=None, event_id=1, answer_event_id=None,
    )  # fmt: skip


def test_monthly_buckets_are_half_open_windows_back_from_t():
    t = 1_000 * DAY
    sales = [_sale(t, 1), _sale(t - 30 * DAY + 1, 2), _sale(t - 30 * DAY, 4),
             _sale(t - 360 * DAY + 1, 8), _sale(t - 360 * DAY, 16), _sale(t + 1, 32)]  # fmt: skip
    # (T-30d, T] holds T and T-30d+1; T-30d opens the second bucket; T-360d is outside.
    assert monthly_buckets(RowVolumes(sales), t) == [3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8]


# ─────────────────────────────────────────────────────────────── the bounded ring search


def _invoice_row(index: int, seller: str, buyer: str, amount: int, at: int) -> dict[str, object]:
    trade_id = f"0x{index:064x}"
    return {
        "trade_id": trade_id, "seller": seller, "buyer": buyer, "kind": 2, "doc_hash": trade_id,
        "amount": amount, "currency": 156, "issued_at": at, "due_at": at + 30 * DAY, "ref": "0x",
        "status": 2, "reject_reason": None, "recorded_block": index, "recorded_time": at,
        "verified_time": at, "rejected_time": None, "event_id": index, "answer_event_id": None,
    }  # fmt: skip


def test_the_ring_search_reads_only_trades_on_paths_back_to_the_firm(engine):
    """Rings found from the bounded neighbourhood are those of the whole month's graph, for
    every firm; a small firm selling to a hub does not read the hub's unrelated sales."""
    rng = random.Random(7)
    t = 1_900_000_000
    firms = [f"0x{index:040x}" for index in range(1, 13)]
    hub, small = "0x" + "ee" * 20, firms[0]
    rows = [_invoice_row(1, small, hub, 1_000, t - DAY)]  # the small firm sells to the hub
    for index in range(2, 400):  # the hub's month of sales to firms that never sell back
        rows.append(_invoice_row(index, hub, f"0x{index + 10_000:040x}", 500, t - DAY))
    for index in range(400, 520):  # random trades among the others: rings of every length
        seller, buyer = rng.sample([*firms, hub], 2)
        rows.append(_invoice_row(index, seller, buyer, rng.choice([900, 1_000, 1_100]), t - DAY))
    with engine.begin() as connection:
        connection.execute(insert(queries.TRADES), rows)
    since = t - RING_DAYS * DAY
    lengths: set[int] = set()
    with engine.connect() as connection:
        month = queries.trades_where(connection, queries.TRADES.c.kind == 2, t)
        for firm in [*firms, hub]:
            own = [x for x in month if firm in (x.seller, x.buyer)]
            buyers = {x.buyer for x in own if x.seller == firm}
            sellers = {x.seller for x in own if x.buyer == firm}
            read = queries.ring_invoices(connection, buyers, sellers, t, since, 156)
            bounded = {x.trade_id: x for x in [*own, *read]}.values()
            rings = _similar_rings(firm, month)
            assert _similar_rings(firm, bounded) == rings, firm
            lengths |= {len(ring) for ring in rings}
            if firm == small:
                assert all(x.seller != hub or x.buyer in firms for x in read)
                assert len(read) < 130  # of the 519 trades of the month
    assert lengths == {2, 3, 4}  # the comparison covered rings of every length


def _similar_rings(firm: str, trades: Iterable[TradeRow]) -> list[list[str]]:
    edges: dict[tuple[str, str], int] = {}
    for x in trades:
        edges[(x.seller, x.buyer)] = edges.get((x.seller, x.buyer), 0) + x.amount
    return [
        ring
        for ring in find_rings(firm, edges)
        if similar([edges[pair] for pair in zip(ring, [*ring[1:], ring[0]], strict=True)])
    ]
