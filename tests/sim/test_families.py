"""Families of worlds: the parameters are drawn from the seed and the world obeys them."""

from __future__ import annotations

import numpy as np
import pytest

from backend.sim.families import FAMILIES, FAMILY_NAMES, world_params, world_seed
from backend.sim.world import (
    DAY,
    VENDOR,
    YEAR,
    WorldParams,
    build_world,
    world_events,
)


def test_families_draw_reproducible_and_distinct_worlds() -> None:
    assert len(FAMILY_NAMES) == len(set(FAMILY_NAMES)) == 6
    for name in FAMILY_NAMES:
        assert world_params(name, 1, 0) == world_params(name, 1, 0)
        assert world_params(name, 1, 0) != world_params(name, 1, 1)
        assert world_seed(name, 1, 0) != world_seed(name, 1, 1)
    drawn = [world_params(f.name, seed, i) for f in FAMILIES for seed in (1, 2) for i in range(3)]
    assert all(0.02 <= p.base_rate <= 0.15 for p in drawn if p.base_rate is not None)
    assert all(6 <= p.history_months <= 36 for p in drawn)
    assert all(0.01 <= p.amount_scale <= 100 for p in drawn)
    scales = [p.amount_scale for p in drawn]
    assert min(scales) < 0.1 and max(scales) > 10  # small and large worlds both


def test_the_base_rate_is_the_suppliers_mean_true_pd() -> None:
    for rate in (0.02, 0.15):
        world = build_world(300, seed=3, params=WorldParams(base_rate=rate, visible_level=0.5))
        suppliers = world.tier > 0
        assert world.true_pd[suppliers].mean() == pytest.approx(rate, rel=1e-6)
    calm = build_world(300, seed=3, params=WorldParams(base_rate=0.02, visible_level=1.0))
    risky = build_world(300, seed=3, params=WorldParams(base_rate=0.15, visible_level=1.0))
    assert calm.health.mean() > risky.health.mean()  # a visible level: a sicker population


def test_a_world_obeys_its_scale_history_concentration_and_vendors() -> None:
    params = WorldParams(
        amount_scale=100.0, history_months=6, single_buyer_share=1.0, vendors=0.1,
        supplier_tiers=2, terms_days=30,
    )  # fmt: skip
    world = build_world(200, seed=4, params=params)
    base = build_world(200, seed=4)
    assert world.start == world.as_of - 180 * DAY
    assert (world.registered_at >= world.start).all()
    suppliers = np.flatnonzero(world.tier > 0)
    assert all(len(world.buyers[i]) == 1 for i in suppliers)
    assert set(np.unique(world.tier)) == {-2, -1, 0, 1, 2}
    assert not np.isin(world.scored, np.flatnonzero(world.tier == VENDOR)).any()
    lowest = set(np.flatnonzero(world.tier == 2).tolist())
    vendors_buyers = {b for i in np.flatnonzero(world.tier == VENDOR) for b in world.buyers[i]}
    assert vendors_buyers and vendors_buyers <= lowest
    amounts = [
        e.args["amount"] for e in world_events(world, world.as_of) if e.name == "TradeRecorded"
    ]
    plain = [e.args["amount"] for e in world_events(base, base.as_of) if e.name == "TradeRecorded"]
    assert 30 < np.median(amounts) / np.median(plain) < 300
    terms = {
        (e.args["dueAt"] - e.args["issuedAt"]) // DAY
        for e in world_events(world, world.as_of)
        if e.name == "TradeRecorded"
    }
    assert terms == {30}


def test_realised_defaults_are_written_only_for_defaulters_after_they_stop_paying() -> None:
    world = build_world(150, seed=6, params=WorldParams(base_rate=0.2, vendors=0.1))
    events = world_events(world, world.as_of + YEAR, receivables="all")
    marked = [e for e in events if e.name == "ReceivableDefaulted"]
    assert marked
    index = {address: i for i, address in enumerate(world.addresses)}
    for event in marked:
        obligor = index[event.args["obligor"]]
        assert world.default[obligor] == 1
        assert event.time >= world.default_time[obligor] > world.as_of
        assert event.time >= event.args["dueAt"]
    created = sum(e.name == "ReceivableCreated" for e in events)
    recorded = sum(e.name == "TradeRecorded" for e in events)
    assert created == recorded  # every verified invoice is a receivable of its seller
