"""Metrics on tiny hand-computed examples, plus brute-force cross-checks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring.metrics import (
    auc,
    brier,
    calibration_by_grade,
    clopper_pearson,
    evaluate,
    gini,
    ks,
    psi,
    psi_from_shares,
)


def test_auc_perfect_reversed_and_tied() -> None:
    y = [0, 0, 1, 1]
    assert auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert auc(y, [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5


def test_auc_with_partial_ties_hand_computed() -> None:
    # pairs (bad, good): (0.5 vs 0.5) tie = 0.5, (0.5 vs 0.1) win, (0.9 vs both) wins -> 3.5 / 4
    assert auc([1, 1, 0, 0], [0.5, 0.9, 0.5, 0.1]) == 0.875
    assert gini([1, 1, 0, 0], [0.5, 0.9, 0.5, 0.1]) == 0.75


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5)), min_size=2, max_size=40))
def test_auc_equals_pair_counting(rows: list[tuple[int, int]]) -> None:
    y = [r[0] for r in rows]
    s = [float(r[1]) for r in rows]
    if len(set(y)) < 2:
        return
    bads = [b for b, t in zip(s, y, strict=True) if t == 1]
    goods = [g for g, t in zip(s, y, strict=True) if t == 0]
    wins = sum(1.0 if b > g else 0.5 if b == g else 0.0 for b, g in itertools.product(bads, goods))
    assert auc(y, s) == pytest.approx(wins / (len(bads) * len(goods)))


def test_ks_hand_computed() -> None:
    # after score 0.3: bads 1/2, goods 2/3 ... after 0.4: bads 1/2, goods 3/3? see below
    y = [0, 0, 1, 0, 1]
    s = [0.1, 0.2, 0.3, 0.4, 0.5]
    # cumulative goods: 1/3, 2/3, 2/3, 1, 1 ; cumulative bads: 0, 0, 1/2, 1/2, 1
    assert ks(y, s) == pytest.approx(2 / 3)
    assert ks([0, 1], [0.2, 0.7]) == 1.0


def test_ks_moves_ties_together() -> None:
    # split inside a tie would give 1.0; ties must not be split
    assert ks([0, 1], [0.5, 0.5]) == 0.0


def test_brier_hand_computed() -> None:
    assert brier([0, 1], [0.2, 0.6]) == pytest.approx((0.04 + 0.16) / 2)


def test_psi_of_identical_distributions_is_zero() -> None:
    sample = np.random.default_rng(0).normal(size=1000)
    assert psi(sample, sample) == 0.0
    assert psi(sample, sample.copy()[::-1]) == 0.0


def test_psi_hand_computed_and_grows_with_shift() -> None:
    expected = psi_from_shares([0.5, 0.5], [0.4, 0.6])
    assert expected == pytest.approx(-0.1 * math.log(0.8) + 0.1 * math.log(1.2))
    rng = np.random.default_rng(1)
    base = rng.normal(size=5000)
    assert psi(base, base + 0.1) < psi(base, base + 0.5) < psi(base, base + 1.0)


def test_clopper_pearson_closed_forms() -> None:
    lower, upper = clopper_pearson(0, 10)
    assert lower == 0.0 and upper == pytest.approx(1 - 0.025 ** (1 / 10))
    lower, upper = clopper_pearson(10, 10)
    assert upper == 1.0 and lower == pytest.approx(0.025 ** (1 / 10))


def test_calibration_by_grade_flags_miscalibration() -> None:
    rng = np.random.default_rng(2)
    pd = np.full(4000, 0.03)  # grade B
    pd[:2000] = 0.15  # grade CC
    y = (rng.random(4000) < pd).astype(int)
    y[:2000] = (rng.random(2000) < 0.40).astype(int)  # CC really defaults at 40%
    rows = {row.grade: row for row in calibration_by_grade(y, pd)}
    assert set(rows) == {"B", "CC"}
    assert rows["B"].within_band and not rows["CC"].within_band
    assert rows["CC"].n == 2000 and rows["CC"].lower <= rows["CC"].observed_rate


def test_evaluate_collects_metrics() -> None:
    y = [0, 0, 1, 1]
    pd = [0.1, 0.2, 0.8, 0.9]
    report = evaluate(y, pd)
    assert (report.auc, report.gini, report.ks, report.bad_rate) == (1.0, 1.0, 1.0, 0.5)
