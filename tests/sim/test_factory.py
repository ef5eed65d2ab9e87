"""The factory floor: attested output follows health and falls before a default, frauds invoice
without producing, and a world without devices is the world of before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from backend.enums import DAY
from backend.sim.factory import load
from backend.sim.world import (
    DEFAULT_PARAMS,
    apply_events,
    build_world,
    migrated_engine,
    records_at,
    world_events,
)

DEVICES = replace(DEFAULT_PARAMS, device_share=1.0)


def _utilisation(events, world, begin: int, end: int) -> dict[str, float]:
    """Each firm's attested units over capacity-hours, for periods ending in (begin, end]."""
    capacity = {
        e.args["deviceId"]: e.args["ratedCapacity"] for e in events if e.name == "DeviceRegistered"
    }
    made: dict[str, float] = {}
    possible: dict[str, float] = {}
    for e in events:
        if e.name == "ProductionAttested" and begin < e.args["periodEnd"] <= end:
            firm, hours = e.args["firm"], (e.args["periodEnd"] - e.args["periodStart"]) / 3_600
            made[firm] = made.get(firm, 0.0) + e.args["units"]
            possible[firm] = possible.get(firm, 0.0) + capacity[e.args["deviceId"]] * hours
    return {firm: made[firm] / possible[firm] for firm in made}


def test_a_world_without_devices_is_the_world_of_before() -> None:
    plain, with_devices = build_world(200, seed=4), build_world(200, seed=4, params=DEVICES)
    assert not plain.operates.any() and with_devices.operates[with_devices.tier >= 1].all()
    honest = ~with_devices.fraud
    assert np.array_equal(plain.default[honest], with_devices.default[honest])
    trading = [e for e in world_events(with_devices, with_devices.as_of)
               if e.contract != "AttestationLedger" and e.args.get("roles") != 8]  # fmt: skip
    assert trading == world_events(plain, plain.as_of)


def test_defaulters_lines_run_lower_and_fall_in_the_months_before_t() -> None:
    world = build_world(800, seed=21, params=DEVICES)
    events = world_events(world, world.as_of)
    assert max(e.time for e in events) <= world.as_of
    t = world.as_of
    recent = _utilisation(events, world, t - 90 * DAY, t)
    earlier = _utilisation(events, world, t - 360 * DAY, t - 270 * DAY)
    firms = [i for i in np.flatnonzero(world.operates) if world.addresses[i] in earlier]
    fell = {i: recent.get(world.addresses[i], 0.0) - earlier[world.addresses[i]] for i in firms}
    defaulters = [i for i in firms if world.default[i]]
    others = [i for i in firms if not world.default[i]]
    assert len(defaulters) >= 20 and len(others) >= 300
    level = np.mean([recent[world.addresses[i]] for i in defaulters])
    assert level < np.mean([recent[world.addresses[i]] for i in others]) - 0.05
    # the decline itself, beyond the lower level health gives: visible before T
    assert np.mean([fell[i] for i in defaulters]) < np.mean([fell[i] for i in others]) - 0.05


def test_fraud_firms_carry_the_production_consistency_flag_in_their_credit_record(
    tmp_path: Path,
) -> None:
    world = build_world(160, seed=8, params=replace(DEVICES, fraud_share=0.3))
    engine = migrated_engine(tmp_path / "sim.sqlite")
    try:
        apply_events(engine, world_events(world, world.as_of))
        firms = np.flatnonzero(world.operates)
        views = list(records_at(engine, [world.addresses[i] for i in firms], world.as_of))
    finally:
        engine.dispose()
    flags = np.array([v.figures["production_consistency"]["flag"] for v in views])
    fraud = world.fraud[firms]
    assert fraud.sum() >= 20
    assert flags[fraud].mean() >= 0.65 and flags[~fraud].mean() <= 0.15
    utilisation = [v.figures["capacity_utilisation"]["utilisation"] for v in views]
    assert all(u is not None and 0.0 < u <= 1.0 for u in utilisation)


def test_a_healthy_line_runs_steadily_and_a_declining_one_lower() -> None:
    assert 0.7 < load(0.0) < 0.8 and load(1.0) > load(0.0) > load(-1.0)
    assert load(0.0, decline=0.5) == load(0.0) / 2
    assert load(3.0, noise=10.0) == 1.0


def test_the_demo_lines_publish_the_same_generators_steady_healthy_output() -> None:
    from backend.sim.attestations_demo import LINES, MAKER_HEALTH, line_readings

    readings = line_readings(0, 0, 30 * DAY)
    assert len(readings) == 120 and readings == line_readings(0, 0, 30 * DAY)
    rate = np.array([r["units"] / (LINES[0][1] * 6) for r in readings])
    assert abs(rate.mean() - load(MAKER_HEALTH)) < 0.03 and rate.std() < 0.1
    dipped = [r["units"] for r in line_readings(1, 0, 30 * DAY) if (r["ts"] // DAY) % 10 == 0]
    assert max(dipped) < min(r["units"] for r in readings) * LINES[1][1] / LINES[0][1]
