"""Training on many simulated worlds: it learns, it is judged on families it never saw, it is
reproducible, its card says what it must."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, insert

from backend.credit.models import CreditRecord
from backend.credit.record import CreditRecordView
from backend.scoring.calibration import level_model_of
from backend.scoring.features import FEATURE_NAMES, feature_matrix, feature_vector, thin_files
from backend.scoring.monitoring import LAST_RUN, REFERENCE_KEY
from backend.scoring.service import score_cached_records
from backend.scoring.store import LATEST, latest_model_path, load_model
from backend.scoring.training import (
    TrainingResult,
    holdout_mask,
    model_json,
    plan_for,
    train,
    write_model,
)
from backend.settings import get_settings
from backend.sim.families import FAMILY_NAMES, world_seed
from backend.sim.world import apply_events, build_world, migrated_engine, records_at, world_events

SEED, FIRMS = 5, 600
RECORDS = CreditRecord.__table__  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def trained() -> TrainingResult:
    return train(SEED, FIRMS, german=True)


def test_every_family_is_judged_on_all_its_worlds_and_rows(trained: TrainingResult) -> None:
    assert [f.name for f in trained.families] == list(FAMILY_NAMES)
    plan = trained.plan
    assert plan == plan_for(SEED, FIRMS) and plan.worlds_per_family == 1
    for family in trained.families:
        worlds = [w for w in trained.worlds if w.family == family.name]
        assert len(family.held_out) == len(worlds) == plan.worlds_per_family
        assert family.name not in family.trained_on
        assert sorted(family.trained_on) == sorted(set(FAMILY_NAMES) - {family.name})
        results = zip(worlds, family.held_out, family.in_distribution, strict=True)
        for world, held_out, inside in results:
            # held out: every supplier of the world; in distribution: only its 30% holdout rows
            suppliers = world.suppliers
            assert held_out.suppliers == int(suppliers.sum())
            rows = holdout_mask(world.data.y, world_seed(world.family, SEED, world.index))
            assert inside.suppliers == int(suppliers[rows].sum()) < held_out.suppliers
            assert 0.0 <= held_out.thin_share < 1.0


def test_the_model_ranks_unseen_families_far_better_than_chance(trained: TrainingResult) -> None:
    for family in trained.families:
        assert family.mean("ratio") > 0.75, family.name  # a coin scores 0.5 / oracle
        assert family.mean("challenger_ratio") > 0.6, family.name
        for result in family.held_out:
            assert set(result.mean_pd) == {"as_trained", "central_tendency", "ledger_level"}
            assert result.factor("central_tendency") == pytest.approx(
                0.06 / result.base_rate, rel=0.25
            )


def test_the_served_model_carries_its_level_model_and_training_reference(
    trained: TrainingResult,
) -> None:
    model = trained.model
    levels = level_model_of(model)
    assert levels is not None and levels.worlds == len(trained.worlds)
    assert len(model.extra_[REFERENCE_KEY]["shares"]) == 10
    assert model.calibration_.method == "central_tendency" and model.calibration_.target == 0.06
    # Thin files are scored, not given a flat number: their PDs spread like everyone's.
    X = {n: np.concatenate([w.data.X[n] for w in trained.worlds]) for n in FEATURE_NAMES}
    thin = np.concatenate([w.data.thin for w in trained.worlds])
    pd = model.predict_proba(X, thin=thin)[:, 1]
    assert thin.any() and np.unique(pd[thin]).size > 20
    assert pd.mean() == pytest.approx(0.06, rel=1e-3)  # the central tendency, margins included


def test_training_is_reproducible_bit_for_bit(tmp_path: Path) -> None:
    one = train(SEED, 360, german=False, evaluate=False)
    two = train(SEED, 360, german=False, evaluate=False)
    assert model_json(one.model) == model_json(two.model)
    first, _ = write_model(one, tmp_path / "a")
    second, _ = write_model(two, tmp_path / "b")
    assert first.name == second.name and first.read_bytes() == second.read_bytes()
    other = train(SEED + 1, 360, german=False, evaluate=False)
    assert model_json(other.model) != model_json(one.model)


def test_model_card_has_the_required_sections(trained: TrainingResult, tmp_path: Path) -> None:
    json_path, card_path = write_model(trained, tmp_path)
    card = card_path.read_text(encoding="utf-8")
    for heading in (
        "## Ranking on held-out families",
        "## Discrimination, accuracy and stability, held out against in distribution",
        "## Level without outcomes: mean PD against mean true PD",
        "## Level with outcomes: after `scf model calibrate`",
        "## Targets (every held-out family)",
        "## German credit benchmark",
        "## The worlds",
        "## Characteristics (served model)",
    ):
        assert heading in card
    for family in FAMILY_NAMES:
        assert f"| {family} |" in card
    for words in ("expected AUC / oracle", "Gini", "KS", "Brier", "PSI", "challenger", "0.789"):
        assert words in card
    assert f"{trained.german.mean:.4f}" in card and len(trained.german.aucs) == 25
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
            "tenure_relative": {"percentile": 0.8, "firms": 10},
            "size_relative": {"percentile": 0.0, "log_ratio_to_median": None},
            "payment_delays_as_payer": {"days_beyond_terms": 4.5, "experiences": 1},
            "repayment_record": {"on_time": 3, "late": 1},
            "disputes": {"rejected": 1, "trades": 4, "rate": 0.25, "rate_180d": None},
        }
    }
    vector = feature_vector(record)
    assert set(vector) == set(FEATURE_NAMES)
    assert vector["tenure_percentile"] == 0.8 and vector["size_percentile"] == 0.0
    assert vector["dbt_as_payer"] == 4.5  # one experience is evidence: no PAYDEX needed
    assert vector["repayment_late_share"] == 0.25 and vector["dispute_rate"] == 0.25
    assert math.isnan(vector["dispute_rate_180d"]) and math.isnan(vector["sales_trend"])
    assert "sales_growth" not in vector and "log_sales_365d" not in vector  # amounts travel badly
    assert thin_files([record]).tolist() == [True]


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
    expected = trained.model.assess(feature_matrix(views), thin=thin_files(views))
    assert scores.firms == tuple(sorted(firms)) and scores.unavailable == 0
    assert np.array_equal(scores.result.pd, expected.pd)
    assert np.array_equal(scores.thin, thin_files(views))
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
    assert (
        "thin files" in result.output and "population stability: PSI of the scores" in result.output
    )
    run = json.loads((tmp_path / "models" / LAST_RUN).read_text())
    assert run["model_version"] == trained.version and run["firms"] == len(firms)


def test_train_command_writes_model_card_and_latest(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backend.cli import app

    out = tmp_path / "models"
    args = ["model", "train", "--seed", "3", "--firms", "360", "--no-german", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    version = (out / "LATEST").read_text().strip()
    assert (out / f"{version}.json").exists() and (out / f"{version}.md").exists()
    assert "6 worlds (1 per family, 60 firms each)" in result.output
    for family in FAMILY_NAMES:
        assert f"held out {family}" in result.output
    assert load_model(out / f"{version}.json").model_version_ == version
