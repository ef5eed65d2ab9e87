"""`scf model calibrate`: a ledger with known defaults recalibrates to them; a ledger without
enough says how many it has and sets the level without outcomes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from backend.credit.outcomes import defaulted_between
from backend.scoring.recalibration import Level, calibration_card, recalibrate
from backend.scoring.scorecard import Scorecard
from backend.scoring.store import LATEST, load_model
from backend.scoring.training import write_files
from backend.settings import get_settings
from backend.sim.world import (
    YEAR,
    WorldParams,
    apply_events,
    build_world,
    migrated_engine,
    world_events,
)

RISKY = WorldParams(base_rate=0.2, vendors=0.1, history_months=12)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Engine, set[str], int]:
    """A world written a year past T, receivables and their defaults included: the firms whose
    receivables were marked DEFAULTED in (T, T + 365 d] are the known defaults."""
    world = build_world(450, seed=31, params=RISKY)
    until = world.as_of + YEAR
    pending = world_events(world, until, receivables="all")
    path = tmp_path_factory.mktemp("ledger") / "ledger.sqlite"
    engine = migrated_engine(path)
    apply_events(engine, pending)
    known = {
        e.args["obligor"]
        for e in pending
        if e.name == "ReceivableDefaulted" and world.as_of < e.time <= until
    }
    defaulters = {world.addresses[i] for i in np.flatnonzero(world.default == 1)}
    assert known and known <= defaulters  # only defaulters are marked, and only after T
    return path, engine, known, world.as_of


def test_the_ledger_shows_the_known_defaults(ledger) -> None:
    _, engine, known, as_of = ledger
    with engine.connect() as connection:
        found = defaulted_between(
            connection, sorted(known) + ["0x" + "ab" * 20], as_of, as_of + YEAR
        )
        before = defaulted_between(connection, sorted(known), as_of - YEAR, as_of)
    assert found == known and before == set()


def test_a_ledger_with_known_defaults_recalibrates_to_them(
    ledger, trained_model: Scorecard
) -> None:
    _, engine, known, as_of = ledger
    with engine.connect() as connection:
        run = recalibrate(connection, trained_model, as_of + YEAR)
    assert run.defaults == len(known) >= 50 and run.refitted
    assert run.calibration.outcomes == run.firms and run.calibration.defaults == len(known)
    assert run.realised == pytest.approx(len(known) / run.firms)
    assert run.mean_pd is not None and abs(run.mean_pd / run.realised - 1) <= 0.15
    outside = [
        (g.grade, g.n, g.defaults, round(g.mean_pd, 4))
        for g in run.grades
        if not g.observed_in_band
    ]
    assert not outside
    assert run.model.model_version_ != trained_model.model_version_
    assert run.model.extra_["recalibrated_from"] == trained_model.model_version_
    card = calibration_card(run)
    assert "refitted on" in card and "| grade |" in card


def test_too_few_outcomes_are_counted_and_the_level_set_without_them(
    ledger, trained_model: Scorecard
) -> None:
    _, engine, _, as_of = ledger
    with engine.connect() as connection:  # at T: nothing has defaulted yet
        ledger_run = recalibrate(connection, trained_model, as_of)
        central = recalibrate(connection, trained_model, as_of, 0.04, Level.CENTRAL)
    assert ledger_run.defaults == 0 and not ledger_run.refitted
    assert "fewer than 50 defaults" in " ".join(ledger_run.sentences())
    assert ledger_run.calibration.method == "ledger_level"
    assert central.calibration.method == "central_tendency"
    assert central.mean_pd == pytest.approx(0.04, rel=1e-4)


def test_scf_model_calibrate_writes_a_new_latest_model(
    ledger, trained_model: Scorecard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from backend.cli import app

    path, _, known, as_of = ledger
    models = tmp_path / "models"
    write_files(trained_model, "# card\n", models)
    monkeypatch.setenv("SCF_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    try:
        args = ["model", "calibrate", "--as-of", str(as_of + YEAR), "--models", str(models)]
        result = CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"{len(known)} defaulted" in result.output and "refitted on" in result.output
    version = (models / LATEST).read_text().strip()
    assert version != trained_model.model_version_
    assert load_model(models / f"{version}.json").calibration_.method == "outcomes"
    assert "Recalibrated from" in (models / f"{version}.md").read_text()
