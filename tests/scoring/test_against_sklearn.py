"""The project's metrics and its IRLS logistic regression against independent implementations.

AUC, KS and Brier come from scikit-learn; these tests hold the module's conventions (bad = 1,
higher score = riskier, ties moving together, Gini derived) to definitions computed another way
on random data with ties: scipy's two-sample KS statistic, pair counting, a plain mean of
squares. ``fit_logistic`` (numpy Newton, what the service fits with) must find scikit-learn's
``LogisticRegression`` coefficients, unpenalised and with the same L2 penalty.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from backend.scoring.logistic import fit_logistic
from backend.scoring.metrics import auc, brier, evaluate, gini, ks

SEEDS = range(8)


def _sample(seed: int, rows: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pd = rng.beta(1.0, 6.0, rows)
    y = (rng.random(rows) < pd).astype(np.int64)
    # rounded to two decimals: many ties, between bads and goods too
    return y, np.round(pd, 2)


def _pair_auc(y: np.ndarray, s: np.ndarray) -> float:
    bad, good = s[y == 1], s[y == 0]
    wins = (bad[:, None] > good[None, :]).sum() + 0.5 * (bad[:, None] == good[None, :]).sum()
    return float(wins / (bad.size * good.size))


@pytest.mark.parametrize("seed", SEEDS)
def test_auc_and_gini_match_pair_counting_and_sklearn(seed: int) -> None:
    y, s = _sample(seed)
    assert auc(y, s) == pytest.approx(_pair_auc(y, s), abs=1e-12)
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert gini(y, s) == pytest.approx(2.0 * _pair_auc(y, s) - 1.0, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_ks_is_the_two_sample_statistic_of_bads_against_goods(seed: int) -> None:
    y, s = _sample(seed)
    assert ks(y, s) == pytest.approx(ks_2samp(s[y == 1], s[y == 0]).statistic, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_brier_is_the_mean_squared_error(seed: int) -> None:
    y, s = _sample(seed)
    assert brier(y, s) == pytest.approx(float(np.mean((s - y) ** 2)), abs=1e-12)
    assert brier(y, s) == pytest.approx(brier_score_loss(y, s), abs=1e-12)


def test_evaluate_reports_the_same_figures() -> None:
    y, s = _sample(99, rows=2_000)
    performance = evaluate(y, s)
    assert performance.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert performance.gini == pytest.approx(2.0 * roc_auc_score(y, s) - 1.0, abs=1e-12)
    assert performance.ks == pytest.approx(ks_2samp(s[y == 1], s[y == 0]).statistic, abs=1e-12)
    assert performance.brier == pytest.approx(brier_score_loss(y, s), abs=1e-12)


def _logistic_data(seed: int, rows: int = 3_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4))
    eta = -2.0 + x @ np.array([0.8, -0.5, 0.3, 0.0])
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
    return x, y


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("l2", [0.0, 1e-3, 0.05])
def test_irls_finds_sklearns_logistic_regression(seed: int, l2: float) -> None:
    x, y = _logistic_data(seed)
    intercept, coefficients = fit_logistic(x, y, l2)
    # fit_logistic minimises mean log-loss + l2/2 |b|^2; sklearn C * sum log-loss + 1/2 |b|^2,
    # neither penalising the intercept: the same optimum at C = 1 / (n * l2).
    strength = np.inf if l2 == 0 else 1.0 / (y.size * l2)
    reference = LogisticRegression(C=strength, tol=1e-12, max_iter=10_000).fit(x, y)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-6)
    np.testing.assert_allclose(coefficients, reference.coef_[0], atol=1e-6)
