"""Scoring the cached credit records (``credit_record`` table) with a stored model."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, select

from backend.credit.models import CreditRecord
from backend.db import table_of
from backend.scoring.features import feature_matrix, thin_files
from backend.scoring.grades import GRADES
from backend.scoring.scorecard import Scorecard, ScoreResult

RECORDS = table_of(CreditRecord)


@dataclass(frozen=True, eq=False)
class BatchScores:
    """Every available cached record scored: firms in address order, the vectorised result
    (thin files with their margin), the characteristics, and the time spent reading and
    scoring."""

    firms: tuple[str, ...]
    result: ScoreResult
    X: dict[str, NDArray[np.float64]]
    thin: NDArray[np.bool_]
    unavailable: int
    read_seconds: float
    score_seconds: float

    def grade_counts(self) -> dict[str, int]:
        counts = Counter(str(grade) for grade in self.result.grade)
        return {grade: counts[grade] for grade in GRADES if counts[grade]}


def score_cached_records(connection: Connection, model: Scorecard) -> BatchScores:
    """Score every firm's cached record (records of firms not registered at their time are
    counted, not scored)."""
    started = time.perf_counter()
    rows = connection.execute(
        select(RECORDS.c.firm, RECORDS.c.record).order_by(RECORDS.c.firm)
    ).all()
    available = [(row.firm, row.record) for row in rows if row.record.get("available")]
    X = feature_matrix(record for _, record in available)
    thin = thin_files(record for _, record in available)
    read = time.perf_counter() - started
    started = time.perf_counter()
    result = model.assess(X, thin=thin)
    return BatchScores(
        firms=tuple(firm for firm, _ in available),
        result=result,
        X=X,
        thin=thin,
        unavailable=len(rows) - len(available),
        read_seconds=read,
        score_seconds=time.perf_counter() - started,
    )
