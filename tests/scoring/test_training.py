"""Training on simulated histories: it learns, it is reproducible, its card says what it must."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, insert

from backend.credit.models import CreditRecord
from backend.credit.record import CreditRecordView
from backend.scoring.challenger import challenger_pd
from backend.scoring.features import FEATURE_NAMES, feature_matrix, feature_vector
from backend.scoring.metrics import auc, evaluate
from backend.scoring.service import score_cached_records
from backend.scoring.store import LATEST, latest_model_path, load_model
from backend.scoring.training import TrainingResult, model_json, train, write_model
from backend.settings import get_settings
from backend.sim.world import apply_events, build_world, migrated_engine, records_at, world_events

SEED, FIRMS = 5, 1_500
RECORDS = CreditRecord.__table__  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def trained() -> TrainingResult:
    return train(SEED, FIRMS, german=True)


def test_model_beats_a_trivial_baseline_on_the_holdout(trained: TrainingResult) -> None:
    test = trained.holdout
    y = trained.data.y[test]
    assert 0 < test.sum() < test.size and y.sum() >= 10
    assert trained.scorecard.auc > 0.7
    constant = auc(y, np.full(y.size, y.mean()))  # the trivial baseline: everyone alike
    assert constant == pytest.approx(0.5)
    assert trained.scorecard.auc > trained.oracle.auc * 0.85
    assert trained.scorecard.brier < y.mean() * (1 - y.mean())  # a constant PD's Brier


def test_challenger_is_validated_on_the_same_holdout(trained: TrainingResult) -> None:
    test = trained.holdout
    holdout = {name: column[test] for name, column in trained.data.X.items()}
    pd = challenger_pd(trained.challenger_model, holdout)
    assert evaluate(trained.data.y[test], pd) == trained.challenger
    assert trained.challenger.n == int(test.sum())
    assert trained.challenger.auc > 0.7  # it learns: the trivial baseline is 0.5


def test_challenger_pd_never_falls_as_an_ascending_figure_rises(trained: TrainingResult) -> None:
    X, model = trained.data.X, trained.challenger_model
    ascending = [s.name for s in model.features if s.monotonic == "ascending"]
    rows = np.flatnonzero(trained.holdout)[:5]
    moved = 0.0
    for name in ascending:
        grid = np.nanquantile(X[name], np.linspace(0.0, 1.0, 21))
        for row in rows:
            probe = {n: np.full(grid.size, column[row]) for n, column in X.items()}
            probe[name] = grid
            pd = challenger_pd(model, probe)
            assert (np.diff(pd) >= 0).all(), (name, row)
            moved = max(moved, float(np.ptp(pd)))
    assert ascending and moved > 0.01


def test_training_is_reproducible_bit_for_bit(tmp_path: Path) -> None:
    one, two = train(SEED, 600, german=False), train(SEED, 600, german=False)
    assert model_json(one.model) == model_json(two.model)
    first, _ = write_model(one, tmp_path / "a")
    second, _ = write_model(two, tmp_path / "b")
    assert first.name == second.name and first.read_bytes() == second.read_bytes()
    other = train(SEED + 1, 600, german=False)
    assert model_json(other.model) != model_json(one.model)


def test_model_card_has_the_required_sections(trained: TrainingResult, tmp_path: Path) -> None:
    json_path, card_path = write_model(trained, tmp_path)
    card = card_path.read_text(encoding="utf-8")
    for heading in (
        "## Discrimination on the holdout",
        "## Calibration by grade (holdout)",
        "## Stability",
        "## German credit benchmark",
        "## Characteristics",
    ):
        assert heading in card
    for metric in ("| AUC |", "| Gini |", "| KS |", "| Brier |", "oracle", "PSI", "0.789"):
        assert metric in card
    for row in trained.scorecard.calibration:
        assert f"| {row.grade} |" in card
    assert f"{trained.german.mean:.4f}" in card and len(trained.german.aucs) == 25
    assert "## Challenger: gradient boosting (reported, not served)" in card
    assert "| scorecard | challenger (gradient boosting) | oracle (true PD) |" in card
    assert f"Holdout AUC {trained.challenger.auc:.4f} against the scorecard's" in card
    assert f"| AUC | {trained.scorecard.auc:.4f} | {trained.challenger.auc:.4f} |" in card
    # Not served: nothing of the challenger is written for the API to load.
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted([LATEST, json_path.name, card_path.name])
    assert "challenger" not in json_path.read_text().lower()
    assert latest_model_path(tmp_path) == json_path
    assert load_model(json_path).model_version_ == trained.version
    assert json.loads(json_path.read_text())["model_version"] == trained.version


def test_feature_vector_reads_figures_and_marks_missing_as_nan() -> None:
    record = {
        "figures": {
            "tenure": {"days": 400},
            "sales_365d": {"amount": 0, "count": 0},
            "paydex_as_payer": {"index": None, "reason": "too few experiences"},
            "repayment_record": {"on_time": 3, "late": 1},
            "disputes": {"rejected": 1, "trades": 4, "rate": 0.25},
        }
    }
    vector = feature_vector(record)
    assert set(vector) == set(FEATURE_NAMES)
    assert vector["tenure_days"] == 400.0 and vector["log_sales_365d"] == 0.0
    assert vector["repayment_late_share"] == 0.25 and vector["dispute_rate"] == 0.25
    assert math.isnan(vector["paydex_as_payer"]) and math.isnan(vector["sales_growth"])


def cache_records(engine: Engine, views: list[CreditRecordView], block: int) -> None:
    """Store the views as the indexer's credit-record cache does."""
    rows = [
        {
            "firm": v.firm,
            "as_of_block": block,
            "as_of_time": v.as_of,
            "record": v.to_json(include_evidence=True),
        }
        for v in views
    ]
    with engine.begin() as connection:
        connection.execute(insert(RECORDS), rows)


def test_score_all_scores_every_cached_record(trained: TrainingResult, tmp_path: Path) -> None:
    world = build_world(60, seed=21)
    engine = migrated_engine(tmp_path / "cache.sqlite")
    firms = [world.addresses[i] for i in world.scored]
    try:
        block = apply_events(engine, world_events(world, world.as_of))
        views = list(records_at(engine, sorted(firms), world.as_of))
        cache_records(engine, views, block)
        with engine.connect() as connection:
            scores = score_cached_records(connection, trained.model)
    finally:
        engine.dispose()
    expected = trained.model.assess(feature_matrix(views))
    assert scores.firms == tuple(sorted(firms)) and scores.unavailable == 0
    assert np.array_equal(scores.result.pd, expected.pd)
    assert sum(scores.grade_counts().values()) == len(firms)


def test_scf_score_all_prints_how_many_firms_it_scored(
    trained: TrainingResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from backend.cli import app

    world = build_world(40, seed=22)
    engine = migrated_engine(tmp_path / "cache.sqlite")
    firms = sorted(world.addresses[i] for i in world.scored)
    try:
        block = apply_events(engine, world_events(world, world.as_of))
        cache_records(engine, list(records_at(engine, firms, world.as_of)), block)
    finally:
        engine.dispose()
    write_model(trained, tmp_path / "models")
    monkeypatch.setenv("SCF_DATABASE_URL", f"sqlite:///{tmp_path / 'cache.sqlite'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["score", "--all", "--models", str(tmp_path / "models")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"scored {len(firms)} firms (0 records unavailable)" in result.output
    assert trained.version in result.output


def test_train_command_writes_model_card_and_latest(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backend.cli import app

    out = tmp_path / "models"
    args = ["model", "train", "--seed", "3", "--firms", "300", "--no-german", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    version = (out / "LATEST").read_text().strip()
    assert (out / f"{version}.json").exists() and (out / f"{version}.md").exists()
    assert "holdout AUC" in result.output
    assert "challenger (gradient boosting, reported, not served): holdout AUC" in result.output
    assert load_model(out / f"{version}.json").model_version_ == version
