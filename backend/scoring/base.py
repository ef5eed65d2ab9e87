"""Shared pieces of the scoring estimators: the not-fitted error and input coercion.

The estimators follow the scikit-learn contract without depending on scikit-learn, so the
error type is defined here with the same bases as ``sklearn.exceptions.NotFittedError``:
code that catches ``ValueError`` or ``AttributeError`` keeps working either way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class NotFittedError(ValueError, AttributeError):
    """Raised when a fitted attribute is used before ``fit`` (or ``from_dict``)."""


def check_is_fitted(estimator: object, attributes: Iterable[str]) -> None:
    """Raise :class:`NotFittedError` unless every named fitted attribute is set.

    Fitted attributes are created only by ``fit``; testing for them (instead of a flag) is the
    scikit-learn way and cannot drift out of sync with the real state.
    """
    missing = [name for name in attributes if not hasattr(estimator, name)]
    if missing:
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} instance is not fitted yet; call 'fit' first (missing {missing[0]})."
        )


def as_float_column(values: Any) -> FloatArray:
    """Coerce a numeric column to float64; ``None`` becomes NaN (the missing marker)."""
    column = np.asarray(values, dtype=np.float64)
    if column.ndim != 1:
        raise ValueError(f"expected a 1-D column, got shape {column.shape}")
    return column


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_category_column(values: Any) -> tuple[NDArray[np.str_], NDArray[np.bool_]]:
    """Coerce a categorical column to strings plus a missing mask.

    ``None`` and NaN are missing. Other values are compared by ``str(value)`` so that a model
    stored as JSON (where categories are strings) scores the same values as before.
    """
    raw = np.asarray(values, dtype=object)
    if raw.ndim != 1:
        raise ValueError(f"expected a 1-D column, got shape {raw.shape}")
    missing = np.fromiter((_is_missing(v) for v in raw), dtype=bool, count=raw.size)
    labels = np.array(["" if m else str(v) for v, m in zip(raw, missing, strict=True)], dtype=str)
    return labels, missing


def as_binary_target(y: Any) -> NDArray[np.int8]:
    """Validate the target: 1 = bad (default), 0 = good; both classes must be present."""
    target = np.asarray(y)
    if target.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {target.shape}")
    if not np.isin(target, (0, 1)).all():
        raise ValueError("y must contain only 0 (good) and 1 (bad)")
    if target.size == 0 or target.min() == target.max():
        raise ValueError("y must contain both goods (0) and bads (1)")
    return target.astype(np.int8)
