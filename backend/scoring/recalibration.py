"""``scf model calibrate``: set a model's level from the ledger it serves.

The ledger knows its own realised defaults (:mod:`backend.credit.outcomes`). The population is
every supplier and core enterprise registered a year before ``as_of`` (T0 = as_of - 365 d), scored
on its credit record at T0; its outcome is a default as obligor or as borrower in (T0, as_of].
With at least ``min_defaults`` defaults the intercept and slope are refitted on them; with fewer,
the command says how many there are and sets the level without outcomes, on today's population:
ledger-informed (default) or the plain central tendency. The result is a new model version (a
model file is never rewritten) with its own card, and ``LATEST`` points at it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import Connection

from backend.credit.outcomes import defaulted_between, firms_registered_by
from backend.credit.record import compute_record
from backend.scoring import calibration as cal
from backend.scoring.features import feature_matrix, thin_files
from backend.scoring.grades import pd_band
from backend.scoring.metrics import GradeCalibration, calibration_by_grade
from backend.scoring.scorecard import Calibration, Scorecard

logger = logging.getLogger(__name__)

YEAR = 365 * 86_400


class Level(StrEnum):
    """How to set the level when there are too few outcomes."""

    LEDGER = "ledger"
    CENTRAL = "central"


@dataclass(frozen=True, eq=False)
class CalibrationRun:
    model: Scorecard
    previous: str
    as_of: int
    observed_at: int
    firms: int
    defaults: int
    min_defaults: int
    calibration: Calibration
    mean_pd: float | None  # after: over the outcome sample (outcomes) or today's population
    realised: float | None
    grades: tuple[GradeCalibration, ...]

    @property
    def refitted(self) -> bool:
        return self.calibration.method == cal.METHOD_OUTCOMES

    def sentences(self) -> list[str]:
        lines = [
            f"outcomes: {self.firms} firms registered by T0 = {self.observed_at}, "
            f"{self.defaults} defaulted by {self.as_of} (as obligor or borrower)"
        ]
        if not self.refitted:
            lines.append(
                f"fewer than {self.min_defaults} defaults: not enough to refit; level set without "
                "outcomes"
            )
        lines.append(f"calibration: {cal.describe(self.calibration)}")
        if self.mean_pd is not None and self.realised is not None:
            lines.append(
                f"mean PD {self.mean_pd:.2%} against the realised rate {self.realised:.2%} "
                f"({self.mean_pd / self.realised - 1:+.1%}); grades with the observed rate in its "
                f"95% binomial band: {sum(g.observed_in_band for g in self.grades)} of "
                f"{len(self.grades)}"
            )
        elif self.mean_pd is not None:
            lines.append(
                f"mean PD over today's {self.calibration.population} firms {self.mean_pd:.2%}"
            )
        return lines


def _scored(
    connection: Connection, model: Scorecard, firms: list[str], as_of: int
) -> tuple[Any, Any, Any]:
    records = [compute_record(connection, firm, as_of).to_json() for firm in firms]
    X = feature_matrix(records)
    thin = thin_files(records)
    raw = model.raw_logit(X)
    return raw, thin, cal.margins(model, thin, raw.size)


def recalibrate(
    connection: Connection,
    model: Scorecard,
    as_of: int,
    central_tendency: float = cal.DEFAULT_CENTRAL_TENDENCY,
    level: Level = Level.LEDGER,
    min_defaults: int = cal.MIN_DEFAULTS,
) -> CalibrationRun:
    """A new version of ``model`` calibrated on the ledger as of ``as_of`` (see the module)."""
    observed_at = as_of - YEAR
    firms = firms_registered_by(connection, observed_at)
    defaulted = defaulted_between(connection, firms, observed_at, as_of) if firms else set()
    y = np.array([firm in defaulted for firm in firms], dtype=np.int8)
    defaults = int(y.sum())
    grades: tuple[GradeCalibration, ...] = ()
    mean_pd = realised = None
    if firms and defaults >= min_defaults and defaults < len(firms):
        raw, thin, offset = _scored(connection, model, firms, observed_at)
        calibration = cal.from_outcomes(raw, y, offset)
        after = cal.served_pd(model, raw, calibration, thin)
        grades = calibration_by_grade(y, after)
        mean_pd, realised = float(after.mean()), float(y.mean())
    else:
        today = firms_registered_by(connection, as_of)
        if not today:
            raise ValueError(f"no supplier or core enterprise is registered by {as_of}")
        raw, thin, offset = _scored(connection, model, today, as_of)
        if level is Level.LEDGER:
            calibration = cal.to_ledger_level(model, raw, central_tendency, offset)
        else:
            calibration = cal.to_central_tendency(raw, central_tendency, offset)
        mean_pd = float(cal.served_pd(model, raw, calibration, thin).mean())
    new = model.calibrated(
        calibration,
        recalibrated_from=str(model.model_version_),
        recalibrated_as_of=as_of,
    )
    logger.info(
        "scoring.calibrated model=%s from=%s method=%s firms=%d defaults=%d",
        new.model_version_, model.model_version_, calibration.method, len(firms), defaults,
    )  # fmt: skip
    return CalibrationRun(
        new, str(model.model_version_), as_of, observed_at, len(firms), defaults, min_defaults,
        calibration, mean_pd, realised, grades,
    )  # fmt: skip


def calibration_card(run: CalibrationRun) -> str:
    """The card of a recalibrated model: what it was calibrated on and how it fits."""
    lines = [
        f"# Model card: {run.model.model_version_}",
        "",
        f"Recalibrated from `{run.previous}` (its card: `{run.previous}.md`; bins, weights and "
        f"points other than the level are the same) on the ledger as of {run.as_of}.",
        "",
        *[f"- {line}" for line in run.sentences()],
        "",
    ]
    if run.grades:
        lines += [
            "| grade | PD band | firms | defaults | observed rate | mean PD | 95% binomial band "
            "| observed in band |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for g in run.grades:
            low, high = pd_band(g.grade)
            lines.append(
                f"| {g.grade} | ({low:.2%}, {high:.2%}] | {g.n} | {g.defaults} | "
                f"{g.observed_rate:.2%} | {g.mean_pd:.2%} | [{g.expected_lower:.2%}, "
                f"{g.expected_upper:.2%}] | {'yes' if g.observed_in_band else '**no**'} |"
            )
        lines.append("")
    return "\n".join(lines)
