"""Calibrating a scorecard's PDs: to a stated central tendency, from the ledger's evidence, or
from realised defaults.

The regression's log-odds carry the default rate of the worlds it was trained on, which is no
portfolio's. Three ways to set the level, in the order a bank meets them:

1. **Central tendency** (no outcomes): the mean PD over the scored population is set to a stated
   long-run default rate of the portfolio, :data:`DEFAULT_CENTRAL_TENDENCY` (6%, a policy
   parameter; SME suppliers' through-the-cycle rates are commonly 5-7%). Only the intercept moves
   (slope 1), so the ranking is untouched (a Basel-style calibration to the central tendency).
2. **Ledger-informed level** (no outcomes): the ledger already shows how its population pays
   (days beyond terms, disputes) as of T, and the regression's raw mean PD of a population moves
   with it. Across the training worlds the world's default rate is regressed on that raw mean, in
   log-odds: ``level = expit(logit(central tendency) + beta * (logit(raw mean PD) - reference))``
   with ``reference`` the training worlds' average raw log-odds and ``beta`` fitted there (clipped
   to [0, 1.5]). A population that pays like the training average gets the central tendency;
   one that pays worse gets more. ``beta = 0`` is plain central tendency.
3. **Outcomes**: with at least :data:`MIN_DEFAULTS` realised defaults among the scored firms, the
   intercept and slope are refitted by logistic regression of the outcomes on the raw log-odds
   (Platt scaling): the mean PD then equals the realised rate on that sample.

Every method sets the level of the PDs *as served*: a thin file's margin
(:attr:`Scorecard.thin_file_margin`, passed as ``offset``) is part of the log-odds whose mean is
matched, so the margin makes thin files dearer than thick ones without lifting the portfolio's
level above the target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit, logit

from backend.scoring.base import FloatArray
from backend.scoring.scorecard import Calibration, Scorecard

DEFAULT_CENTRAL_TENDENCY = 0.06
MIN_DEFAULTS = 50
BETA_RANGE = (0.0, 1.5)
SLOPE_RANGE = (0.2, 5.0)
LEVEL_KEY = "level"

METHOD_CENTRAL = "central_tendency"
METHOD_LEDGER = "ledger_level"
METHOD_OUTCOMES = "outcomes"


def mean_pd(
    raw: FloatArray, intercept: float = 0.0, slope: float = 1.0, offset: Any = 0.0
) -> float:
    return float(expit(intercept + slope * raw + offset).mean())


def intercept_for(raw: FloatArray, target: float, offset: Any = 0.0) -> float:
    """The intercept ``a`` with ``mean(expit(a + raw + offset)) = target`` (bisection)."""
    if not 0.0 < target < 1.0:
        raise ValueError(f"target default rate must be in (0, 1), got {target}")
    if raw.size == 0:
        raise ValueError("no population to calibrate on")
    low, high = -30.0, 30.0
    for _ in range(100):
        middle = (low + high) / 2
        if mean_pd(raw, middle, 1.0, offset) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class LevelModel:
    """``level = expit(logit(central_tendency) + beta * (logit(raw mean PD) - reference))``."""

    beta: float
    reference: float
    worlds: int

    def level(self, raw: FloatArray, central_tendency: float) -> float:
        shift = float(logit(mean_pd(raw))) - self.reference
        return float(expit(float(logit(central_tendency)) + self.beta * shift))

    def to_dict(self) -> dict[str, Any]:
        return {"beta": self.beta, "reference": self.reference, "worlds": self.worlds}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LevelModel:
        return cls(float(data["beta"]), float(data["reference"]), int(data["worlds"]))


def fit_level_model(raws: Sequence[FloatArray], rates: Sequence[float]) -> LevelModel:
    """Least squares of the worlds' log-odds default rates on their raw mean log-odds."""
    x = np.array([float(logit(mean_pd(raw))) for raw in raws])
    y = np.array([float(logit(min(max(rate, 1e-4), 1 - 1e-4))) for rate in rates])
    reference = float(x.mean())
    spread = float(((x - reference) ** 2).sum())
    beta = 0.0 if spread == 0 else float(((x - reference) * (y - y.mean())).sum() / spread)
    return LevelModel(float(np.clip(beta, *BETA_RANGE)), reference, len(raws))


def level_model_of(model: Scorecard) -> LevelModel | None:
    data = model.extra_.get(LEVEL_KEY)
    return None if data is None else LevelModel.from_dict(data)


def margins(model: Scorecard, thin: Any, n_rows: int) -> FloatArray:
    """Each row's thin-file margin in log-odds (0 for a thick file, or when ``thin`` is None)."""
    if thin is None:
        return np.zeros(n_rows)
    result: FloatArray = np.where(np.asarray(thin, dtype=bool), model.thin_file_margin, 0.0)
    return result


def to_central_tendency(
    raw: FloatArray, target: float = DEFAULT_CENTRAL_TENDENCY, offset: Any = 0.0
) -> Calibration:
    return Calibration(
        intercept_for(raw, target, offset), 1.0, METHOD_CENTRAL, target, population=int(raw.size)
    )


def to_ledger_level(
    model: Scorecard,
    raw: FloatArray,
    central_tendency: float = DEFAULT_CENTRAL_TENDENCY,
    offset: Any = 0.0,
) -> Calibration:
    """The level the ledger's own population suggests (central tendency without a level model)."""
    levels = level_model_of(model)
    if levels is None:
        return to_central_tendency(raw, central_tendency, offset)
    target = levels.level(raw, central_tendency)
    return Calibration(
        intercept_for(raw, target, offset), 1.0, METHOD_LEDGER, target, population=int(raw.size)
    )


def _platt(raw: FloatArray, offset: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Maximum-likelihood ``(a, b)`` of ``y ~ expit(a + b * raw + offset)`` (Newton, halving)."""
    design = np.column_stack([np.ones(raw.size), raw])

    def loss(beta: FloatArray) -> float:
        eta = design @ beta + offset
        return float((np.logaddexp(0.0, eta) - y * eta).mean())

    beta = np.array([0.0, 1.0])
    current = loss(beta)
    for _ in range(100):
        mu = expit(design @ beta + offset)
        gradient = design.T @ (mu - y) / y.size
        hessian = (design.T * (mu * (1.0 - mu))) @ design / y.size + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-6 and loss(beta - scale * step) > current:
            scale /= 2
        beta = beta - scale * step
        current = loss(beta)
        if float(np.abs(scale * step).max()) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def from_outcomes(raw: FloatArray, defaulted: Any, offset: Any = 0.0) -> Calibration:
    """Intercept and slope refitted on realised outcomes (1: defaulted in the year after)."""
    y = np.asarray(defaulted, dtype=np.float64)
    if y.shape != raw.shape:
        raise ValueError("one outcome per scored firm")
    defaults = int(y.sum())
    if defaults < MIN_DEFAULTS:
        raise ValueError(f"{defaults} defaults: at least {MIN_DEFAULTS} are needed to refit")
    shift = np.broadcast_to(np.asarray(offset, dtype=np.float64), raw.shape)
    intercept, slope = _platt(raw, shift, y)
    if not SLOPE_RANGE[0] <= slope <= SLOPE_RANGE[1]:  # a degenerate fit: keep the ranking's slope
        slope = float(np.clip(slope, *SLOPE_RANGE))
        intercept = intercept_for(slope * raw, float(y.mean()), shift)
    return Calibration(
        float(intercept),
        slope,
        METHOD_OUTCOMES,
        float(y.mean()),
        population=int(y.size),
        outcomes=int(y.size),
        defaults=defaults,
    )


def calibrated_logit(raw: FloatArray, calibration: Calibration) -> FloatArray:
    result: FloatArray = calibration.intercept + calibration.slope * raw
    return result


def served_pd(
    model: Scorecard, raw: FloatArray, calibration: Calibration, thin: Any = None
) -> FloatArray:
    """The PDs the model would serve under ``calibration`` (thin-file margin and floor too)."""
    log_odds = calibrated_logit(raw, calibration) + margins(model, thin, raw.size)
    pd: FloatArray = np.maximum(expit(log_odds), model.pd_floor)
    return pd


def describe(calibration: Calibration) -> str:
    """One sentence for a command's output and the decision's explanation."""
    a, b = calibration.intercept, calibration.slope
    target = "-" if calibration.target is None else f"{calibration.target:.2%}"
    if calibration.method == METHOD_OUTCOMES:
        return (
            f"refitted on {calibration.outcomes} realised outcomes ({calibration.defaults} "
            f"defaults, rate {target}): log-odds = {a:+.3f} + {b:.3f} x raw"
        )
    if calibration.method in (METHOD_CENTRAL, METHOD_LEDGER):
        how = (
            "central tendency" if calibration.method == METHOD_CENTRAL else "ledger-informed level"
        )
        return (
            f"{how} {target} over {calibration.population} firms: log-odds = {a:+.3f} + raw "
            "(slope 1)"
        )
    return "not calibrated: the regression's own log-odds"


def logit_of(rate: float) -> float:
    return math.log(rate / (1.0 - rate))
