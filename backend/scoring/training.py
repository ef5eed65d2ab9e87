"""Training a scorecard on the simulator's labelled histories, and its model card.

``train(seed, n_firms)`` simulates a world (:func:`backend.sim.world.simulate`), splits the firms
into a training and a holdout sample (stratified, from the seed), fits the
:class:`~backend.scoring.scorecard.Scorecard` on the training sample and validates it on the
holdout against the *oracle*: the true PD each firm's latent health gave it, the best any model
could do. A gradient-boosted challenger (:mod:`backend.scoring.challenger`) is fitted on the same
rows and validated on the same holdout for the model card only: it is not stored and not served.
``write_model`` stores ``<version>.json`` (the scorecard's ``to_dict()``; identical bit
for bit for the same seed and firm count) and ``<version>.md``, the model card.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backend.scoring.challenger import (
    CHALLENGER_PARAMS,
    Challenger,
    challenger_pd,
    fit_challenger,
)
from backend.scoring.features import FEATURE_SPECS, FEATURES
from backend.scoring.german_credit import CrossValidation, cross_validated_auc, stratified_folds
from backend.scoring.grades import pd_band
from backend.scoring.metrics import ModelPerformance, evaluate, psi
from backend.scoring.scorecard import Scorecard
from backend.scoring.store import LATEST
from backend.sim.world import Dataset, simulate

DEFAULT_FIRMS = 3_000
HOLDOUT_FOLDS = 10
HOLDOUT_OF_FOLDS = 3  # 3 of 10 folds: a 30% holdout
PUBLISHED_GERMAN_AUC = 0.789
TARGET_ORACLE_RATIO = 0.95


@dataclass(frozen=True, eq=False)
class TrainingResult:
    model: Scorecard
    data: Dataset
    holdout: NDArray[np.bool_]
    scorecard: ModelPerformance
    challenger_model: Challenger
    challenger: ModelPerformance
    oracle: ModelPerformance
    psi: float
    german: CrossValidation
    seconds: float

    @property
    def version(self) -> str:
        return str(self.model.model_version_)


def holdout_mask(y: NDArray[Any], seed: int) -> NDArray[np.bool_]:
    """A stratified 30% holdout, drawn from ``seed`` (independently of the world's draws)."""
    folds = stratified_folds(y, HOLDOUT_FOLDS, np.random.default_rng([seed, 7]))
    mask: NDArray[np.bool_] = folds < HOLDOUT_OF_FOLDS
    return mask


def _rows(X: dict[str, NDArray[np.float64]], mask: NDArray[np.bool_]) -> dict[str, Any]:
    return {name: column[mask] for name, column in X.items()}


def train(seed: int, n_firms: int = DEFAULT_FIRMS, german: bool = True) -> TrainingResult:
    """Simulate, split, fit and validate; deterministic in ``seed`` and ``n_firms``."""
    started = time.perf_counter()
    data = simulate(n_firms, seed)
    test = holdout_mask(data.y, seed)
    model = Scorecard(FEATURE_SPECS).fit(_rows(data.X, ~test), data.y[~test])
    train_score = model.score(_rows(data.X, ~test))
    test_score = model.score(_rows(data.X, test))
    pd = model.predict_proba(_rows(data.X, test))[:, 1]
    challenger = fit_challenger(_rows(data.X, ~test), data.y[~test], seed)
    return TrainingResult(
        model=model,
        data=data,
        holdout=test,
        scorecard=evaluate(data.y[test], pd),
        challenger_model=challenger,
        challenger=evaluate(data.y[test], challenger_pd(challenger, _rows(data.X, test))),
        oracle=evaluate(data.y[test], data.true_pd[test]),
        psi=psi(train_score, test_score),
        german=cross_validated_auc() if german else CrossValidation(aucs=()),
        seconds=time.perf_counter() - started,
    )


def model_json(model: Scorecard) -> str:
    """The stored model: canonical key order, so the same model is the same bytes."""
    return json.dumps(model.to_dict(), sort_keys=True, indent=1, allow_nan=False) + "\n"


def write_model(result: TrainingResult, directory: Path) -> tuple[Path, Path]:
    """Write ``<version>.json`` and ``<version>.md``; point ``LATEST`` at the version."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{result.version}.json"
    card_path = directory / f"{result.version}.md"
    json_path.write_text(model_json(result.model), encoding="utf-8")
    card_path.write_text(model_card(result), encoding="utf-8")
    (directory / LATEST).write_text(result.version + "\n", encoding="utf-8")
    return json_path, card_path


# ─────────────────────────────────────────────────────────────── the model card


def _share(value: float, best: float) -> str:
    return f"{value / best:.3f}" if best else "-"


def _metrics_rows(result: TrainingResult) -> list[str]:
    card, challenger, oracle = result.scorecard, result.challenger, result.oracle
    rows = [
        "| metric | scorecard | challenger (gradient boosting) | oracle (true PD) "
        "| scorecard / oracle | challenger / oracle |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("auc", "gini", "ks", "brier"):
        ours, other, best = (getattr(m, name) for m in (card, challenger, oracle))
        label = {"auc": "AUC", "gini": "Gini", "ks": "KS", "brier": "Brier"}[name]
        rows.append(
            f"| {label} | {ours:.4f} | {other:.4f} | {best:.4f} | {_share(ours, best)} | "
            f"{_share(other, best)} |"
        )
    return rows


def _calibration_line(performance: ModelPerformance) -> str:
    grades = performance.calibration
    outside = [c.grade for c in grades if not c.within_band]
    listed = f" (outside: {', '.join(outside)})" if outside else ""
    return (
        "Calibration by grade: mean PD inside the 95% band of the observed rate in "
        f"{len(grades) - len(outside)} of {len(grades)} grades{listed}."
    )


def _dropped_sentence(challenger: Challenger) -> str:
    if not challenger.dropped:
        return ""
    names = ", ".join(f"`{name}`" for name in challenger.dropped)
    return f" Left out, no figure in any training firm: {names}."


def _challenger_lines(result: TrainingResult) -> list[str]:
    card, challenger = result.scorecard, result.challenger
    p = CHALLENGER_PARAMS
    return [
        "Gradient-boosted trees (scikit-learn `HistGradientBoostingClassifier`: "
        f"{p['max_iter']} trees of at most {p['max_leaf_nodes']} leaves, learning rate "
        f"{p['learning_rate']:g}, at least {p['min_samples_leaf']} firms a leaf, L2 penalty "
        f"{p['l2_regularization']:g}, no early stopping, missing figures routed by the trees) on "
        "the same characteristics and training firms, with the scorecard's monotone directions as "
        "constraints (`auto` left free)." + _dropped_sentence(result.challenger_model),
        "",
        f"Holdout AUC {challenger.auc:.4f} against the scorecard's {card.auc:.4f} "
        f"({challenger.auc - card.auc:+.4f}). The challenger is reported, not served: the "
        "scorecard is served because it is explainable (points per characteristic, monotone in "
        "each, and reason codes from the points a firm lost), which a sum of trees is not.",
        "",
        _calibration_line(challenger),
    ]


def _calibration_rows(result: TrainingResult) -> list[str]:
    rows = [
        "| grade | PD band | firms | defaults | observed rate | mean PD | 95% band of observed | mean PD in band |",  # noqa: E501
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for c in result.scorecard.calibration:
        low, high = pd_band(c.grade)
        rows.append(
            f"| {c.grade} | ({low:.2%}, {high:.2%}] | {c.n} | {c.defaults} | "
            f"{c.observed_rate:.2%} | {c.mean_pd:.2%} | [{c.lower:.2%}, {c.upper:.2%}] | "
            f"{'yes' if c.within_band else '**no**'} |"
        )
    return rows


def _feature_rows(model: Scorecard) -> list[str]:
    sources = {feature.name: feature for feature in FEATURES}
    rows = [
        "| characteristic | from the credit record | direction | IV | coefficient | status |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    kept = dict(zip(model.features_, model.coef_, strict=True))
    for name, feature in sources.items():
        iv = model.iv_.get(name, float("nan"))
        coefficient = f"{kept[name]:.3f}" if name in kept else "-"
        status = "kept" if name in kept else f"dropped: {model.dropped_features_.get(name, '?')}"
        rows.append(
            f"| {name} | `{feature.source}` | {feature.monotonic} | {iv:.3f} | {coefficient} | "
            f"{status} |"
        )
    return rows


def _points_rows(model: Scorecard) -> list[str]:
    rows = ["| characteristic | bin | points |", "| --- | --- | ---: |"]
    for name, bins in model.points_table().items():
        rows += [f"| {name} | {label} | {points:.1f} |" for label, points in bins]
    return rows


def model_card(result: TrainingResult) -> str:
    """The model card in Markdown: data, discrimination against the oracle, the challenger,
    calibration by grade, stability, the German credit benchmark, characteristics and points."""
    model, data, test = result.model, result.data, result.holdout
    card, oracle = result.scorecard, result.oracle
    ratio = card.auc / oracle.auc
    calibrated = all(c.within_band for c in card.calibration)
    german = result.german
    german_line = (
        f"{german.mean:.4f} ± {german.std:.4f} over {len(german.aucs)} folds "
        f"(published WOE + logistic regression: {PUBLISHED_GERMAN_AUC})"
        if german.aucs
        else "not run"
    )
    lines = [
        f"# Model card: {result.version}",
        "",
        "12-month probability of default of a supplier or core enterprise from its credit record "
        "(binned characteristics, WOE, sign-constrained logistic regression, points scaling: "
        f"{model.points0:g} points at good:bad odds {model.odds0:g}, {model.pdo:g} points to "
        "double the odds; PD floor "
        f"{model.pd_floor:.2%}).",
        "",
        "## Data",
        "",
        f"- Simulated supply chain `backend.sim.world`, seed {data.seed}, {data.y.size} firms "
        f"(banks excluded), observation time T = {data.as_of} (features: credit record at T; "
        "label: default in (T, T + 365 d]).",
        f"- Default rate {data.y.mean():.2%}; training {int((~test).sum())} firms, holdout "
        f"{int(test.sum())} firms (stratified 30%).",
        f"- Data set generation {data.seconds:.1f} s; whole training run {result.seconds:.1f} s.",
        "",
        "## Discrimination on the holdout",
        "",
        *_metrics_rows(result),
        "",
        f"The oracle scores each firm with its true PD (from its latent health): no model can "
        f"expect to beat it. Scorecard AUC / oracle AUC = {ratio:.3f} (target ≥ "
        f"{TARGET_ORACLE_RATIO}: {'met' if ratio >= TARGET_ORACLE_RATIO else '**not met**'}).",
        "",
        "## Challenger: gradient boosting (reported, not served)",
        "",
        *_challenger_lines(result),
        "",
        "## Calibration by grade (holdout)",
        "",
        *_calibration_rows(result),
        "",
        "Band: exact (Clopper-Pearson) 95% interval of the observed default rate. "
        f"Every grade's mean PD inside its band: {'yes' if calibrated else '**no**'}.",
        "",
        "## Stability",
        "",
        f"PSI of holdout scores against training scores (10 quantile bins): {result.psi:.4f} "
        "(< 0.10 stable, 0.10-0.25 some shift, > 0.25 major shift).",
        "",
        "## German credit benchmark",
        "",
        f"Same scorecard pipeline, 5 × 5 repeated stratified cross-validation AUC: {german_line}.",
        "",
        "## Characteristics",
        "",
        *_feature_rows(model),
        "",
        "## Points",
        "",
        *_points_rows(model),
        "",
        "## Reproducing",
        "",
        f"`scf model train --seed {data.seed} --firms {data.y.size}` writes the same "
        f"`{result.version}.json` byte for byte (the version is a hash of the model's content); "
        "timings in this card differ between runs.",
        "",
    ]
    return "\n".join(lines)
