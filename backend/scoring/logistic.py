"""L2-penalised logistic regression by Newton's method (IRLS), in numpy.

A scorecard has a handful of WOE inputs, so a dense Newton solve is exact, fast and
deterministic; it also spares the service a scikit-learn dependency. The intercept is not
penalised (penalising it would bias the average PD).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from backend.scoring.base import FloatArray

MAX_ITER = 100
TOLERANCE = 1e-10
_MAX_HALVINGS = 30


def _objective(design: FloatArray, y: FloatArray, beta: FloatArray, penalty: FloatArray) -> float:
    """Mean negative log-likelihood plus ``penalty / 2 * beta**2``."""
    eta = design @ beta
    nll = np.logaddexp(0.0, eta) - y * eta
    return float(nll.mean() + 0.5 * (penalty * beta * beta).sum())


def _newton_step(
    design: FloatArray, y: FloatArray, beta: FloatArray, penalty: FloatArray
) -> FloatArray:
    mu = expit(design @ beta)
    gradient = design.T @ (mu - y) / y.size + penalty * beta
    hessian = (design.T * (mu * (1.0 - mu))) @ design / y.size + np.diag(penalty)
    step: FloatArray = np.linalg.solve(hessian, gradient)
    return step


def fit_logistic(
    x: FloatArray, y: FloatArray, l2: float, max_iter: int = MAX_ITER
) -> tuple[float, FloatArray]:
    """Return ``(intercept, coefficients)`` minimising the penalised mean log-loss.

    Step halving keeps every Newton step downhill, so the loop cannot oscillate.
    """
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    design = np.column_stack([np.ones(y.size), x])
    penalty = np.full(design.shape[1], float(l2))
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    rate = float(np.clip(y.mean(), 1e-12, 1 - 1e-12))
    beta[0] = np.log(rate / (1.0 - rate))
    current = _objective(design, y, beta, penalty)
    for _ in range(max_iter):
        step = _newton_step(design, y, beta, penalty)
        beta, current, moved = _line_search(design, y, beta, penalty, step, current)
        if not moved or np.max(np.abs(step)) < TOLERANCE:
            break
    return float(beta[0]), beta[1:].copy()


def _line_search(
    design: FloatArray,
    y: FloatArray,
    beta: FloatArray,
    penalty: FloatArray,
    step: FloatArray,
    current: float,
) -> tuple[FloatArray, float, bool]:
    """Halve the step until the objective does not increase; report whether beta moved."""
    scale = 1.0
    for _ in range(_MAX_HALVINGS):
        candidate = beta - scale * step
        value = _objective(design, y, candidate, penalty)
        if value <= current:
            return candidate, value, True
        scale *= 0.5
    return beta, current, False
