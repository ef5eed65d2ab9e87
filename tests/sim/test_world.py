"""The simulator: deterministic by seed, labels about the future, features blind to it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from backend.credit.queries import PAYMENTS, RECEIVABLES, TRADES
from backend.sim.world import (
    YEAR,
    apply_events,
    build_world,
    migrated_engine,
    records_at,
    simulate,
    world_events,
)


def _same_columns(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def test_world_and_events_are_deterministic_by_seed() -> None:
    one, two, other = build_world(200, seed=4), build_world(200, seed=4), build_world(200, seed=5)
    assert one.addresses == two.addresses
    assert np.array_equal(one.default, two.default) and one.buyers == two.buyers
    assert one.addresses != other.addresses
    assert world_events(one, one.as_of) == world_events(two, two.as_of)
    assert world_events(one, one.as_of) != world_events(other, other.as_of)


def test_simulate_is_deterministic_by_seed() -> None:
    one, two = simulate(150, seed=11), simulate(150, seed=11)
    assert one.firms == two.firms
    assert _same_columns(one.X, two.X)
    assert np.array_equal(one.y, two.y) and np.array_equal(one.true_pd, two.true_pd)
    assert one.y.size == 150 and not np.isnan(one.X["tenure_percentile"]).any()


def test_events_are_in_chain_order_and_labels_follow_the_true_pd() -> None:
    world = build_world(2_000, seed=2)
    events = world_events(world, world.as_of)
    times = [event.time for event in events]
    assert times == sorted(times) and times[-1] <= world.as_of
    scored = world.scored
    risky = world.true_pd[scored] > np.median(world.true_pd[scored])
    assert world.default[scored][risky].mean() > 2 * world.default[scored][~risky].mean()
    assert (world.default_time[scored][world.default[scored] == 1] > world.as_of).all()


def test_features_at_t_ignore_events_after_t(tmp_path: Path) -> None:
    """Append the year after T (defaulters stop paying, trade goes on) and recompute: every
    record at T is unchanged, while records at T + 365 d do change."""
    world = build_world(120, seed=8)
    engine = migrated_engine(tmp_path / "sim.sqlite")
    firms = [world.addresses[i] for i in world.scored]
    try:
        before_t = world_events(world, world.as_of, receivables=True)
        last_block = apply_events(engine, before_t)
        at_t = [view.to_json() for view in records_at(engine, firms, world.as_of)]
        everything = world_events(world, world.as_of + YEAR, receivables=True)
        assert everything[: len(before_t)] == before_t  # the future extends the past
        after_t = everything[len(before_t) :]
        assert after_t and min(event.time for event in after_t) > world.as_of
        apply_events(engine, after_t, first_block=last_block + 1)
        with engine.connect() as connection:
            late_trades = connection.execute(
                select(func.count()).where(TRADES.c.recorded_time > world.as_of)
            ).scalar_one()
            late_payments = connection.execute(
                select(func.count()).where(PAYMENTS.c.block_time > world.as_of)
            ).scalar_one()
            receivables = connection.execute(
                select(func.count()).where(RECEIVABLES.c.updated_time > world.as_of)
            ).scalar_one()
        assert late_trades > 0 and late_payments > 0 and receivables > 0
        again = [view.to_json() for view in records_at(engine, firms, world.as_of)]
        later = [view.to_json() for view in records_at(engine, firms, world.as_of + YEAR)]
    finally:
        engine.dispose()
    assert again == at_t
    changed = sum(
        a["figures"]["sales_365d"] != b["figures"]["sales_365d"]
        for a, b in zip(at_t, later, strict=True)
    )
    assert changed > len(firms) // 2


def test_too_small_a_world_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 20"):
        build_world(10, seed=0)
