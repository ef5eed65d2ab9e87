"""Validation metrics for a PD model: discrimination, calibration and stability.

These feed the model card (AUC, Gini, KS, Brier, calibration by grade) and monitoring (PSI).
Conventions: ``y_true`` is 1 for bad and 0 for good; ``y_score`` is higher for riskier rows
(pass a PD, or the negated score points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import beta, binom, rankdata

from backend.scoring.base import FloatArray, as_binary_target
from backend.scoring.grades import GRADES, grades_for_pd

#: Share floor for an empty PSI bin: ln(0) would make PSI infinite for one unlucky bin.
PSI_EPSILON = 1e-4
DEFAULT_PSI_BINS = 10


def _paired(y_true: Any, y_score: Any) -> tuple[FloatArray, FloatArray]:
    target = as_binary_target(y_true).astype(np.float64)
    score = np.asarray(y_score, dtype=np.float64)
    if score.shape != target.shape:
        raise ValueError(f"y_score has shape {score.shape}, y_true has {target.shape}")
    if np.isnan(score).any():
        raise ValueError("y_score contains NaN")
    return target, score


def auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve via the Mann-Whitney U statistic.

    Tied scores get their average rank, so a tie between a bad and a good counts one half
    (the probability that a random bad outranks a random good, ties split evenly).
    """
    target, score = _paired(y_true, y_score)
    ranks = rankdata(score, method="average")
    n_bad = target.sum()
    n_good = target.size - n_bad
    u = ranks[target == 1].sum() - n_bad * (n_bad + 1) / 2.0
    return float(u / (n_bad * n_good))


def expected_auc(true_pd: Any, y_score: Any) -> float:
    """The AUC ``y_score`` is expected to reach when outcomes are drawn from ``true_pd``.

    Over every ordered pair of distinct firms (i, j), i defaulting and j not happens with
    probability ``p_i (1 - p_j)``; the expected AUC is the share of that weight on pairs the
    score orders right (ties count one half). It has no sampling noise from the outcomes, so a
    small world measures ranking as well as a large one; ``expected_auc(p, p)`` is the oracle's.
    """
    p = np.asarray(true_pd, dtype=np.float64)
    score = np.asarray(y_score, dtype=np.float64)
    if p.shape != score.shape or p.ndim != 1 or p.size < 2:
        raise ValueError("true_pd and y_score must be 1-D of the same length (at least 2)")
    if np.isnan(score).any() or np.isnan(p).any():
        raise ValueError("true_pd and y_score must be free of NaN")
    order = np.argsort(score, kind="stable")
    s, pd = score[order], p[order]
    good = 1.0 - pd
    starts = np.flatnonzero(np.append(True, s[1:] != s[:-1]))
    group = np.cumsum(np.isin(np.arange(s.size), starts)) - 1
    group_good = np.bincount(group, weights=good)
    below = np.append(0.0, np.cumsum(group_good))[:-1][group]
    tied = group_good[group] - good  # the others in the same tie group
    numerator = float(np.sum(pd * (below + 0.5 * tied)))
    denominator = float(np.sum(pd * (good.sum() - good)))
    return numerator / denominator


def gini(y_true: Any, y_score: Any) -> float:
    """Gini coefficient (accuracy ratio) ``2 * AUC - 1``."""
    return 2.0 * auc(y_true, y_score) - 1.0


def ks(y_true: Any, y_score: Any) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the bads' and goods' cumulative
    score distributions, evaluated only between distinct scores (ties move together)."""
    target, score = _paired(y_true, y_score)
    order = np.argsort(score, kind="stable")
    sorted_score, sorted_target = score[order], target[order]
    cum_bad = np.cumsum(sorted_target) / sorted_target.sum()
    cum_good = np.cumsum(1.0 - sorted_target) / (sorted_target.size - sorted_target.sum())
    last_of_tie = np.append(sorted_score[1:] != sorted_score[:-1], True)
    return float(np.max(np.abs(cum_bad - cum_good)[last_of_tie]))


def brier(y_true: Any, pd: Any) -> float:
    """Brier score: mean squared error of the PD against the 0/1 outcome."""
    target, prob = _paired(y_true, pd)
    if (prob < 0).any() or (prob > 1).any():
        raise ValueError("PD must be in [0, 1]")
    return float(np.mean((prob - target) ** 2))


def psi_from_shares(expected: Any, actual: Any) -> float:
    """Population stability index ``sum((a - e) * ln(a / e))`` over bins given as shares."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), PSI_EPSILON)
    a = np.maximum(np.asarray(actual, dtype=np.float64), PSI_EPSILON)
    if e.shape != a.shape:
        raise ValueError("expected and actual must have the same number of bins")
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected: Any, actual: Any, n_bins: int = DEFAULT_PSI_BINS) -> float:
    """PSI of ``actual`` against ``expected`` on the expected sample's quantile bins."""
    base = np.asarray(expected, dtype=np.float64)
    new = np.asarray(actual, dtype=np.float64)
    if base.size == 0 or new.size == 0 or np.isnan(base).any() or np.isnan(new).any():
        raise ValueError("expected and actual must be non-empty and free of NaN")
    edges = np.unique(np.quantile(base, np.linspace(0, 1, n_bins + 1)[1:-1]))
    base_share = np.bincount(np.searchsorted(edges, base, side="right"), minlength=edges.size + 1)
    new_share = np.bincount(np.searchsorted(edges, new, side="right"), minlength=edges.size + 1)
    return psi_from_shares(base_share / base.size, new_share / new.size)


def clopper_pearson(defaults: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial confidence interval for a default rate of ``defaults`` out of ``n``."""
    if n <= 0 or not 0 <= defaults <= n:
        raise ValueError(f"need 0 <= defaults <= n and n > 0, got {defaults} of {n}")
    alpha = 1.0 - confidence
    lower = 0.0 if defaults == 0 else float(beta.ppf(alpha / 2, defaults, n - defaults + 1))
    upper = 1.0 if defaults == n else float(beta.ppf(1 - alpha / 2, defaults + 1, n - defaults))
    return lower, upper


@dataclass(frozen=True)
class GradeCalibration:
    """Observed against predicted default rate in one grade.

    ``within_band`` is true when the grade's mean PD lies inside the exact 95% confidence
    interval of its observed default rate, i.e. the data cannot reject the PDs of that grade.
    ``observed_in_band``: the observed rate lies inside the 95% binomial band the grade's PDs
    predict (``expected_lower``, ``expected_upper``: the 2.5% and 97.5% quantiles of
    Binomial(n, mean PD) over n), the traffic-light test a supervisor applies.
    """

    grade: str
    n: int
    defaults: int
    observed_rate: float
    mean_pd: float
    lower: float
    upper: float
    within_band: bool
    expected_lower: float = 0.0
    expected_upper: float = 1.0
    observed_in_band: bool = True


def calibration_by_grade(
    y_true: Any, pd: Any, confidence: float = 0.95
) -> tuple[GradeCalibration, ...]:
    """Calibration table over the master-scale grades present in the sample, best first."""
    target, prob = _paired(y_true, pd)
    grades = grades_for_pd(prob)
    rows = []
    for grade in GRADES:
        mask = grades == grade
        if mask.any():
            rows.append(_grade_row(grade, target[mask], prob[mask], confidence))
    return tuple(rows)


def _grade_row(
    grade: str, target: FloatArray, prob: FloatArray, confidence: float
) -> GradeCalibration:
    n, defaults = int(target.size), int(target.sum())
    lower, upper = clopper_pearson(defaults, n, confidence)
    mean_pd = float(prob.mean())
    low, high = binomial_band(n, mean_pd, confidence)
    return GradeCalibration(
        grade=grade,
        n=n,
        defaults=defaults,
        observed_rate=defaults / n,
        mean_pd=mean_pd,
        lower=lower,
        upper=upper,
        within_band=lower <= mean_pd <= upper,
        expected_lower=low,
        expected_upper=high,
        observed_in_band=low <= defaults / n <= high,
    )


def binomial_band(n: int, pd: float, confidence: float = 0.95) -> tuple[float, float]:
    """The central ``confidence`` band of the default rate of ``n`` firms of PD ``pd``."""
    alpha = 1.0 - confidence
    low = float(binom.ppf(alpha / 2, n, pd)) / n
    high = float(binom.ppf(1 - alpha / 2, n, pd)) / n
    return low, high


@dataclass(frozen=True)
class ModelPerformance:
    """The discrimination and calibration figures a model card reports."""

    n: int
    bad_rate: float
    auc: float
    gini: float
    ks: float
    brier: float
    calibration: Sequence[GradeCalibration]


def evaluate(y_true: Any, pd: Any) -> ModelPerformance:
    """All model-card metrics for PDs against outcomes."""
    target, prob = _paired(y_true, pd)
    area = auc(target, prob)
    return ModelPerformance(
        n=int(target.size),
        bad_rate=float(target.mean()),
        auc=area,
        gini=2.0 * area - 1.0,
        ks=ks(target, prob),
        brier=brier(target, prob),
        calibration=calibration_by_grade(target, prob),
    )
