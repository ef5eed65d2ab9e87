"""German credit: the shipped file is the documented one, and the pipeline reaches AUC >= 0.75."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from backend import scoring
from backend.scoring.german_credit import cross_validated_auc, load_german_credit, stratified_folds

DATA_DIR = Path(scoring.__file__).resolve().parent / "data"


def test_data_file_matches_documented_checksum() -> None:
    readme = (DATA_DIR / "README.md").read_text()
    documented = re.search(r"sha256[^0-9a-f]*([0-9a-f]{64})", readme)
    assert documented is not None
    actual = hashlib.sha256((DATA_DIR / "germancredit.csv").read_bytes()).hexdigest()
    assert actual == documented.group(1)


def test_data_shape_and_bad_rate() -> None:
    data = load_german_credit()
    assert data.y.size == 1000 and int(data.y.sum()) == 300
    assert len(data.features) == 20
    assert all(len(column) == 1000 for column in data.X.values())


def test_stratified_folds_keep_bad_rate() -> None:
    y = load_german_credit().y
    folds = stratified_folds(y, 5, np.random.default_rng(0))
    for fold in range(5):
        assert (folds == fold).sum() == 200
        assert y[folds == fold].sum() == 60


def test_cross_validated_auc_reaches_published_level() -> None:
    result = cross_validated_auc(n_splits=5, n_repeats=5, seed=0)
    assert len(result.aucs) == 25
    assert result.mean >= 0.75
    assert 0.0 < result.std < 0.1
