"""Master scale: the grade of a probability of default (PD).

One scale for every model, so that a grade means the same PD band whichever scorecard produced
it; banks price and set advance rates by grade. Bands are half-open ``(previous edge, edge]``.
The edges are roughly those of an agency-style rating scale, coarsened to ten grades.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: (grade, upper PD edge of the band, inclusive), best grade first; the last edge is 1.0.
MASTER_SCALE: tuple[tuple[str, float], ...] = (
    ("AAA", 0.0010),
    ("AA", 0.0025),
    ("A", 0.0050),
    ("BBB", 0.0100),
    ("BB", 0.0200),
    ("B", 0.0500),
    ("CCC", 0.1000),
    ("CC", 0.2000),
    ("C", 0.3500),
    ("D", 1.0000),
)
GRADES: tuple[str, ...] = tuple(grade for grade, _ in MASTER_SCALE)
#: Grades whose obligors count as investment grade (used by the thin-file policy).
INVESTMENT_GRADES: frozenset[str] = frozenset(GRADES[:4])

_EDGES = np.array([edge for _, edge in MASTER_SCALE], dtype=np.float64)
_GRADE_ARRAY = np.array(GRADES)


def grades_for_pd(pd: Any) -> NDArray[np.str_]:
    """Grade of each PD in an array (vectorised); PDs must lie in [0, 1]."""
    values = np.asarray(pd, dtype=np.float64)
    if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
        raise ValueError("PD must be in [0, 1]")
    result: NDArray[np.str_] = _GRADE_ARRAY[np.searchsorted(_EDGES, values, side="left")]
    return result


def grade_for_pd(pd: float) -> str:
    """Grade of one PD: the first band whose upper edge is at least ``pd``."""
    return str(grades_for_pd(np.array([pd]))[0])


def pd_band(grade: str) -> tuple[float, float]:
    """The ``(lower, upper]`` PD band of a grade."""
    if grade not in GRADES:
        raise ValueError(f"unknown grade {grade!r}; expected one of {GRADES}")
    index = GRADES.index(grade)
    lower = 0.0 if index == 0 else MASTER_SCALE[index - 1][1]
    return lower, MASTER_SCALE[index][1]
