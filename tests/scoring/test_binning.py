"""Binning: monotone bad rates, WOE/IV arithmetic, missing and unseen values, round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring.base import NotFittedError
from backend.scoring.binning import (
    CategoricalBinning,
    MonotoneBinning,
    binning_from_dict,
    woe_and_iv,
)


def _noisy_trend(seed: int, n: int, slope: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(slope * x - 1.0)))).astype(int)
    return x, y


def _smoothed_odds(binning: MonotoneBinning) -> np.ndarray:
    good, bad = binning.good_counts_[:-1], binning.bad_counts_[:-1]
    return (bad + binning.smoothing) / (good + binning.smoothing)


@pytest.mark.parametrize("method", ["transform", "bin_index", "to_dict"])
def test_unfitted_binning_raises_not_fitted(method: str) -> None:
    with pytest.raises(NotFittedError):
        getattr(MonotoneBinning(), method)(*([[1.0]] if method != "to_dict" else []))
    with pytest.raises(NotFittedError):
        getattr(CategoricalBinning(), method)(*([["a"]] if method != "to_dict" else []))


def test_not_fitted_error_is_value_and_attribute_error() -> None:
    assert issubclass(NotFittedError, ValueError)
    assert issubclass(NotFittedError, AttributeError)


def test_init_only_stores_params() -> None:
    binning = MonotoneBinning(monotonic="bogus")  # type: ignore[arg-type]
    assert binning.monotonic == "bogus"
    assert not hasattr(binning, "woe_")
    with pytest.raises(ValueError, match="monotonic"):
        binning.fit([1.0, 2.0], [0, 1])


def test_fit_returns_self() -> None:
    x, y = _noisy_trend(0, 500, 1.0)
    binning = MonotoneBinning()
    assert binning.fit(x, y) is binning


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(50, 3000),
    slope=st.floats(-3.0, 3.0),
    declared=st.sampled_from(["ascending", "descending", "auto"]),
    n_prebins=st.integers(2, 30),
)
def test_woe_is_strictly_monotone_in_declared_direction(
    seed: int, n: int, slope: float, declared: str, n_prebins: int
) -> None:
    x, y = _noisy_trend(seed, n, slope)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    binning = MonotoneBinning(monotonic=declared, n_prebins=n_prebins).fit(x, y)  # type: ignore[arg-type]
    steps = np.diff(binning.woe_[:-1])
    odds_steps = np.diff(_smoothed_odds(binning))
    if declared != "auto":
        assert binning.direction_ in (declared, "none")
    if binning.direction_ == "ascending":
        assert (steps > 0).all() and (odds_steps > 0).all()
    elif binning.direction_ == "descending":
        assert (steps < 0).all() and (odds_steps < 0).all()
    else:
        assert binning.n_bins_ == 2  # one value bin plus the missing bin


def test_auto_finds_the_direction_of_a_clear_trend() -> None:
    x, y = _noisy_trend(3, 5000, 1.5)
    assert MonotoneBinning().fit(x, y).direction_ == "ascending"
    assert MonotoneBinning().fit(-x, y).direction_ == "descending"


def test_bins_respect_min_bin_size_and_max_n_bins() -> None:
    x, y = _noisy_trend(4, 4000, 2.0)
    binning = MonotoneBinning(min_bin_size=0.1, max_n_bins=4).fit(x, y)
    sizes = (binning.good_counts_ + binning.bad_counts_)[:-1]
    assert binning.n_bins_ - 1 <= 4
    assert (sizes >= 400).all()


def test_woe_and_iv_match_hand_computation() -> None:
    good = np.array([80, 20])
    bad = np.array([20, 30])
    woe, iv = woe_and_iv(good, bad, smoothing=0.0)
    # shares: bad 0.4 / 0.6, good 0.8 / 0.2
    assert woe[0] == pytest.approx(math.log(0.4 / 0.8))
    assert woe[1] == pytest.approx(math.log(0.6 / 0.2))
    assert iv.sum() == pytest.approx((0.4 - 0.8) * math.log(0.5) + (0.6 - 0.2) * math.log(3.0))


def test_split_points_and_bin_index() -> None:
    x = np.repeat([1.0, 2.0, 3.0, 4.0], 100)
    y = np.tile([0] * 90 + [1] * 10, 4)
    y[300:340] = 1  # value 4 is much riskier
    binning = MonotoneBinning("ascending", n_prebins=4, min_bin_size=0.0, smoothing=0.0).fit(x, y)
    assert binning.splits_.tolist() == [4.0]
    assert binning.bin_index([1.0, 3.999, 4.0, 100.0, np.nan]).tolist() == [0, 0, 1, 1, 2]
    assert binning.labels_ == ["[-inf, 4)", "[4, inf)", "missing"]


def test_missing_values_get_their_own_bin() -> None:
    x, y = _noisy_trend(5, 2000, 1.0)
    x[:200] = np.nan
    y[:200] = 1  # missing is very risky here
    binning = MonotoneBinning().fit(x, y)
    assert binning.good_counts_[-1] + binning.bad_counts_[-1] == 200
    assert binning.woe_[-1] == binning.woe_.max()
    assert binning.transform([None])[0] == binning.woe_[-1]


def test_unseen_missing_is_scored_like_the_riskiest_bin() -> None:
    x, y = _noisy_trend(6, 2000, 1.0)
    binning = MonotoneBinning().fit(x, y)
    assert binning.good_counts_[-1] + binning.bad_counts_[-1] == 0
    assert binning.transform([np.nan])[0] == binning.woe_[:-1].max()


def test_categorical_merges_small_categories_with_closest_neighbour() -> None:
    values = ["a"] * 500 + ["b"] * 400 + ["c"] * 10 + ["d"] * 90
    y = [0] * 450 + [1] * 50 + [0] * 200 + [1] * 200 + [0] * 5 + [1] * 5 + [0] * 85 + [1] * 5
    binning = CategoricalBinning(min_bin_size=0.05).fit(values, y)
    # bad rates: d 5.6%, a 10%, c 50%, b 50%: c is too small and joins b (same rate)
    assert binning.groups_ == [["d"], ["a"], ["b", "c"]]
    assert np.all(np.diff(binning.woe_[:-1]) > 0)


def test_categorical_unseen_and_missing_go_to_missing_bin() -> None:
    binning = CategoricalBinning(min_bin_size=0.0).fit(["a", "b"] * 50, [0, 1] * 49 + [1, 1])
    last = binning.n_bins_ - 1
    assert binning.bin_index(["a", "zzz", None, float("nan")]).tolist()[1:] == [last] * 3


@pytest.mark.parametrize("kind", ["numeric", "categorical"])
def test_binning_round_trips_through_json(kind: str) -> None:
    x, y = _noisy_trend(7, 3000, 1.0)
    values: list[object] = list(x) if kind == "numeric" else [str(int(v * 2)) for v in x]
    values[:30] = [None] * 30
    binning = (MonotoneBinning() if kind == "numeric" else CategoricalBinning()).fit(values, y)
    restored = binning_from_dict(json.loads(json.dumps(binning.to_dict())))
    assert restored.to_dict() == binning.to_dict()
    assert np.array_equal(restored.transform(values), binning.transform(values))


def test_monotone_after_smoothing_when_bin_sizes_differ() -> None:
    """Raw bad rates 0% < 0.1% < 50% look monotone, but smoothing gives the tiny all-good bin
    a higher WOE than the big 0.1% bin; the binner must compare smoothed odds and merge them."""
    x = np.array([1.0] * 10 + [2.0] * 1001 + [3.0] * 100)
    y = np.array([0] * 10 + [1] + [0] * 1000 + [1] * 50 + [0] * 50)
    binning = MonotoneBinning("ascending", min_bin_size=0.0).fit(x, y)
    assert binning.splits_.tolist() == [3.0]
    assert np.all(np.diff(binning.woe_[:-1]) > 0)
