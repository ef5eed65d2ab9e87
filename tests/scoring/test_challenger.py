"""The gradient-boosted challenger: seeded, monotone where the scorecard is, robust to an empty
column."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingClassifier

from backend.scoring.challenger import (
    CHALLENGER_PARAMS,
    Challenger,
    challenger_pd,
    design_matrix,
    fit_challenger,
    monotonic_constraints,
)
from backend.scoring.features import FEATURE_SPECS
from backend.scoring.scorecard import FeatureSpec
from backend.scoring.synthetic import SyntheticCredit, make_synthetic_credit

SEED = 11
Columns = dict[str, NDArray[np.float64]]


@pytest.fixture(scope="module")
def data() -> SyntheticCredit:
    return make_synthetic_credit(3_000, seed=3)


@pytest.fixture(scope="module")
def specs(data: SyntheticCredit) -> tuple[FeatureSpec, ...]:
    # The trees take numbers only: the synthetic industry (categorical) is left out.
    return tuple(spec for spec in data.features if spec.kind == "numeric")


@pytest.fixture(scope="module")
def numeric(data: SyntheticCredit, specs: tuple[FeatureSpec, ...]) -> Columns:
    return {spec.name: np.asarray(data.X[spec.name], dtype=np.float64) for spec in specs}


@pytest.fixture(scope="module")
def challenger(
    numeric: Columns, data: SyntheticCredit, specs: tuple[FeatureSpec, ...]
) -> Challenger:
    return fit_challenger(numeric, data.y, SEED, specs)


def test_constraints_follow_the_scorecard_directions() -> None:
    signs = dict(zip((s.name for s in FEATURE_SPECS), monotonic_constraints(), strict=True))
    assert signs["dispute_rate"] == 1  # ascending: the bad rate, so P(default), rises
    assert signs["tenure_percentile"] == -1  # descending
    assert signs["network_rank"] == 0  # auto: left free
    assert set(signs.values()) == {-1, 0, 1}


def test_same_data_and_seed_give_the_same_pds(
    challenger: Challenger, numeric: Columns, data: SyntheticCredit, specs: tuple[FeatureSpec, ...]
) -> None:
    again = fit_challenger(numeric, data.y, SEED, specs)
    first, second = challenger_pd(challenger, numeric), challenger_pd(again, numeric)
    assert np.array_equal(first, second)
    assert ((first > 0) & (first < 1)).all() and np.ptp(first) > 0.3


def _worst_step(model: Challenger, numeric: Columns, spec: FeatureSpec) -> tuple[float, float]:
    """Over 8 probe rows with ``spec`` swept from its 1st to its 99th percentile: the largest
    step of P(default) against the declared direction (negative = a violation), and the widest
    range of P(default) the sweep produced (so a flat model cannot pass unnoticed)."""
    grid = np.nanquantile(numeric[spec.name], np.linspace(0.01, 0.99, 25))
    sign = 1 if spec.monotonic == "ascending" else -1
    worst, spread = 0.0, 0.0
    for row in range(8):
        probe = {name: np.full(grid.size, column[row]) for name, column in numeric.items()}
        probe[spec.name] = grid
        pd = challenger_pd(model, probe)
        worst = min(worst, float((np.diff(pd) * sign).min()))
        spread = max(spread, float(np.ptp(pd)))
    return worst, spread


def test_pd_moves_only_in_the_declared_direction(
    challenger: Challenger, numeric: Columns, data: SyntheticCredit, specs: tuple[FeatureSpec, ...]
) -> None:
    for spec in specs:
        worst, spread = _worst_step(challenger, numeric, spec)
        assert worst >= 0.0, spec.name
        assert spread > 0.05, spec.name
    # The same trees without the constraints break the directions on these probes: the check
    # above would see it.
    free = HistGradientBoostingClassifier(**CHALLENGER_PARAMS, random_state=SEED)
    free.fit(design_matrix(numeric, specs), data.y)
    unconstrained = Challenger(model=free, features=specs, dropped=())
    assert min(_worst_step(unconstrained, numeric, spec)[0] for spec in specs) < -0.01


def test_a_characteristic_with_no_figure_is_left_out(
    numeric: Columns, data: SyntheticCredit, specs: tuple[FeatureSpec, ...]
) -> None:
    empty = {**numeric, "buyer_hhi": np.full(data.y.size, np.nan)}
    model = fit_challenger(empty, data.y, SEED, specs)
    assert model.dropped == ("buyer_hhi",)
    assert [s.name for s in model.features] == [s.name for s in specs if s.name != "buyer_hhi"]
    assert np.isfinite(challenger_pd(model, empty)).all()
