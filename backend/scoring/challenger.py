"""A challenger to the scorecard: gradient-boosted trees on the same characteristics.

The challenger is trained and validated beside the scorecard and reported in the model card,
never served: the scorecard is what the API loads, because each of its decisions is explained by
points a reviewer can read (reason codes, points monotone in each characteristic). The
challenger measures what that explainability costs in discrimination.

It sees the same feature matrix (columns in ``FEATURE_NAMES`` order, NaN for a missing figure,
which the trees route on their own like the scorecard's missing bin) and is held to the same
monotone directions where the scorecard declares them. A characteristic with no figure in any
training row is left out (it carries nothing, and the trees' binning cannot bin an empty column).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingClassifier

from backend.scoring.base import as_binary_target
from backend.scoring.features import FEATURE_SPECS
from backend.scoring.scorecard import FeatureSpec

#: Modest settings for a few thousand rows: slow learning, small leaves, some L2 shrinkage.
#: Early stopping stays off so the number of trees, hence the model, depends on the data alone.
CHALLENGER_PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "max_iter": 200,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
#: "ascending" means the bad rate rises with the value, so P(default) may only rise with it.
_CONSTRAINT = {"ascending": 1, "descending": -1, "auto": 0}


@dataclass(frozen=True, eq=False)
class Challenger:
    """The fitted trees and the characteristics they read, in column order."""

    model: HistGradientBoostingClassifier
    features: tuple[FeatureSpec, ...]
    dropped: tuple[str, ...]


def monotonic_constraints(specs: Sequence[FeatureSpec] = FEATURE_SPECS) -> list[int]:
    """The trees' constraint on P(default) per column: +1 rising, -1 falling, 0 free."""
    return [_CONSTRAINT[spec.monotonic] for spec in specs]


def design_matrix(
    X: Mapping[str, NDArray[np.float64]], specs: Sequence[FeatureSpec] = FEATURE_SPECS
) -> NDArray[np.float64]:
    """Rows × characteristics, in the specs' order (the order the constraints are given in)."""
    return np.column_stack([np.asarray(X[spec.name], dtype=np.float64) for spec in specs])


def fit_challenger(
    X: Mapping[str, NDArray[np.float64]],
    y: Any,
    seed: int,
    specs: Sequence[FeatureSpec] = FEATURE_SPECS,
) -> Challenger:
    """Fit the gradient-boosted challenger; the same data and seed give the same model."""
    kept = tuple(s for s in specs if not np.isnan(np.asarray(X[s.name], dtype=np.float64)).all())
    model = HistGradientBoostingClassifier(
        **CHALLENGER_PARAMS,
        monotonic_cst=monotonic_constraints(kept),
        random_state=seed,
    )
    model.fit(design_matrix(X, kept), as_binary_target(y))
    dropped = tuple(s.name for s in specs if s not in kept)
    return Challenger(model=model, features=kept, dropped=dropped)


def challenger_pd(
    challenger: Challenger, X: Mapping[str, NDArray[np.float64]]
) -> NDArray[np.float64]:
    """The challenger's probability of default (class 1) for each row."""
    matrix = design_matrix(X, challenger.features)
    pd: NDArray[np.float64] = challenger.model.predict_proba(matrix)[:, 1]
    return pd
