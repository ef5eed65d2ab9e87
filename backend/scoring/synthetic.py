"""Seeded synthetic credit records with a known risk structure, for tests and benchmarks.

The characteristics imitate the credit record the indexer builds (tenure, payment delays,
buyer concentration, share of sales to core enterprises...). Each has a known monotone effect
on the log-odds of default, so a test can check that the scorecard recovers the direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backend.scoring.binning import Monotonic
from backend.scoring.scorecard import FeatureSpec

INDUSTRY_RISK: dict[str, float] = {
    "batteries": -0.3,
    "machinery": -0.2,
    "electronics": 0.0,
    "chemicals": 0.2,
    "textiles": 0.5,
    "logistics": 0.4,
}
#: Direction of each numeric characteristic's effect on the bad rate (the truth used below).
SYNTHETIC_DIRECTIONS: dict[str, Monotonic] = {
    "tenure_months": "descending",
    "days_beyond_terms": "ascending",
    "buyer_hhi": "ascending",
    "core_share": "descending",
    "sales_growth": "descending",
    "dispute_rate": "ascending",
    "sales_volatility": "ascending",
    "financing_utilisation": "ascending",
}
MISSING_SHARE = 0.05
BASE_LOGIT = -3.1


@dataclass(frozen=True, eq=False)
class SyntheticCredit:
    X: dict[str, NDArray[np.generic]]
    y: NDArray[np.int8]
    features: tuple[FeatureSpec, ...]


def _numeric(rng: np.random.Generator, n: int) -> dict[str, NDArray[np.float64]]:
    return {
        "tenure_months": rng.gamma(2.0, 18.0, n),
        "days_beyond_terms": rng.exponential(8.0, n),
        "buyer_hhi": rng.beta(2.0, 3.0, n),
        "core_share": rng.beta(2.0, 2.0, n),
        "sales_growth": rng.normal(0.05, 0.2, n),
        "dispute_rate": rng.beta(1.0, 20.0, n),
        "sales_volatility": rng.gamma(2.0, 0.15, n),
        "financing_utilisation": rng.uniform(0.0, 1.0, n),
    }


def _logit(x: dict[str, NDArray[np.float64]], industry: NDArray[np.str_]) -> NDArray[np.float64]:
    risk = np.vectorize(INDUSTRY_RISK.__getitem__, otypes=[float])(industry)
    return (
        BASE_LOGIT
        - 0.6 * np.log1p(x["tenure_months"] / 12.0)
        + 0.05 * x["days_beyond_terms"]
        + 1.2 * x["buyer_hhi"]
        - 1.0 * x["core_share"]
        - 1.5 * x["sales_growth"]
        + 8.0 * x["dispute_rate"]
        + 1.0 * x["sales_volatility"]
        + 1.0 * x["financing_utilisation"]
        + risk
    )


def make_synthetic_credit(n: int, seed: int = 0) -> SyntheticCredit:
    """``n`` records; payment delays are missing for 5% of firms (no payment history yet),
    and those firms are riskier, as new firms are."""
    rng = np.random.default_rng(seed)
    x = _numeric(rng, n)
    industry = rng.choice(np.array(sorted(INDUSTRY_RISK)), size=n)
    logit = _logit(x, industry)
    no_history = rng.random(n) < MISSING_SHARE
    logit = logit + 0.8 * no_history
    x["days_beyond_terms"] = np.where(no_history, np.nan, x["days_beyond_terms"])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)
    features = tuple(
        FeatureSpec(name, "numeric", direction) for name, direction in SYNTHETIC_DIRECTIONS.items()
    ) + (FeatureSpec("industry", "categorical"),)
    columns: dict[str, NDArray[np.generic]] = {**x, "industry": industry}
    return SyntheticCredit(X=columns, y=y, features=features)
