"""Points-based credit scorecard: binned characteristics, WOE, logistic regression, scaling.

Why a scorecard and not a black box: a bank must be able to read the model (a table of points
per bin), explain each decision (reason codes) and reproduce it later (a serialised model whose
version is the hash of its content). The pipeline:

1. each characteristic is binned (:mod:`backend.scoring.binning`) and replaced by its bin's WOE;
2. characteristics with an information value below ``min_iv`` are dropped;
3. a logistic regression of the bad flag on the WOE values is fitted (L2-penalised Newton).
   A WOE coefficient must be positive (WOE is risk-oriented), otherwise the points would run
   against the bin order the data showed and a declared-monotone characteristic would stop
   being monotone; the feature with the most negative coefficient is dropped and the model
   refitted until all coefficients are positive. With ``free_auto_signs`` a numeric
   characteristic declared "auto" claims no direction, so it keeps the sign the data gives it
   (its points stay monotone over its bins);
4. scaling: ``score = offset + factor * ln(good:bad odds)`` with ``factor = pdo / ln 2`` and
   ``offset = points0 - factor * ln(odds0)``; so ``points0`` points means odds of ``odds0`` and
   every ``pdo`` more points doubles the odds. The score is ``base_points_`` plus, for every
   characteristic, the points of the row's bin: ``-factor * coefficient * WOE(bin)``.

The PD is ``1 / (1 + odds)`` read back from the score, floored at ``pd_floor`` (0.05%, the Basel
III corporate PD floor): no obligor is riskless. The score itself is not floored (it only ranks).

Calibration (format 2). The regression's own log-odds reflect the default rate of the data it was
fitted on, not the portfolio's. A fitted :class:`Calibration` maps them to calibrated log-odds,
``intercept + slope * raw``; the points and base points are those of the calibrated log-odds
(every point scaled by ``slope``), so score, PD, grade and reason codes stay one consistent
scorecard. :mod:`backend.scoring.calibration` sets it: to a stated central tendency, or refitted
on realised defaults. A thin file (``thin=True`` when scoring) gets a stated conservative margin,
``thin_file_margin`` more log-odds of default (its PD's odds times ``exp(margin)``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from backend.scoring.base import (
    FloatArray,
    IntArray,
    NotFittedError,
    as_binary_target,
    check_is_fitted,
)
from backend.scoring.binning import (
    Binning,
    CategoricalBinning,
    MonotoneBinning,
    Monotonic,
    binning_from_dict,
)
from backend.scoring.grades import GRADES, MASTER_SCALE, grade_for_pd, grades_for_pd
from backend.scoring.logistic import fit_logistic

PD_FLOOR = 0.0005
N_REASONS = 3
FORMAT = "scf-scorecard/2"
#: Log-odds added to a thin file's PD: its odds of default times 1.25.
THIN_FILE_MARGIN = math.log(1.25)
DEFAULT_POINTS0 = 600.0
DEFAULT_ODDS0 = 50.0
DEFAULT_PDO = 20.0
DROP_LOW_IV = "iv_below_min"
DROP_WRONG_SIGN = "wrong_sign"
_FITTED = ("features_", "points_", "base_points_", "model_version_")

FeatureKind = Literal["numeric", "categorical"]

__all__ = [
    "Calibration",
    "FeatureSpec",
    "GRADES",
    "MASTER_SCALE",
    "NotFittedError",
    "PD_FLOOR",
    "ReasonCode",
    "RecordAssessment",
    "ScoreResult",
    "ScoreScaling",
    "Scorecard",
    "grade_for_pd",
    "grades_for_pd",
]


@dataclass(frozen=True)
class FeatureSpec:
    """One characteristic: its column name, its kind, and (numeric only) its monotone direction.

    ``monotonic="ascending"`` declares that the bad rate rises with the value (so points fall),
    "descending" the reverse, "auto" lets the data choose.
    """

    name: str
    kind: FeatureKind = "numeric"
    monotonic: Monotonic = "auto"
    #: Price a missing value at the population's average points instead of from the data: for a
    #: characteristic most firms cannot have (no devices), so that not having it is not penalised.
    neutral_missing: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind, "monotonic": self.monotonic}
        if self.neutral_missing:  # absent otherwise: earlier models keep their content hash
            data["neutral_missing"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        return cls(
            name=data["name"],
            kind=data["kind"],
            monotonic=data["monotonic"],
            neutral_missing=bool(data.get("neutral_missing", False)),
        )


@dataclass(frozen=True)
class ScoreScaling:
    """Points-to-double-odds scaling: ``points0`` points at good:bad odds ``odds0``."""

    points0: float = DEFAULT_POINTS0
    odds0: float = DEFAULT_ODDS0
    pdo: float = DEFAULT_PDO

    def __post_init__(self) -> None:
        if self.odds0 <= 0 or self.pdo <= 0:
            raise ValueError("odds0 and pdo must be positive")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        return self.points0 - self.factor * math.log(self.odds0)

    def pd_from_score(self, score: FloatArray) -> FloatArray:
        """Unfloored PD: ``1 / (1 + odds)`` with ``ln(odds) = (score - offset) / factor``."""
        pd: FloatArray = expit((self.offset - score) / self.factor)
        return pd


@dataclass(frozen=True)
class Calibration:
    """Calibrated log-odds of default = ``intercept + slope * raw`` log-odds of the regression.

    ``method``: "none" (identity), "central_tendency" (intercept set so that the mean PD of a
    population equals ``target``), or "outcomes" (intercept and slope fitted on ``outcomes``
    realised outcomes with ``defaults`` defaults). ``population`` is the number of firms the
    level was set on.
    """

    intercept: float = 0.0
    slope: float = 1.0
    method: str = "none"
    target: float | None = None
    population: int = 0
    outcomes: int = 0
    defaults: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(**data)


IDENTITY = Calibration()


@dataclass(frozen=True)
class ReasonCode:
    """A characteristic that cost points: its bin and the points lost against its best bin."""

    feature: str
    bin: str
    points_lost: float


@dataclass(frozen=True)
class RecordAssessment:
    """The scorecard's view of one record, as a decision stores it."""

    model_version: str
    pd: float
    score: float
    grade: str
    reasons: tuple[ReasonCode, ...]


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Vectorised output for many rows; reason codes stay as index arrays until asked for.

    ``reason_features[i, r]`` is the index in ``features`` of row i's r-th reason (-1: none,
    when fewer than three characteristics lost points); ``reason_bins`` is the bin index.
    """

    model_version: str
    features: tuple[str, ...]
    bin_labels: tuple[tuple[str, ...], ...]
    pd: FloatArray
    score: FloatArray
    grade: NDArray[np.str_]
    reason_features: IntArray
    reason_bins: IntArray
    reason_points_lost: FloatArray = field(repr=False)

    def __len__(self) -> int:
        return int(self.pd.size)

    def reasons(self, row: int) -> tuple[ReasonCode, ...]:
        """Reason codes of one row, largest loss first."""
        codes = []
        for rank in range(self.reason_features.shape[1]):
            feature = int(self.reason_features[row, rank])
            if feature < 0:
                break
            label = self.bin_labels[feature][int(self.reason_bins[row, rank])]
            lost = float(self.reason_points_lost[row, rank])
            codes.append(ReasonCode(self.features[feature], label, lost))
        return tuple(codes)

    def record(self, row: int) -> RecordAssessment:
        return RecordAssessment(
            model_version=self.model_version,
            pd=float(self.pd[row]),
            score=float(self.score[row]),
            grade=str(self.grade[row]),
            reasons=self.reasons(row),
        )


def _canonical_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _fit_sign_constrained(
    woe: Mapping[str, FloatArray],
    y: FloatArray,
    names: Sequence[str],
    l2: float,
    free: frozenset[str] = frozenset(),
) -> tuple[float, FloatArray, list[str], list[str]]:
    """Fit, dropping the most negative WOE coefficient and refitting until all are positive.

    Characteristics in ``free`` (numeric ones declared "auto": no direction is claimed for them)
    keep whatever sign the data gives them: their points stay monotone over their bins either way,
    only the order may run against their own bad rates once the others are accounted for. They
    are dropped only for a coefficient of exactly zero.
    """
    kept, dropped = list(names), list[str]()
    while True:
        if not kept:
            return 0.0, np.zeros(0), kept, dropped
        intercept, coef = fit_logistic(np.column_stack([woe[name] for name in kept]), y, l2)
        constrained = np.array([name not in free for name in kept])
        signed = np.where(constrained, coef, np.abs(coef))
        if signed.min() > 0.0:
            return intercept, coef, kept, dropped
        dropped.append(kept.pop(int(np.argmin(signed))))


def _uninformative(binning: Binning, min_iv: float) -> bool:
    """IV below ``min_iv``, or exactly 0 (a single bin: a constant WOE adds nothing)."""
    return binning.iv_ < min_iv or binning.iv_ == 0.0


def _top_losses(lost: FloatArray) -> tuple[IntArray, FloatArray]:
    """Per row, the columns of the (up to) three largest positive losses, largest first.

    A stable sort breaks ties by feature order, so reason codes are deterministic.
    """
    k = min(N_REASONS, lost.shape[1])
    order = np.argsort(-lost, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(lost, order, axis=1)
    order = np.where(top > 0.0, order, -1)
    pad = N_REASONS - k
    if pad:
        order = np.pad(order, ((0, 0), (0, pad)), constant_values=-1)
        top = np.pad(top, ((0, 0), (0, pad)), constant_values=0.0)
    return order, np.where(order >= 0, top, 0.0)


def _reason_bins(bins: IntArray, reason_features: IntArray) -> IntArray:
    """Bin index of each reason code (-1 where there is no reason)."""
    picked = np.take_along_axis(bins, np.maximum(reason_features, 0), axis=1)
    result: IntArray = np.where(reason_features >= 0, picked, -1)
    return result


class Scorecard:
    """Scorecard estimator (scikit-learn contract: ``__init__`` stores, ``fit`` returns self).

    ``X`` is a mapping from column name to a 1-D column (list or array) for every feature in
    ``features``; numeric missing values are ``None``/NaN, categorical ones ``None``.
    ``y`` is 1 for bad (default within the horizon) and 0 for good.
    """

    def __init__(
        self,
        features: Sequence[FeatureSpec],
        points0: float = DEFAULT_POINTS0,
        odds0: float = DEFAULT_ODDS0,
        pdo: float = DEFAULT_PDO,
        pd_floor: float = PD_FLOOR,
        l2: float = 1e-3,
        n_prebins: int = 20,
        min_bin_size: float = 0.05,
        max_n_bins: int | None = None,
        min_iv: float = 0.02,
        model_name: str = "scf-scorecard",
        thin_file_margin: float = THIN_FILE_MARGIN,
        free_auto_signs: bool = False,
    ) -> None:
        self.features = features
        self.points0 = points0
        self.odds0 = odds0
        self.pdo = pdo
        self.pd_floor = pd_floor
        self.l2 = l2
        self.n_prebins = n_prebins
        self.min_bin_size = min_bin_size
        self.max_n_bins = max_n_bins
        self.min_iv = min_iv
        self.model_name = model_name
        self.thin_file_margin = thin_file_margin
        self.free_auto_signs = free_auto_signs

    # -- parameters -----------------------------------------------------------------------------

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters, JSON-safe (features as dicts)."""
        return {
            "features": [spec.to_dict() for spec in self.features],
            "points0": self.points0,
            "odds0": self.odds0,
            "pdo": self.pdo,
            "pd_floor": self.pd_floor,
            "l2": self.l2,
            "n_prebins": self.n_prebins,
            "min_bin_size": self.min_bin_size,
            "max_n_bins": self.max_n_bins,
            "min_iv": self.min_iv,
            "model_name": self.model_name,
            "thin_file_margin": self.thin_file_margin,
            "free_auto_signs": self.free_auto_signs,
        }

    @property
    def scaling(self) -> ScoreScaling:
        return ScoreScaling(self.points0, self.odds0, self.pdo)

    def _checked_specs(self) -> list[FeatureSpec]:
        specs = list(self.features)
        names = [spec.name for spec in specs]
        if not specs or len(set(names)) != len(names):
            raise ValueError("features must be a non-empty list of uniquely named FeatureSpec")
        if not 0.0 <= self.pd_floor < 1.0:
            raise ValueError(f"pd_floor must be in [0, 1), got {self.pd_floor}")
        ScoreScaling(self.points0, self.odds0, self.pdo)  # raises on a bad scaling
        return specs

    def _new_binning(self, spec: FeatureSpec) -> Binning:
        if spec.kind == "categorical":
            return CategoricalBinning(min_bin_size=self.min_bin_size, max_n_bins=self.max_n_bins)
        if spec.kind == "numeric":
            return MonotoneBinning(
                monotonic=spec.monotonic,
                n_prebins=self.n_prebins,
                min_bin_size=self.min_bin_size,
                max_n_bins=self.max_n_bins,
            )
        raise ValueError(f"feature {spec.name!r}: unknown kind {spec.kind!r}")

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, X: Mapping[str, Any], y: Any) -> Scorecard:
        """Bin every feature, select by IV, fit the sign-constrained regression, scale."""
        specs = self._checked_specs()
        target = as_binary_target(y)
        columns = {spec.name: _column(X, spec.name, target.size) for spec in specs}
        binnings = {
            spec.name: self._new_binning(spec).fit(columns[spec.name], target) for spec in specs
        }
        for spec in specs:
            if spec.neutral_missing:
                binnings[spec.name].neutralise_missing()
        dropped = {
            name: DROP_LOW_IV for name, b in binnings.items() if _uninformative(b, self.min_iv)
        }
        candidates = [spec.name for spec in specs if spec.name not in dropped]
        woe = {name: binnings[name].transform(columns[name]) for name in candidates}
        free = frozenset(
            spec.name
            for spec in specs
            if self.free_auto_signs and spec.kind == "numeric" and spec.monotonic == "auto"
        )
        intercept, coef, kept, wrong_sign = _fit_sign_constrained(
            woe, target.astype(np.float64), candidates, self.l2, free
        )
        dropped.update(dict.fromkeys(wrong_sign, DROP_WRONG_SIGN))
        if not kept:
            raise ValueError(f"no characteristic survived selection ({dropped}): no scorecard")
        self.iv_ = {name: b.iv_ for name, b in binnings.items()}
        self.dropped_features_ = dropped
        self.extra_: dict[str, Any] = {}
        self._set_model({name: binnings[name] for name in kept}, intercept, coef, IDENTITY)
        return self

    def _set_model(
        self,
        binnings: dict[str, Binning],
        intercept: float,
        coef: FloatArray,
        calibration: Calibration,
    ) -> None:
        """Derive points from the regression and its calibration; fix the content-hash version.

        Raw points are ``-factor * coef * WOE`` over a raw base of ``offset - factor *
        intercept``; calibrated log-odds ``a + b * raw`` scale every point by ``b`` and move the
        base to ``b * raw base + (1 - b) * offset - factor * a``.
        """
        scaling = self.scaling
        self.binnings_ = binnings
        self.features_ = tuple(binnings)
        self.intercept_ = float(intercept)
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.calibration_ = calibration
        a, b = calibration.intercept, calibration.slope
        raw_base = scaling.offset - scaling.factor * self.intercept_
        self.base_points_ = b * raw_base + (1.0 - b) * scaling.offset - scaling.factor * a
        self.points_ = {
            name: -b * scaling.factor * float(c) * binnings[name].woe_
            for name, c in zip(self.features_, self.coef_, strict=True)
        }
        self.model_version_ = self._version(self._content())

    def calibrated(self, calibration: Calibration, **extra: Any) -> Scorecard:
        """A copy of this scorecard with ``calibration`` (and ``extra`` facts for its card,
        JSON-safe, merged into :attr:`extra_`): a new model version."""
        check_is_fitted(self, _FITTED)
        model = Scorecard(**{**self.get_params(), "features": self.features})
        model.iv_ = dict(self.iv_)
        model.dropped_features_ = dict(self.dropped_features_)
        model.extra_ = {**self.extra_, **extra}
        model._set_model(dict(self.binnings_), self.intercept_, self.coef_, calibration)
        return model

    def with_extra(self, **extra: Any) -> Scorecard:
        """A copy with ``extra`` facts merged (training reference, level model...)."""
        return self.calibrated(self.calibration_, **extra)

    def raw_logit(self, X: Mapping[str, Any]) -> FloatArray:
        """The regression's own log-odds of default of each row, before calibration."""
        check_is_fitted(self, _FITTED)
        bins = self.bin_indices(X)
        total = np.full(bins.shape[0], self.intercept_)
        for j, name in enumerate(self.features_):
            total = total + float(self.coef_[j]) * self.binnings_[name].woe_[bins[:, j]]
        return total

    # -- scoring --------------------------------------------------------------------------------

    def bin_indices(self, X: Mapping[str, Any]) -> IntArray:
        """``(n_rows, n_features_)`` bin index of every row in every kept feature."""
        check_is_fitted(self, _FITTED)
        columns = [self.binnings_[name].bin_index(X[name]) for name in self.features_]
        if len({c.size for c in columns}) > 1:
            raise ValueError("all feature columns must have the same length")
        return np.column_stack(columns)

    def _points(self, bins: IntArray) -> FloatArray:
        """``(n_rows, n_features_)`` points of each row's bin in each feature."""
        columns = [self.points_[name][bins[:, j]] for j, name in enumerate(self.features_)]
        return np.column_stack(columns)

    def _total(self, points: FloatArray) -> FloatArray:
        """Base points plus each feature's points, added in feature order.

        Adding column by column (not ``sum(axis=1)``) makes a row's score independent of how
        many rows are scored with it: one record and a batch give identical floats.
        """
        total = np.full(points.shape[0], self.base_points_)
        for j in range(points.shape[1]):
            total = total + points[:, j]
        return total

    def _margin(self, thin: Any, n_rows: int) -> FloatArray:
        """Points taken off each row for the thin-file margin (0 where ``thin`` is False)."""
        if thin is None:
            return np.zeros(n_rows)
        flags = np.asarray(thin, dtype=bool)
        if flags.shape != (n_rows,):
            raise ValueError(f"thin has shape {flags.shape}, expected ({n_rows},)")
        return np.where(flags, self.scaling.factor * self.thin_file_margin, 0.0)

    def score(self, X: Mapping[str, Any], thin: Any = None) -> FloatArray:
        """Credit score of each row (higher is safer). Unlike scikit-learn's ``score(X, y)``,
        this returns scorecard points, not an accuracy. ``thin``: rows that are thin files,
        which lose the thin-file margin's points."""
        total = self._total(self._points(self.bin_indices(X)))
        return total - self._margin(thin, total.size)

    def _pd(self, score: FloatArray) -> FloatArray:
        return np.maximum(self.scaling.pd_from_score(score), self.pd_floor)

    def predict_proba(self, X: Mapping[str, Any], thin: Any = None) -> FloatArray:
        """``(n, 2)`` array: column 0 is P(good), column 1 the floored PD."""
        pd = self._pd(self.score(X, thin))
        return np.column_stack([1.0 - pd, pd])

    def assess(self, X: Mapping[str, Any], thin: Any = None) -> ScoreResult:
        """PD, score, grade and reason codes of every row, vectorised (``thin`` as in
        :meth:`score`: the margin lowers the score, it is not a reason code)."""
        bins = self.bin_indices(X)
        points = self._points(bins)
        score = self._total(points) - self._margin(thin, bins.shape[0])
        pd = self._pd(score)
        best = np.array([self.points_[name].max() for name in self.features_])
        reason_features, lost = _top_losses(best[np.newaxis, :] - points)
        reason_bins = _reason_bins(bins, reason_features)
        return ScoreResult(
            model_version=self.model_version_,
            features=self.features_,
            bin_labels=tuple(tuple(self.binnings_[n].labels_) for n in self.features_),
            pd=pd,
            score=score,
            grade=grades_for_pd(pd),
            reason_features=reason_features,
            reason_bins=reason_bins,
            reason_points_lost=lost,
        )

    def assess_record(self, record: Mapping[str, Any], thin: bool = False) -> RecordAssessment:
        """Assessment of one record given as ``{feature: value}`` (absent means missing)."""
        check_is_fitted(self, _FITTED)
        columns = {name: [record.get(name)] for name in self.features_}
        return self.assess(columns, thin=[thin]).record(0)

    def points_table(self) -> dict[str, list[tuple[str, float]]]:
        """The scorecard as a credit officer reads it: ``{feature: [(bin label, points)]}``."""
        check_is_fitted(self, _FITTED)
        return {
            name: list(zip(self.binnings_[name].labels_, self.points_[name].tolist(), strict=True))
            for name in self.features_
        }

    # -- serialisation --------------------------------------------------------------------------

    def _content(self) -> dict[str, Any]:
        scaling = self.scaling
        return {
            "format": FORMAT,
            "params": self.get_params(),
            "scaling": {
                "points0": self.points0,
                "odds0": self.odds0,
                "pdo": self.pdo,
                "factor": scaling.factor,
                "offset": scaling.offset,
                "pd_floor": self.pd_floor,
            },
            "intercept": self.intercept_,
            "base_points": float(self.base_points_),
            "features": [self._feature_dict(j, name) for j, name in enumerate(self.features_)],
            "dropped": dict(sorted(self.dropped_features_.items())),
            "iv": {name: float(iv) for name, iv in self.iv_.items()},
            "calibration": self.calibration_.to_dict(),
            "extra": self.extra_,
        }

    def _feature_dict(self, j: int, name: str) -> dict[str, Any]:
        binning = self.binnings_[name]
        return {
            "name": name,
            "coefficient": float(self.coef_[j]),
            "binning": binning.to_dict(),
            "labels": binning.labels_,
            "points": [float(p) for p in self.points_[name]],
        }

    def _version(self, content: Mapping[str, Any]) -> str:
        digest = hashlib.sha256(_canonical_json(content).encode()).hexdigest()[:16]
        return f"{self.model_name}-{digest}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe model: bins, weights, points, scaling and a content-hash model version."""
        check_is_fitted(self, _FITTED)
        return {"model_version": self.model_version_, **self._content()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        """Rebuild a fitted scorecard; refuses a dict whose content does not match its version."""
        if data.get("format") != FORMAT:
            raise ValueError(
                f"unsupported scorecard format {data.get('format')!r} (this version reads "
                f"{FORMAT}): train a new model with `scf model train`"
            )
        params = dict(data["params"])
        params["features"] = [FeatureSpec.from_dict(f) for f in params["features"]]
        model = cls(**params)
        features = data["features"]
        model.iv_ = {str(k): float(v) for k, v in data["iv"].items()}
        model.dropped_features_ = {str(k): str(v) for k, v in data["dropped"].items()}
        model.extra_ = dict(data["extra"])
        binnings = {f["name"]: binning_from_dict(f["binning"]) for f in features}
        coef = np.array([f["coefficient"] for f in features], dtype=np.float64)
        calibration = Calibration.from_dict(data["calibration"])
        model._set_model(binnings, float(data["intercept"]), coef, calibration)
        model.base_points_ = float(data["base_points"])
        model.points_ = {f["name"]: np.array(f["points"], dtype=np.float64) for f in features}
        model.model_version_ = model._version(model._content())
        if model.model_version_ != data["model_version"]:
            raise ValueError("model dict was altered: its content does not match model_version")
        return model


def _column(X: Mapping[str, Any], name: str, n_rows: int) -> Any:
    if name not in X:
        raise ValueError(f"missing feature column {name!r}")
    column = X[name]
    if len(column) != n_rows:
        raise ValueError(f"column {name!r} has {len(column)} rows, y has {n_rows}")
    return column
