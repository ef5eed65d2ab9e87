"""Population stability: how far a scored population is from the one the model was trained on.

Training stores the deciles of the training population's raw log-odds (``extra_["reference"]``);
a scoring run computes the PSI of its own population over those bins, and, per characteristic,
the PSI of its bin shares against the training bin counts the binnings keep. Above
:data:`PSI_ALERT` the run says so: the model is scoring supply chains unlike the ones it learned.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from backend.scoring.base import FloatArray
from backend.scoring.scorecard import Scorecard

logger = logging.getLogger(__name__)

REFERENCE_KEY = "reference"
# The usual reading of PSI: below 0.10 stable, 0.10-0.25 some shift, above 0.25 a major shift.
PSI_ALERT = 0.25
N_BINS = 10
LAST_RUN = "last-scoring-run.json"


def reference_of(raw: FloatArray) -> dict[str, Any]:
    """Decile edges of the training raw log-odds and the share of training rows in each bin."""
    edges = np.unique(np.quantile(raw, np.linspace(0, 1, N_BINS + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, raw, side="right"), minlength=edges.size + 1)
    return {"edges": [float(e) for e in edges], "shares": [float(c) for c in counts / raw.size]}


@dataclass(frozen=True)
class Stability:
    model_version: str
    firms: int
    score_psi: float | None
    feature_psi: dict[str, float]
    alert: bool
    threshold: float = PSI_ALERT

    def sentence(self) -> str:
        if self.score_psi is None:
            return "population stability: no training reference in this model"
        worst = sorted(self.feature_psi.items(), key=lambda kv: -kv[1])[:3]
        listed = ", ".join(f"{name} {value:.2f}" for name, value in worst)
        verdict = (
            f"ABOVE {self.threshold:.2f}: this population is far from the training worlds; "
            "treat the PDs with caution and recalibrate (`scf model calibrate`)"
            if self.alert
            else f"below {self.threshold:.2f}"
        )
        return (
            f"population stability: PSI of the scores {self.score_psi:.3f} ({verdict}); "
            f"largest by characteristic: {listed}"
        )


def stability(model: Scorecard, X: dict[str, Any]) -> Stability:
    """PSI of ``X``'s population against the model's training population."""
    from backend.scoring.metrics import psi_from_shares

    reference = model.extra_.get(REFERENCE_KEY)
    n = len(next(iter(X.values()))) if X else 0
    features: dict[str, float] = {}
    bins = model.bin_indices(X) if n else np.zeros((0, len(model.features_)), dtype=np.intp)
    for j, name in enumerate(model.features_):
        binning = model.binnings_[name]
        trained = binning.good_counts_ + binning.bad_counts_
        if n and trained.sum():
            shares = np.bincount(bins[:, j], minlength=trained.size) / n
            features[name] = psi_from_shares(trained / trained.sum(), shares)
    score_psi = None
    if reference is not None and n:
        raw = model.raw_logit(X)
        edges = np.array(reference["edges"], dtype=np.float64)
        counts = np.bincount(np.searchsorted(edges, raw, side="right"), minlength=edges.size + 1)
        score_psi = psi_from_shares(reference["shares"], counts / n)
    alert = score_psi is not None and score_psi > PSI_ALERT
    return Stability(model.model_version_, n, score_psi, features, alert)


def record_run(directory: Path, result: Stability) -> None:
    """Keep the last scoring run's stability beside the models, for ``/metrics``."""
    data = {**asdict(result), "time": int(time.time())}
    (directory / LAST_RUN).write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")
    if result.alert:
        logger.warning(
            "scoring.population.shift model=%s psi=%.3f threshold=%.2f firms=%d",
            result.model_version,
            result.score_psi or 0.0,
            result.threshold,
            result.firms,
        )


def last_run(directory: Path) -> dict[str, Any] | None:
    path = directory / LAST_RUN
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


class PopulationShiftCollector:
    """Prometheus collector for ``/metrics``: the last scoring run's PSI and whether it was above
    :data:`PSI_ALERT` (read from :data:`LAST_RUN` beside the models at each scrape)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        run = last_run(self.directory)
        psi = GaugeMetricFamily(
            "scf_scoring_population_psi",
            "PSI of the last scoring run's population against the model's training population",
            labels=["model"],
        )
        shift = GaugeMetricFamily(
            "scf_scoring_population_shift",
            f"1 when the last scoring run's PSI was above {PSI_ALERT}",
            labels=["model"],
        )
        if run is not None and run.get("score_psi") is not None:
            psi.add_metric([str(run["model_version"])], float(run["score_psi"]))
            shift.add_metric([str(run["model_version"])], 1.0 if run["alert"] else 0.0)
        yield psi
        yield shift
