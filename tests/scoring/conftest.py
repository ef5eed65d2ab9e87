"""Shared fixtures: one fitted synthetic scorecard per session (fitting is deterministic)."""

from __future__ import annotations

import pytest

from backend.scoring.scorecard import Scorecard
from backend.scoring.synthetic import SyntheticCredit, make_synthetic_credit


@pytest.fixture(scope="session")
def synthetic_train() -> SyntheticCredit:
    return make_synthetic_credit(20_000, seed=1)


@pytest.fixture(scope="session")
def synthetic_test() -> SyntheticCredit:
    return make_synthetic_credit(5_000, seed=2)


@pytest.fixture(scope="session")
def fitted(synthetic_train: SyntheticCredit) -> Scorecard:
    return Scorecard(synthetic_train.features).fit(synthetic_train.X, synthetic_train.y)
