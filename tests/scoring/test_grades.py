"""Master scale: band edges are inclusive above, every PD in [0, 1] has one grade."""

from __future__ import annotations

import numpy as np
import pytest

from backend.scoring.grades import GRADES, MASTER_SCALE, grade_for_pd, grades_for_pd, pd_band


@pytest.mark.parametrize(("index", "band"), list(enumerate(MASTER_SCALE)))
def test_edges_belong_to_the_lower_grade(index: int, band: tuple[str, float]) -> None:
    grade, edge = band
    assert grade_for_pd(edge) == grade
    if index + 1 < len(MASTER_SCALE):
        assert grade_for_pd(float(np.nextafter(edge, 1.0))) == GRADES[index + 1]


def test_extremes_and_vectorised() -> None:
    assert grade_for_pd(0.0) == "AAA"
    assert grade_for_pd(1.0) == "D"
    assert grades_for_pd([0.0005, 0.03, 0.5]).tolist() == ["AAA", "B", "D"]


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_pd_outside_unit_interval_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        grade_for_pd(bad)


def test_bands_are_contiguous_and_increasing() -> None:
    previous = 0.0
    for grade in GRADES:
        lower, upper = pd_band(grade)
        assert lower == previous and upper > lower
        previous = upper
    assert previous == 1.0
