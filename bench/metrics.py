"""Benchmark: the model-card metrics from scikit-learn against the hand-written ones they replaced.

``backend.scoring.metrics`` takes AUC, KS and Brier from scikit-learn; the versions it used before
(a Mann-Whitney rank sum, cumulative sums over the sorted scores, a mean of squares) are kept
here only as the baseline, measured in the same run on the same random data. Training evaluates
a few dozen samples of a few thousand rows, so what matters is whether either path is slow at
that size or at 1M rows; prints ratios, asserts nothing.

    python bench/metrics.py [--rows 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.stats import rankdata  # noqa: E402

from backend.scoring import metrics  # noqa: E402


def hand_auc(y: np.ndarray, s: np.ndarray) -> float:
    ranks = rankdata(s, method="average")
    n_bad = y.sum()
    n_good = y.size - n_bad
    return float((ranks[y == 1].sum() - n_bad * (n_bad + 1) / 2.0) / (n_bad * n_good))


def hand_ks(y: np.ndarray, s: np.ndarray) -> float:
    order = np.argsort(s, kind="stable")
    sorted_s, sorted_y = s[order], y[order]
    cum_bad = np.cumsum(sorted_y) / sorted_y.sum()
    cum_good = np.cumsum(1.0 - sorted_y) / (sorted_y.size - sorted_y.sum())
    last_of_tie = np.append(sorted_s[1:] != sorted_s[:-1], True)
    return float(np.max(np.abs(cum_bad - cum_good)[last_of_tie]))


def hand_brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def best_of(repeats: int, call: Callable[..., Any], *arguments: Any) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call(*arguments)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    for rows in (2_000, args.rows):
        p = rng.beta(1, 12, rows)
        y = (rng.random(rows) < p).astype(np.float64)
        pairs = (
            ("AUC", metrics.auc, hand_auc),
            ("KS", metrics.ks, hand_ks),
            ("Brier", metrics.brier, hand_brier),
        )
        for name, library, hand in pairs:
            assert abs(library(y, p) - hand(y, p)) < 1e-9, name
            t_lib = best_of(args.repeats, library, y, p)
            t_hand = best_of(args.repeats, hand, y, p)
            print(
                f"{rows:>9,} rows  {name:<5} scikit-learn {t_lib * 1e3:8.2f} ms   "
                f"hand-written {t_hand * 1e3:8.2f} ms   ratio {t_lib / t_hand:5.2f}"
            )


if __name__ == "__main__":
    main()
