"""Calibration: to a central tendency, to the ledger's level, from outcomes; a calibrated and a
thin-file scorecard stay one consistent points table."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.special import expit

from backend.scoring import calibration as cal
from backend.scoring.metrics import auc, binomial_band, expected_auc
from backend.scoring.monitoring import PSI_ALERT, reference_of, stability
from backend.scoring.scorecard import Calibration, Scorecard
from backend.scoring.synthetic import SyntheticCredit


def test_central_tendency_sets_the_mean_pd_and_keeps_the_ranking(
    fitted: Scorecard, synthetic_train: SyntheticCredit
) -> None:
    raw = fitted.raw_logit(synthetic_train.X)
    for target in (0.02, 0.06, 0.15):
        calibration = cal.to_central_tendency(raw, target)
        pd = cal.served_pd(fitted, raw, calibration)
        assert pd.mean() == pytest.approx(target, rel=1e-6)
        assert calibration.slope == 1.0 and calibration.method == "central_tendency"
        assert np.array_equal(np.argsort(pd, kind="stable"), np.argsort(raw, kind="stable"))


def test_a_calibrated_scorecard_serves_the_calibrated_pds_and_round_trips(fitted, synthetic_train):
    X = synthetic_train.X
    raw = fitted.raw_logit(X)
    calibration = Calibration(intercept=-0.7, slope=0.8, method="outcomes")
    model = fitted.calibrated(calibration, note="test")
    assert model.model_version_ != fitted.model_version_
    expected = np.maximum(expit(-0.7 + 0.8 * raw), model.pd_floor)
    assert np.allclose(model.predict_proba(X)[:, 1], expected)
    # the score is the calibrated log-odds on the points scale: PD and score stay one
    assert np.allclose(model.scaling.pd_from_score(model.score(X)), expit(-0.7 + 0.8 * raw))
    restored = Scorecard.from_dict(json.loads(json.dumps(model.to_dict(), allow_nan=False)))
    assert restored.model_version_ == model.model_version_
    assert restored.calibration_ == calibration and restored.extra_ == {"note": "test"}
    assert np.array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_a_thin_file_pays_the_stated_margin_on_its_odds(fitted, synthetic_train):
    X = synthetic_train.X
    thin = np.arange(len(synthetic_train.y)) % 3 == 0
    plain = fitted.predict_proba(X)[:, 1]
    marked = fitted.predict_proba(X, thin=thin)[:, 1]
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert np.allclose(odds(marked[thin]), odds(plain[thin]) * 1.25)
    assert np.array_equal(marked[~thin], plain[~thin])
    assert fitted.thin_file_margin == pytest.approx(math.log(1.25))
    assert np.unique(marked[thin]).size > 10  # no flat number for thin files


def test_outcomes_refit_intercept_and_slope():
    rng = np.random.default_rng(3)
    raw = rng.normal(-3.0, 1.0, 20_000)
    truth = expit(0.5 + 0.7 * raw)  # the raw log-odds are too steep and too low
    y = (rng.random(raw.size) < truth).astype(np.int8)
    calibration = cal.from_outcomes(raw, y)
    assert calibration.slope == pytest.approx(0.7, abs=0.1)
    assert calibration.intercept == pytest.approx(0.5, abs=0.3)
    assert cal.mean_pd(raw, calibration.intercept, calibration.slope) == pytest.approx(y.mean())
    assert (calibration.outcomes, calibration.defaults) == (raw.size, int(y.sum()))
    with pytest.raises(ValueError, match="at least 50"):
        cal.from_outcomes(raw[:400], np.r_[np.ones(10), np.zeros(390)])


def test_the_ledger_level_moves_with_the_population_as_learned_across_worlds():
    rng = np.random.default_rng(4)
    worlds = [rng.normal(m, 1.0, 500) for m in (-3.5, -3.0, -2.5, -2.0)]
    rates = [float(expit(w).mean()) for w in worlds]  # the raw level is right in every world
    levels = cal.fit_level_model(worlds, rates)
    assert 0.8 < levels.beta <= 1.5 and levels.worlds == 4
    average = rng.normal(-2.75, 1.0, 500)
    risky = rng.normal(-2.0, 1.0, 500)
    assert levels.level(average, 0.06) == pytest.approx(0.06, rel=0.25)
    assert levels.level(risky, 0.06) > 1.5 * levels.level(average, 0.06)
    flat = cal.fit_level_model(worlds, [0.05] * 4)  # no relation: the central tendency
    assert flat.beta == 0.0 and flat.level(risky, 0.06) == pytest.approx(0.06)


def test_expected_auc_is_the_mean_auc_over_outcomes_drawn_from_the_true_pd():
    rng = np.random.default_rng(5)
    p = rng.uniform(0.0, 0.3, 2_000)
    score = p + rng.normal(0.0, 0.05, p.size)
    drawn = [auc((rng.random(p.size) < p).astype(int), score) for _ in range(300)]
    assert expected_auc(p, score) == pytest.approx(np.mean(drawn), abs=0.005)
    assert expected_auc(p, p) > expected_auc(p, score)  # nobody beats the oracle
    assert expected_auc(p, np.ones_like(p)) == pytest.approx(0.5)  # all tied: a coin


def test_binomial_band_is_the_central_95_percent_of_the_default_rate():
    low, high = binomial_band(1_000, 0.05)
    assert low < 0.05 < high and high - low == pytest.approx(
        2 * 1.96 * math.sqrt(0.05 * 0.95 / 1_000), abs=0.004
    )


def test_a_population_far_from_training_raises_the_psi_alert(fitted, synthetic_train):
    X = synthetic_train.X
    model = fitted.with_extra(reference=reference_of(fitted.raw_logit(X)))
    same = stability(model, X)
    assert same.score_psi is not None and same.score_psi < 0.01 and not same.alert
    shifted = {**X, "days_beyond_terms": np.asarray(X["days_beyond_terms"]) + 60.0,
               "tenure_months": np.zeros(len(synthetic_train.y))}  # fmt: skip
    far = stability(model, shifted)
    assert far.score_psi is not None and far.score_psi > PSI_ALERT and far.alert
    assert "ABOVE" in far.sentence() and far.feature_psi["days_beyond_terms"] > PSI_ALERT


def test_an_auto_characteristic_keeps_the_sign_the_data_gives_it() -> None:
    """Two correlated characteristics: the second adds risk on its own but, given the first,
    its conditional effect runs the other way. Declared "auto", it is priced (negative weight,
    points still monotone over its bins) instead of dropped as "wrong sign"."""
    from backend.scoring.scorecard import FeatureSpec

    rng = np.random.default_rng(8)
    first = rng.normal(0.0, 1.0, 30_000)
    second = first + rng.normal(0.0, 0.5, first.size)
    y = (rng.random(first.size) < expit(-3.0 + 2.0 * first - 0.8 * second)).astype(np.int8)
    X = {"first": first, "second": second}
    specs = [FeatureSpec("first", "numeric", "ascending"), FeatureSpec("second", "numeric", "auto")]
    constrained = Scorecard(specs).fit(X, y)
    free = Scorecard(specs, free_auto_signs=True).fit(X, y)
    assert constrained.dropped_features_ == {"second": "wrong_sign"}
    assert free.features_ == ("first", "second") and free.coef_[1] < 0 < free.coef_[0]
    points = free.points_["second"][:-1]  # the missing bin has no place in the order
    assert (np.diff(points) > 0).all() or (np.diff(points) < 0).all()


def test_metrics_show_the_last_scoring_runs_population_shift(fitted, synthetic_train, tmp_path):
    from prometheus_client import CollectorRegistry, generate_latest

    from backend.scoring.monitoring import PopulationShiftCollector, record_run

    registry = CollectorRegistry()
    registry.register(PopulationShiftCollector(tmp_path))
    assert b"scf_scoring_population_psi{" not in generate_latest(registry)  # no run yet
    X = synthetic_train.X
    model = fitted.with_extra(reference=reference_of(fitted.raw_logit(X)))
    shifted = {**X, "days_beyond_terms": np.asarray(X["days_beyond_terms"]) + 60.0}
    record_run(tmp_path, stability(model, shifted))
    text = generate_latest(registry).decode()
    assert f'scf_scoring_population_shift{{model="{model.model_version_}"}} 1.0' in text
    assert f'scf_scoring_population_psi{{model="{model.model_version_}"}}' in text
