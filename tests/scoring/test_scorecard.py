"""Scorecard: contract, monotone points, reason codes, scaling, floor, serialisation."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring.base import NotFittedError
from backend.scoring.binning import MonotoneBinning
from backend.scoring.logistic import fit_logistic
from backend.scoring.metrics import auc
from backend.scoring.scorecard import (
    DROP_WRONG_SIGN,
    PD_FLOOR,
    FeatureSpec,
    Scorecard,
    ScoreScaling,
)
from backend.scoring.synthetic import SYNTHETIC_DIRECTIONS, SyntheticCredit, make_synthetic_credit

# -- contract -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["score", "predict_proba", "assess", "bin_indices"])
def test_unfitted_scorecard_raises_not_fitted(method: str) -> None:
    model = Scorecard([FeatureSpec("x")])
    with pytest.raises(NotFittedError):
        getattr(model, method)({"x": [1.0]})
    with pytest.raises(NotFittedError):
        model.to_dict()


def test_init_stores_params_only_and_fit_returns_self(synthetic_train: SyntheticCredit) -> None:
    model = Scorecard(synthetic_train.features, pdo=40.0)
    assert model.get_params()["pdo"] == 40.0
    assert not [name for name in vars(model) if name.endswith("_")]
    assert model.fit(synthetic_train.X, synthetic_train.y) is model
    assert {"features_", "coef_", "points_", "model_version_"} <= set(vars(model))


def test_fit_refuses_when_no_feature_survives() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=2000)
    y = (rng.random(2000) < 0.2).astype(int)  # x carries no information
    with pytest.raises(ValueError, match="no characteristic survived"):
        Scorecard([FeatureSpec("x")], min_iv=0.5).fit({"x": x}, y)


def test_fit_rejects_missing_column(synthetic_train: SyntheticCredit) -> None:
    X = dict(synthetic_train.X)
    del X["buyer_hhi"]
    with pytest.raises(ValueError, match="buyer_hhi"):
        Scorecard(synthetic_train.features).fit(X, synthetic_train.y)


def test_model_ranks_risk(fitted: Scorecard, synthetic_test: SyntheticCredit) -> None:
    pd = fitted.predict_proba(synthetic_test.X)[:, 1]
    assert auc(synthetic_test.y, pd) > 0.7
    assert set(fitted.features_) == {spec.name for spec in synthetic_test.features}


# -- monotonicity ---------------------------------------------------------------------------------


def _assert_points_follow(model: Scorecard, name: str, direction: str) -> None:
    values = model.points_[name][:-1]  # the missing bin has no place in the order
    steps = np.diff(values)
    if direction == "ascending":  # riskier as the value grows: points must fall
        assert (steps <= 0).all(), (name, values)
    else:
        assert (steps >= 0).all(), (name, values)


def test_declared_monotone_features_are_monotone_in_points(fitted: Scorecard) -> None:
    for name, direction in SYNTHETIC_DIRECTIONS.items():
        _assert_points_follow(fitted, name, direction)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(300, 3000),
    effects=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
    declared=st.lists(st.sampled_from(["ascending", "descending"]), min_size=2, max_size=2),
)
def test_points_monotone_whatever_the_data(
    seed: int, n: int, effects: list[float], declared: list[str]
) -> None:
    """Even when the declaration contradicts the data, points never break the declared order.

    x0 has a strong, correctly declared effect so that at least one feature survives."""
    effects, declared = [1.5, *effects], ["ascending", *declared]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(x @ np.array(effects) - 1.5)))).astype(int)
    y[:2] = [0, 1]
    specs = [FeatureSpec(f"x{j}", "numeric", d) for j, d in enumerate(declared)]  # type: ignore[arg-type]
    model = Scorecard(specs, min_iv=0.0).fit({f"x{j}": x[:, j] for j in range(3)}, y)
    assert all(c > 0 for c in model.coef_)
    grid = np.linspace(-4, 4, 401)
    for spec in specs:
        if spec.name in model.features_:
            _assert_points_follow(model, spec.name, spec.monotonic)
            columns = {name: np.zeros(grid.size) for name in model.features_}
            columns[spec.name] = grid
            sign = -1.0 if spec.monotonic == "ascending" else 1.0
            assert (sign * np.diff(model.score(columns)) >= 0).all()
        else:
            assert spec.name in model.dropped_features_


def test_feature_with_wrong_sign_coefficient_is_dropped() -> None:
    """A suppressor: b rises with risk on its own, but given a its effect is negative."""
    rng = np.random.default_rng(11)
    n = 20_000
    z = rng.normal(size=n)
    a = z + 0.3 * rng.normal(size=n)
    b = z + 0.3 * rng.normal(size=n)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(2.5 * a - 1.5 * b - 1.0)))).astype(int)
    specs = [FeatureSpec("a", "numeric", "ascending"), FeatureSpec("b", "numeric", "ascending")]
    model = Scorecard(specs).fit({"a": a, "b": b}, y)
    # Without the constraint the regression would give b a negative weight:
    woe_b = MonotoneBinning("ascending").fit(b, y).transform(b)
    woe = np.column_stack([model.binnings_["a"].transform(a), woe_b])
    assert fit_logistic(woe, y.astype(float), model.l2)[1][1] < 0
    assert model.features_ == ("a",)
    assert model.dropped_features_ == {"b": DROP_WRONG_SIGN}


# -- scaling, PD, grades --------------------------------------------------------------------------


def test_scaling_points_to_double_odds() -> None:
    scaling = ScoreScaling(points0=600.0, odds0=50.0, pdo=20.0)
    pd = scaling.pd_from_score(np.array([600.0, 620.0, 580.0]))
    odds = (1 - pd) / pd
    assert odds == pytest.approx([50.0, 100.0, 25.0], rel=1e-12)
    assert scaling.factor == pytest.approx(20.0 / math.log(2))


def test_score_is_base_plus_bin_points(fitted: Scorecard, synthetic_test: SyntheticCredit) -> None:
    bins = fitted.bin_indices(synthetic_test.X)
    expected = fitted.base_points_ + sum(
        fitted.points_[name][bins[:, j]] for j, name in enumerate(fitted.features_)
    )
    assert fitted.score(synthetic_test.X) == pytest.approx(expected, rel=1e-12)


def test_predict_proba_matches_regression(
    fitted: Scorecard, synthetic_test: SyntheticCredit
) -> None:
    woe = np.column_stack(
        [fitted.binnings_[n].transform(synthetic_test.X[n]) for n in fitted.features_]
    )
    logit = fitted.intercept_ + woe @ fitted.coef_
    expected = np.maximum(1.0 / (1.0 + np.exp(-logit)), PD_FLOOR)
    proba = fitted.predict_proba(synthetic_test.X)
    assert proba[:, 1] == pytest.approx(expected, rel=1e-9)
    assert proba.sum(axis=1) == pytest.approx(1.0)


def test_pd_floor_applies() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=50_000)
    y = (rng.random(x.size) < 1.0 / (1.0 + np.exp(-(2.5 * x - 5.0)))).astype(int)
    spec = [FeatureSpec("x", "numeric", "ascending")]
    floored = Scorecard(spec).fit({"x": x}, y)
    unfloored = Scorecard(spec, pd_floor=0.0).fit({"x": x}, y)
    raw = unfloored.predict_proba({"x": x})[:, 1]
    pd = floored.predict_proba({"x": x})[:, 1]
    assert (raw < PD_FLOOR).any()  # the safest bin's PD really is below the floor
    assert np.array_equal(pd, np.maximum(raw, PD_FLOOR))
    assert pd.min() == PD_FLOOR


# -- reason codes ---------------------------------------------------------------------------------


def _brute_force_reasons(model: Scorecard, X: dict, row: int) -> list[tuple[str, str, float]]:
    losses = []
    for name in model.features_:
        binning = model.binnings_[name]
        index = int(binning.bin_index([X[name][row]])[0])
        lost = float(model.points_[name].max() - model.points_[name][index])
        if lost > 0:
            losses.append((-lost, model.features_.index(name), name, binning.labels_[index]))
    losses.sort()
    return [(name, label, -neg) for neg, _, name, label in losses[:3]]


def test_reason_codes_are_the_largest_losses_against_best_bin(
    fitted: Scorecard, synthetic_test: SyntheticCredit
) -> None:
    result = fitted.assess(synthetic_test.X)
    for row in range(300):
        got = [(r.feature, r.bin, r.points_lost) for r in result.reasons(row)]
        assert got == _brute_force_reasons(fitted, synthetic_test.X, row)


def _value_in_bin(model: Scorecard, name: str, index: int) -> object:
    binning = model.binnings_[name]
    if index == binning.n_bins_ - 1:
        return None
    if isinstance(binning, MonotoneBinning):
        return -1e300 if index == 0 else float(binning.splits_[index - 1])
    return binning.groups_[index][0]


def test_row_in_best_bins_has_no_reason_codes(fitted: Scorecard) -> None:
    best = {
        name: _value_in_bin(fitted, name, int(np.argmax(fitted.points_[name])))
        for name in fitted.features_
    }
    assessment = fitted.assess_record(best)
    assert assessment.reasons == ()
    top = fitted.base_points_ + sum(points.max() for points in fitted.points_.values())
    assert assessment.score == pytest.approx(top)


def test_record_and_batch_agree(fitted: Scorecard, synthetic_test: SyntheticCredit) -> None:
    batch = fitted.assess(synthetic_test.X)
    for row in (0, 17, 4999):
        record = {name: column[row] for name, column in synthetic_test.X.items()}
        assert fitted.assess_record(record) == batch.record(row)


# -- serialisation and determinism -----------------------------------------------------------------


def test_round_trip_gives_identical_scores(
    fitted: Scorecard, synthetic_test: SyntheticCredit
) -> None:
    data = fitted.to_dict()
    restored = Scorecard.from_dict(json.loads(json.dumps(data, allow_nan=False)))
    assert restored.to_dict() == data
    before, after = fitted.assess(synthetic_test.X), restored.assess(synthetic_test.X)
    assert np.array_equal(before.score, after.score)
    assert np.array_equal(before.pd, after.pd)
    assert np.array_equal(before.grade, after.grade)
    assert np.array_equal(before.reason_points_lost, after.reason_points_lost)
    assert after.model_version == fitted.model_version_


def test_altered_model_dict_is_refused(fitted: Scorecard) -> None:
    data = copy.deepcopy(fitted.to_dict())
    data["features"][0]["points"][0] += 1.0
    with pytest.raises(ValueError, match="altered"):
        Scorecard.from_dict(data)


def test_same_seed_gives_identical_model() -> None:
    first, second = make_synthetic_credit(5000, seed=3), make_synthetic_credit(5000, seed=3)
    a = Scorecard(first.features).fit(first.X, first.y).to_dict()
    b = Scorecard(second.features).fit(second.X, second.y).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    other = make_synthetic_credit(5000, seed=4)
    c = Scorecard(other.features).fit(other.X, other.y).to_dict()
    assert c["model_version"] != a["model_version"]


def test_model_version_names_the_model(fitted: Scorecard, synthetic_test: SyntheticCredit) -> None:
    assert fitted.model_version_.startswith("scf-scorecard-")
    assert fitted.assess(synthetic_test.X).model_version == fitted.model_version_
