"""Risk functions: IRB capital, rate components, limit constraints and the thin-file policy."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from scipy.stats import norm

from backend.scoring.risk import (
    ADVANCE_RATE_BPS,
    MIN_COUNTERPARTIES,
    MIN_PAYMENT_EXPERIENCES,
    POLICY_INSUFFICIENT_HISTORY,
    POLICY_SCORECARD,
    irb_capital_requirement,
    irb_correlation,
    irb_risk_weight,
    is_thin_file,
    recommended_limit,
    risk_based_rate,
    thin_file_policy,
)

# -- IRB ------------------------------------------------------------------------------------------


def _scipy_k(pd: float, lgd: float, m: float, sales: float | None) -> float:
    """Independent re-computation with scipy's normal distribution, written out longhand."""
    w = (1 - math.exp(-50 * pd)) / (1 - math.exp(-50))
    r = 0.12 * w + 0.24 * (1 - w)
    if sales is not None:
        r -= 0.04 * (1 - (min(max(sales, 5.0), 50.0) - 5) / 45)
    b = (0.11852 - 0.05478 * math.log(pd)) ** 2
    x = norm.ppf(pd) / math.sqrt(1 - r) + math.sqrt(r / (1 - r)) * norm.ppf(0.999)
    return (lgd * norm.cdf(x) - pd * lgd) * (1 + (m - 2.5) * b) / (1 - 1.5 * b)


def test_risk_weight_with_sme_adjustment() -> None:
    assert round(100 * irb_risk_weight(0.01, 0.45, 2.5, sales_eur_millions=5.0), 2) == 72.39


def test_risk_weight_without_sme_adjustment() -> None:
    assert round(100 * irb_risk_weight(0.01, 0.45, 2.5), 2) == 92.32


@pytest.mark.parametrize(
    ("pd", "risk_weight_percent"),
    # Basel II illustrative IRB risk weights, corporate, LGD 45%, M 2.5 years, no 1.06 factor
    [(0.0003, 14.44), (0.001, 29.65), (0.005, 69.61), (0.03, 128.44), (0.10, 193.09)],
)
def test_published_risk_weights(pd: float, risk_weight_percent: float) -> None:
    assert 100 * irb_risk_weight(pd, 0.45, 2.5) == pytest.approx(risk_weight_percent, abs=0.005)


@pytest.mark.parametrize("pd", [0.0005, 0.003, 0.02, 0.2, 0.7])
@pytest.mark.parametrize("lgd", [0.1, 0.45, 1.0])
@pytest.mark.parametrize("maturity", [0.25, 1.0, 4.0])
@pytest.mark.parametrize("sales", [None, 2.0, 20.0, 80.0])
def test_capital_matches_scipy_recomputation(
    pd: float, lgd: float, maturity: float, sales: float | None
) -> None:
    expected = _scipy_k(pd, lgd, maturity, sales)
    assert irb_capital_requirement(pd, lgd, maturity, sales) == pytest.approx(expected, rel=1e-9)


def test_sme_adjustment_is_clamped_to_5_and_50_million() -> None:
    assert irb_correlation(0.01, 1.0) == irb_correlation(0.01, 5.0)
    assert irb_correlation(0.01, 50.0) == irb_correlation(0.01, 500.0) == irb_correlation(0.01)
    assert irb_correlation(0.01, 5.0) == pytest.approx(irb_correlation(0.01) - 0.04)


def test_maturity_is_capped_at_five_years() -> None:
    assert irb_capital_requirement(0.01, 0.45, 30.0) == irb_capital_requirement(0.01, 0.45, 5.0)
    assert irb_capital_requirement(0.01, 0.45, 0.25) < irb_capital_requirement(0.01, 0.45, 1.0)


@pytest.mark.parametrize(
    ("pd", "lgd", "m"), [(0.0, 0.45, 1.0), (1.5, 0.45, 1.0), (0.01, -0.1, 1.0), (0.01, 0.45, 0.0)]
)
def test_irb_refuses_out_of_range_inputs(pd: float, lgd: float, m: float) -> None:
    with pytest.raises(ValueError):
        irb_capital_requirement(pd, lgd, m)


def test_defaulted_obligor_needs_no_unexpected_loss_capital() -> None:
    assert irb_capital_requirement(1.0, 0.45, 1.0) == 0.0


# -- price ----------------------------------------------------------------------------------------


def test_rate_components_add_up() -> None:
    rate = risk_based_rate(0.02, 0.45, 0.5, 10.0, 0.03, 0.12, 0.01)
    k = irb_capital_requirement(0.02, 0.45, 0.5, 10.0)
    assert rate.expected_loss == 0.02 * 0.45
    assert rate.capital_requirement == k
    assert rate.capital_charge == k * 0.12
    assert rate.total == (
        rate.funding_cost + rate.expected_loss + rate.capital_charge + rate.operating_margin
    )
    assert rate.total_bps == math.ceil(rate.total * 10_000)


def test_total_bps_rounds_up_but_not_on_exact_values() -> None:
    exact = risk_based_rate(1.0, 0.0, 1.0, None, 0.03, 0.1, 0.01)  # K = 0, EL = 0
    assert exact.total_bps == 400
    assert risk_based_rate(0.0101, 0.5, 1.0, None, 0.03, 0.0, 0.01).total_bps == 451


# -- limit ----------------------------------------------------------------------------------------

BASE = {
    "pd": 0.02,
    "lgd": 0.5,
    "maturity_years": 0.25,
    "receivables_by_obligor_grade": {"AA": 1_000_000, "BB": 500_000},  # 900,000 + 350,000
    "avg_monthly_sales": 400_000,  # x 2 months = 800,000
    "expected_loss_budget": 20_000,  # / (0.02 x 0.5) = 2,000,000
    "capital_budget": 10**9,
}


def _limit(**over: object):  # type: ignore[no-untyped-def]
    return recommended_limit(**{**BASE, **over})  # type: ignore[arg-type]


def test_advance_rates_are_hand_computed() -> None:
    assert ADVANCE_RATE_BPS["AA"] == 9000 and ADVANCE_RATE_BPS["BB"] == 7000


def test_limit_bound_by_sales() -> None:
    decision = _limit()
    assert (decision.limit, decision.binding) == (800_000, "sales")
    assert dict(decision.candidates) == {
        "receivables": 1_250_000,
        "sales": 800_000,
        "expected_loss": 2_000_000,
        "capital": decision.candidates[3][1],
    }


def test_limit_bound_by_receivables() -> None:
    decision = _limit(avg_monthly_sales=700_000)
    assert (decision.limit, decision.binding) == (1_250_000, "receivables")


def test_limit_bound_by_expected_loss_budget() -> None:
    decision = _limit(expected_loss_budget=5_000)  # 5,000 / 0.01 = 500,000 exactly
    assert (decision.limit, decision.binding) == (500_000, "expected_loss")


def test_limit_bound_by_capital_budget() -> None:
    k = irb_capital_requirement(0.02, 0.5, 0.25)
    decision = _limit(capital_budget=10_000)
    assert decision.binding == "capital"
    assert decision.limit == math.floor(Fraction(10_000) / Fraction(repr(k)))
    assert k * decision.limit <= 10_000 < k * (decision.limit + 1)


def test_limit_is_an_integer_rounded_down() -> None:
    decision = _limit(receivables_by_obligor_grade={"A": 333}, avg_monthly_sales=10**9)
    assert decision.limit == 283  # 333 x 85% = 283.05
    assert isinstance(decision.limit, int)


def test_limit_shrinks_as_pd_grows() -> None:
    limits = [
        _limit(pd=pd, avg_monthly_sales=10**9, receivables_by_obligor_grade={"AAA": 10**12}).limit
        for pd in (0.005, 0.01, 0.05, 0.2)
    ]
    assert limits == sorted(limits, reverse=True) and len(set(limits)) == 4


def test_tie_names_the_first_constraint_in_order() -> None:
    decision = _limit(avg_monthly_sales=625_000)  # sales 1,250,000 = receivables
    assert decision.binding == "receivables"


@pytest.mark.parametrize(
    "bad",
    [
        {"avg_monthly_sales": -1},
        {"avg_monthly_sales": 1.5},
        {"receivables_by_obligor_grade": {"XYZ": 1}},
    ],
)
def test_limit_refuses_bad_amounts(bad: dict) -> None:
    with pytest.raises(ValueError):
        _limit(**bad)


# -- thin file -------------------------------------------------------------------------------------

THIN_RECEIVABLES = {"AAA": 300_000, "BBB": 100_000, "BB": 10_000_000}


@pytest.mark.parametrize(
    ("payments", "counterparties", "thin"),
    [(2, 2, True), (3, 1, True), (3, 2, False), (0, 0, True), (100, 100, False), (2, 50, True)],
)
def test_thin_file_thresholds(payments: int, counterparties: int, thin: bool) -> None:
    assert (MIN_PAYMENT_EXPERIENCES, MIN_COUNTERPARTIES) == (3, 2)
    assert is_thin_file(payments, counterparties) is thin
    policy = thin_file_policy(payments, counterparties, THIN_RECEIVABLES, 1_000_000)
    assert policy.thin_file is thin
    assert policy.policy == (POLICY_INSUFFICIENT_HISTORY if thin else POLICY_SCORECARD)
    assert (policy.limit is not None) is thin


def test_thin_file_limit_uses_investment_grade_receivables_only() -> None:
    policy = thin_file_policy(1, 1, THIN_RECEIVABLES, 1_000_000)
    assert policy.limit is not None
    assert (policy.limit.limit, policy.limit.binding) == (200_000, "investment_grade_receivables")
    assert "Insufficient history" in policy.sentence and "200000" in policy.sentence


def test_thin_file_limit_bound_by_one_month_of_sales() -> None:
    policy = thin_file_policy(1, 1, THIN_RECEIVABLES, 150_001)
    assert policy.limit is not None
    assert (policy.limit.limit, policy.limit.binding) == (150_001, "sales")


def test_sufficient_history_says_so() -> None:
    policy = thin_file_policy(3, 2, THIN_RECEIVABLES, 1_000_000)
    assert policy.sentence.startswith("History is sufficient")
