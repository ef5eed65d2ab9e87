"""Benchmark: vectorised scorecard scoring against a naive per-row Python loop.

Fits a scorecard on synthetic credit records, then scores 100,000 rows (features -> PD, score,
grade, reason codes) with numpy, and a sample of the same rows with a plain Python loop over a
dict-of-lists copy of the model, measured in the same run. A second section trains on the
supply-chain simulator's credit records (``backend.sim.world``) and scores 100,000 firms drawn
from their feature vectors, from the record JSON (as ``credit_record`` caches it) to PD, grade
and reason codes. Prints figures; asserts nothing.

    python bench/scoring.py [--rows 100000] [--sample 2000] [--sim-firms 2000]
"""

from __future__ import annotations

import argparse
import bisect
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from backend.scoring.grades import MASTER_SCALE  # noqa: E402
from backend.scoring.scorecard import Scorecard  # noqa: E402
from backend.scoring.synthetic import make_synthetic_credit  # noqa: E402
from backend.scoring.training import holdout_mask  # noqa: E402

REPEATS = 3


def _naive_bin(feature: dict[str, Any], value: Any) -> int:
    binning = feature["binning"]
    missing = len(binning["woe"]) - 1
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if binning["kind"] == "numeric":
        return bisect.bisect_right(binning["splits"], float(value))
    for index, group in enumerate(binning["groups"]):
        if str(value) in group:
            return index
    return missing


def naive_assess(model: dict[str, Any], row: dict[str, Any]) -> tuple[float, float, str, list]:
    """One row, the way a straightforward service would: loops, no numpy."""
    scaling = model["scaling"]
    score = model["base_points"]
    losses = []
    for position, feature in enumerate(model["features"]):
        index = _naive_bin(feature, row[feature["name"]])
        points = feature["points"][index]
        score += points
        lost = max(feature["points"]) - points
        if lost > 0:
            losses.append((-lost, position, feature["name"], feature["labels"][index]))
    log_odds = (score - scaling["offset"]) / scaling["factor"]
    pd = max(1.0 / (1.0 + math.exp(log_odds)), scaling["pd_floor"])
    grade = next(grade for grade, edge in MASTER_SCALE if pd <= edge)
    return pd, score, grade, sorted(losses)[:3]


def _best_of(repeats: int, func: Any) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--sim-firms", type=int, default=2_000, help="0 skips the simulator")
    args = parser.parse_args()
    synthetic_section(args)
    if args.sim_firms:
        simulator_section(args.rows, args.sim_firms)


def simulator_section(rows: int, firms: int) -> None:
    """Simulated world -> credit records -> model; then ``rows`` records' JSON -> PD and grade."""
    import tempfile

    from backend.scoring.features import FEATURE_SPECS, feature_matrix, thin_files
    from backend.sim.world import (
        apply_events,
        build_world,
        migrated_engine,
        records_at,
        world_events,
    )

    start = time.perf_counter()
    world = build_world(firms, seed=1)
    with tempfile.TemporaryDirectory() as scratch:
        engine = migrated_engine(Path(scratch) / "sim.sqlite")
        apply_events(engine, world_events(world, world.as_of))
        views = list(records_at(engine, [world.addresses[i] for i in world.scored], world.as_of))
        engine.dispose()
    records = [view.to_json() for view in views]
    simulate_seconds = time.perf_counter() - start
    y = world.default[world.scored]
    X = feature_matrix(records)
    train = ~holdout_mask(y, 1)
    model = Scorecard(FEATURE_SPECS).fit({k: v[train] for k, v in X.items()}, y[train])
    picks = np.random.default_rng(3).integers(0, len(records), rows)
    many = [records[i] for i in picks]

    extract_seconds, (matrix, thin) = _best_of(
        REPEATS, lambda: (feature_matrix(many), thin_files(many))
    )
    assess_seconds, result = _best_of(REPEATS, lambda: model.assess(matrix, thin=thin))
    reasons_seconds, _ = _best_of(1, lambda: [result.reasons(i) for i in range(len(result))])
    total = extract_seconds + assess_seconds
    print(
        f"simulator: {len(records):,} firms' credit records at T in {simulate_seconds:.1f} s; "
        f"model with {len(model.features_)} characteristics; {thin.mean():.0%} of the scored "
        "rows are thin files, scored with their margin"
    )
    print(
        f"{rows:,} firms: record JSON -> feature vectors {extract_seconds:.3f} s, "
        f"-> PD, score, grade, reason arrays {assess_seconds:.3f} s "
        f"({rows / total:,.0f} firms/s end to end; best of {REPEATS})"
    )
    print(f"reason codes as objects for all {rows:,} firms: {reasons_seconds:.3f} s extra")
    print(f"feature extraction / scoring time: {extract_seconds / assess_seconds:.1f}x")


def synthetic_section(args: argparse.Namespace) -> None:

    train = make_synthetic_credit(20_000, seed=1)
    start = time.perf_counter()
    model = Scorecard(train.features).fit(train.X, train.y)
    fit_seconds = time.perf_counter() - start
    data = make_synthetic_credit(args.rows, seed=2)

    vector_seconds, result = _best_of(REPEATS, lambda: model.assess(data.X))
    reasons_seconds, _ = _best_of(1, lambda: [result.reasons(i) for i in range(len(result))])

    stored = model.to_dict()
    rows = [{name: column[i].item() for name, column in data.X.items()} for i in range(args.sample)]
    naive_seconds, naive = _best_of(1, lambda: [naive_assess(stored, row) for row in rows])
    naive_score = np.array([r[1] for r in naive])
    drift = float(np.max(np.abs(naive_score - result.score[: args.sample])))

    vector_rate = args.rows / vector_seconds
    naive_rate = args.sample / naive_seconds
    print(f"fit: {len(train.y):,} rows, {len(model.features_)} features in {fit_seconds:.3f} s")
    print(
        f"vectorised assess: {args.rows:,} rows in {vector_seconds:.3f} s "
        f"({vector_rate:,.0f} rows/s; PD, score, grade, reason-code arrays; best of {REPEATS})"
    )
    print(f"reason codes as objects for all rows: {reasons_seconds:.3f} s extra")
    print(
        f"naive per-row loop: {args.sample:,} rows in {naive_seconds:.3f} s "
        f"({naive_rate:,.0f} rows/s)"
    )
    print(f"speed-up vectorised / naive: {vector_rate / naive_rate:.1f}x")
    print(f"max |score difference| naive vs vectorised: {drift:.2e}")


if __name__ == "__main__":
    main()
