"""``scf model``: train a scorecard on simulated histories, and score the cached credit records.

Mount with ``app.add_typer(model_app, name="model")``:

- ``scf model train --seed N [--firms N] [--out models]``
- ``scf model score --all [--models models]`` (also ``scf score --all``)
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError

from backend.db import make_engine
from backend.settings import get_settings

model_app = typer.Typer(help="credit scoring models", no_args_is_help=True)
console = Console(width=None if Console().is_terminal else 130)


@model_app.callback()
def model() -> None:
    """Credit scoring models: train on simulated histories, score cached credit records."""


@model_app.command("train")
def train_command(
    seed: int = typer.Option(..., help="seed of the simulated world and of the holdout split"),
    firms: int = typer.Option(3_000, help="firms in the simulated world (banks excluded)"),
    out: str | None = typer.Option(
        None, help="directory for <version>.json and <version>.md (default: SCF_MODELS_DIR)"
    ),
    german: bool = typer.Option(True, "--german/--no-german", help="German credit 5x5 CV"),
) -> None:
    """Train the scorecard on a simulated world; write the model and its model card."""
    from backend.scoring.training import TARGET_ORACLE_RATIO, train, write_model

    result = train(seed, firms, german=german)
    json_path, card_path = write_model(result, Path(out) if out else get_settings().models_dir)
    card, oracle = result.scorecard, result.oracle
    calibrated = sum(c.within_band for c in card.calibration)
    console.print(f"model {result.version}: {json_path} and {card_path}", highlight=False)
    console.print(
        f"holdout AUC {card.auc:.4f} (oracle {oracle.auc:.4f}, ratio {card.auc / oracle.auc:.3f}, "
        f"target {TARGET_ORACLE_RATIO}); KS {card.ks:.3f}; Brier {card.brier:.4f}; "
        f"grades calibrated {calibrated}/{len(card.calibration)}; PSI {result.psi:.4f}",
        highlight=False,
    )
    console.print(
        f"challenger (gradient boosting, reported, not served): holdout AUC "
        f"{result.challenger.auc:.4f} ({result.challenger.auc - card.auc:+.4f} on the scorecard)",
        highlight=False,
    )
    if result.german.aucs:
        console.print(f"German credit 5x5 CV AUC {result.german.mean:.4f}", highlight=False)
    console.print(
        f"data set {result.data.seconds:.1f} s, total {result.seconds:.1f} s", highlight=False
    )


@model_app.command("score")
def score_command(
    all_firms: bool = typer.Option(False, "--all", help="score every cached credit record"),
    models: str | None = typer.Option(
        None, help="directory of trained models (default: SCF_MODELS_DIR)"
    ),
) -> None:
    """Score every firm's cached credit record with the latest model and print a summary."""
    from backend.scoring.service import score_cached_records
    from backend.scoring.store import latest_model_path, load_model

    if not all_firms:
        console.print("nothing to score: pass --all")
        raise typer.Exit(2)
    try:
        path = latest_model_path(Path(models) if models else get_settings().models_dir)
    except FileNotFoundError as error:
        console.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(1) from None
    model = load_model(path)
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
