"""The PAYDEX table, its interpolation and the rule for showing the index."""

from __future__ import annotations

import pytest

from backend.credit.paydex import Experience, paydex, paydex_score


def test_paydex_score_follows_the_published_table_and_clamps_at_its_ends():
    days = (-45, -30, -20, 0, 15, 22, 30, 60, 90, 120, 400)
    assert [paydex_score(d) for d in days] == [100, 100, 90, 80, 70, 60, 50, 40, 30, 20, 20]


def test_paydex_score_is_linear_between_the_points():
    assert paydex_score(-25) == pytest.approx(95)  # halfway between 100 and 90
    assert paydex_score(7.5) == pytest.approx(75)  # halfway between 80 and 70
    assert paydex_score(18.5) == pytest.approx(65)  # halfway between 70 (15 d) and 60 (22 d)
    assert paydex_score(45) == pytest.approx(45)  # halfway between 50 (30 d) and 40 (60 d)


def _experience(amount: int, days: float, counterparty: str) -> Experience:
    return Experience(amount, days, counterparty, (1,))


def test_the_index_is_dollar_weighted():
    found = paydex(
        [_experience(3_000, 0, "a"), _experience(1_000, 60, "b"), _experience(1_000, -30, "a")]
    )
    # (3,000 * 80 + 1,000 * 40 + 1,000 * 100) / 5,000 = 76; days (0 + 60,000 - 30,000) / 5,000 = 6
    assert found == {
        "index": pytest.approx(76),
        "days_beyond_terms": pytest.approx(6),
        "experiences": 3,
        "counterparties": 2,
        "amount": 5_000,
        "reason": None,
    }


@pytest.mark.parametrize(
    ("counterparties", "reason"),
    [
        (["a", "a", "a"], "insufficient experiences: 3 from 1 counterparties"),
        (["a", "b"], "insufficient experiences: 2 from 2 counterparties"),
    ],
)
def test_the_index_needs_three_experiences_from_two_counterparties(counterparties, reason):
    found = paydex([_experience(1_000, 0, c) for c in counterparties])
    assert found["index"] is None and found["days_beyond_terms"] is None
    assert found["reason"] == reason
