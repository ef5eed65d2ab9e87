"""``scf model``: train a scorecard on simulated histories, and score the cached credit records.

Mount with ``app.add_typer(model_app, name="model")``:

- ``scf model train --seed N [--firms N] [--out models] [--quick]``
- ``scf model calibrate [--as-of T] [--central-tendency 0.06] [--level ledger|central]``
- ``scf model score --all [--models models]`` (also ``scf score --all``)
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError

from backend.db import make_engine
from backend.settings import get_settings

if TYPE_CHECKING:
    from backend.scoring.scorecard import Scorecard

model_app = typer.Typer(help="credit scoring models", no_args_is_help=True)
console = Console(width=None if Console().is_terminal else 130)


@model_app.callback()
def model() -> None:
    """Credit scoring models: train on simulated histories, score cached credit records."""


QUICK_FIRMS = 1_800


@model_app.command("train")
def train_command(
    seed: int = typer.Option(..., help="seed of the simulated worlds and of the holdout splits"),
    firms: int = typer.Option(
        7_200, help="firms over all the simulated worlds (banks and vendors excluded)"
    ),
    out: str | None = typer.Option(
        None, help="directory for <version>.json and <version>.md (default: SCF_MODELS_DIR)"
    ),
    german: bool = typer.Option(True, "--german/--no-german", help="German credit 5x5 CV"),
    central_tendency: float = typer.Option(
        0.06, help="the portfolio's long-run default rate the PDs are calibrated to"
    ),
    quick: bool = typer.Option(
        False, "--quick", help=f"{QUICK_FIRMS} firms, no held-out evaluation (the demo's model)"
    ),
    attestation_firms: int = typer.Option(
        400, help="firms per world of the attestation comparison (one world a family; 0: skip)"
    ),
) -> None:
    """Train the scorecard on many simulated worlds; write the model and its model card."""
    from backend.scoring.attested import AttestationPlan
    from backend.scoring.training import (
        TARGET_LEVEL_FACTOR,
        TARGET_ORACLE_RATIO,
        model_card,
        targets,
        train,
        write_model,
    )

    result = train(
        seed,
        QUICK_FIRMS if quick else firms,
        german=german and not quick,
        central_tendency=central_tendency,
        evaluate=not quick,
        attestations=AttestationPlan(seed, attestation_firms) if attestation_firms else None,
    )
    json_path, card_path = write_model(result, Path(out) if out else get_settings().models_dir)
    console.print(f"model {result.version}: {json_path} and {card_path}", highlight=False)
    plan = result.plan
    console.print(
        f"{len(result.worlds)} worlds ({plan.worlds_per_family} per family, "
        f"{plan.firms_per_world} firms each); simulation {result.simulate_seconds:.0f} s, "
        f"total {result.seconds:.0f} s",
        highlight=False,
    )
    met = targets(result)
    for fam in result.families:
        factors = ", ".join(f"{f:.2f}" for f in fam.factors("ledger_level"))
        recalibrated = [r.recalibrated for r in fam.recalibrated() if r.recalibrated]
        after = ", ".join(
            f"{c.level_error:+.0%} ({c.grades_in_band}/{len(c.grades)} grades)"
            for c in recalibrated
        )
        console.print(
            f"held out {fam.name:<15} expected AUC / oracle {fam.mean('ratio'):.3f} (worst "
            f"{fam.worst_ratio():.3f}, target {TARGET_ORACLE_RATIO}; in distribution "
            f"{fam.mean('ratio', held_out=False):.3f}; challenger "
            f"{fam.mean('challenger_ratio'):.3f}); mean PD / true {factors} (target within "
            f"{TARGET_LEVEL_FACTOR}x); after calibrate {after or 'too few defaults'}; "
            f"ranking {'met' if met[fam.name]['ranking'] else 'NOT met'}",
            highlight=False,
        )
    if result.attestations is not None:
        for comparison in result.attestations.families:
            a, b = comparison.without, comparison.with_attestations
            console.print(
                f"attestations held out {comparison.family:<15} AUC {a.auc:.3f} -> {b.auc:.3f} "
                f"(lift {comparison.lift:+.3f}; no devices {a.auc_no_devices:.3f} -> "
                f"{b.auc_no_devices:.3f}); fraud TPR at 5% FPR {a.fraud_tpr:.0%} -> "
                f"{b.fraud_tpr:.0%}; flag TPR {comparison.flag_tpr:.0%} FPR "
                f"{comparison.flag_fpr:.0%}",
                highlight=False,
            )
        verdict = "helps" if result.attestations.helps else "does not meet the rule"
        console.print(
            f"attestations mean AUC lift {result.attestations.mean_lift:+.3f}: {verdict}",
            highlight=False,
        )
    if result.german.aucs:
        console.print(f"German credit 5x5 CV AUC {result.german.mean:.4f}", highlight=False)
    del model_card


@model_app.command("calibrate")
def calibrate_command(
    as_of: int | None = typer.Option(None, help="Unix time of the ledger (default: now)"),
    central_tendency: float = typer.Option(
        0.06, help="the portfolio's long-run default rate (policy parameter)"
    ),
    level: str = typer.Option(
        "ledger", help="without enough outcomes: 'ledger' (ledger-informed) or 'central'"
    ),
    min_defaults: int = typer.Option(50, help="realised defaults needed to refit"),
    models: str | None = typer.Option(
        None, help="directory of trained models (default: SCF_MODELS_DIR)"
    ),
) -> None:
    """Recalibrate the latest model on the ledger's realised defaults (or its population)."""
    from backend.scoring.recalibration import Level, calibration_card, recalibrate
    from backend.scoring.training import write_files

    try:
        chosen = Level(level)
    except ValueError:
        console.print(f"[red]--level must be 'ledger' or 'central', not {level!r}[/red]")
        raise typer.Exit(2) from None
    directory = Path(models) if models else get_settings().models_dir
    model, _path = _latest_model(directory)
    engine = make_engine(get_settings().effective_database_url)
    try:
        with engine.connect() as connection:
            run = recalibrate(
                connection, model, as_of or int(time.time()), central_tendency, chosen,
                min_defaults,
            )  # fmt: skip
    except ValueError as error:
        console.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    json_path, card_path = write_files(run.model, calibration_card(run), directory)
    console.print(f"model {run.model.model_version_}: {json_path} and {card_path}", highlight=False)
    for line in run.sentences():
        console.print(line, highlight=False)


@model_app.command("score")
def score_command(
    all_firms: bool = typer.Option(False, "--all", help="score every cached credit record"),
    models: str | None = typer.Option(
        None, help="directory of trained models (default: SCF_MODELS_DIR)"
    ),
) -> None:
    """Score every firm's cached credit record with the latest model and print a summary."""
    from backend.scoring.monitoring import record_run, stability
    from backend.scoring.service import score_cached_records

    if not all_firms:
        console.print("nothing to score: pass --all")
        raise typer.Exit(2)
    directory = Path(models) if models else get_settings().models_dir
    model, path = _latest_model(directory)
    engine = make_engine(get_settings().effective_database_url)
    try:
        with engine.connect() as connection:
            scores = score_cached_records(connection, model)
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0] if error.orig else str(error)
        console.print(f"[red]cannot read the credit records: {reason}[/red]", highlight=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    count = len(scores.firms)
    console.print(f"model {model.model_version_} ({path})", highlight=False)
    console.print(
        f"scored {count} firms ({scores.unavailable} records unavailable) in "
        f"{scores.score_seconds:.3f} s (+ {scores.read_seconds:.3f} s reading)",
        highlight=False,
    )
    for grade, n in scores.grade_counts().items():
        console.print(f"  {grade:<4} {n:>8}  {n / max(count, 1):6.1%}", highlight=False)
    if count:
        thin = int(scores.thin.sum())
        console.print(
            f"thin files {thin} ({thin / count:.1%}): scored with a margin of "
            f"x{math.exp(model.thin_file_margin):.2f} on their odds; mean PD "
            f"{float(scores.result.pd.mean()):.2%}",
            highlight=False,
        )
        shift = stability(model, scores.X)
        record_run(directory, shift)
        style = "[yellow]" if shift.alert else ""
        console.print(f"{style}{shift.sentence()}", highlight=False)


def _latest_model(directory: Path) -> tuple[Scorecard, Path]:
    """The latest model in ``directory`` and its path; exit 1, saying why, when there is none."""
    from backend.scoring.store import latest_model_path, load_model

    try:
        path = latest_model_path(directory)
        return load_model(path), path
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(1) from None
