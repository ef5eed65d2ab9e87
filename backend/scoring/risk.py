"""From a PD to money: Basel IRB capital, a risk-based price and a recommended limit.

Pure functions with the formulas written out, so every figure in a credit decision can be
recomputed by hand. Rates are annual decimal fractions (0.05 = 5%); money amounts are integers
in minor units and are always rounded down (a limit is never larger than its rule allows).

Basel IRB, corporate exposures (Basel II para. 272-273, without the 1.06 scaling factor that
Basel III removed)::

    R = 0.12 * w + 0.24 * (1 - w),  w = (1 - exp(-50 PD)) / (1 - exp(-50))
        minus 0.04 * (1 - (S - 5) / 45) for SMEs, S = annual sales in EUR m clamped to [5, 50]
    b = (0.11852 - 0.05478 ln PD)^2
    K = [LGD * N((1 - R)^-0.5 G(PD) + (R / (1 - R))^0.5 G(0.999)) - PD * LGD]
        * (1 + (M - 2.5) b) / (1 - 1.5 b)
    risk weight = 12.5 * K

N is the standard normal CDF and G its inverse (``statistics.NormalDist``).
The effective maturity M is capped at 5 years and floored at one day rather than at Basel's
usual 1 year: receivables finance is short-term self-liquidating trade finance, for which
Basel II para. 321 allows the one-day floor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

from backend.scoring.grades import GRADES, INVESTMENT_GRADES

CONFIDENCE = 0.999
CORRELATION_LOW = 0.12
CORRELATION_HIGH = 0.24
CORRELATION_DECAY = 50.0
SME_ADJUSTMENT = 0.04
SME_SALES_FLOOR_EUR_M = 5.0
SME_SALES_CAP_EUR_M = 50.0
MATURITY_B_INTERCEPT = 0.11852
MATURITY_B_SLOPE = 0.05478
MATURITY_CENTRE_YEARS = 2.5
MATURITY_FLOOR_YEARS = 1.0 / 365.0
MATURITY_CAP_YEARS = 5.0
RWA_PER_CAPITAL = 12.5
BPS = 10_000

#: Advance rate (basis points of face value) on a confirmed receivable, by its obligor's grade:
#: the bank lends against the core enterprise's promise to pay, so its grade sets the haircut.
ADVANCE_RATE_BPS: dict[str, int] = {
    "AAA": 9000,
    "AA": 9000,
    "A": 8500,
    "BBB": 8000,
    "BB": 7000,
    "B": 6000,
    "CCC": 4000,
    "CC": 2000,
    "C": 0,
    "D": 0,
}
DEFAULT_MONTHS_OF_SALES = 2

#: Thin-file policy: below either threshold the scorecard has too little to go on.
MIN_PAYMENT_EXPERIENCES = 3
MIN_COUNTERPARTIES = 2
THIN_FILE_ADVANCE_BPS = 5000
THIN_FILE_MONTHS_OF_SALES = 1
POLICY_SCORECARD = "scorecard"
POLICY_INSUFFICIENT_HISTORY = "insufficient_history"

#: Order in which limit constraints are listed; on a tie the first one is named as binding.
CONSTRAINT_TEXT: dict[str, str] = {
    "receivables": "advance rates by obligor grade on confirmed receivables outstanding",
    "investment_grade_receivables": (
        f"{THIN_FILE_ADVANCE_BPS / 100:g}% of confirmed receivables from investment-grade obligors"
    ),
    "sales": "{months} month(s) of average verified sales",
    "expected_loss": "the expected-loss budget (PD x LGD x limit <= budget)",
    "capital": "the capital budget (K x limit <= budget)",
}

_STANDARD_NORMAL = NormalDist()

# -- Basel IRB -----------------------------------------------------------------------------------


def _check_probability(name: str, value: float, allow_zero: bool) -> None:
    low_ok = value >= 0.0 if allow_zero else value > 0.0
    if not (low_ok and value <= 1.0):
        raise ValueError(f"{name} must be in {'[0' if allow_zero else '(0'}, 1], got {value}")


def irb_correlation(pd: float, sales_eur_millions: float | None = None) -> float:
    """Asset correlation R; smaller firms (sales under EUR 50m) get a lower R."""
    _check_probability("pd", pd, allow_zero=False)
    weight = (1.0 - math.exp(-CORRELATION_DECAY * pd)) / (1.0 - math.exp(-CORRELATION_DECAY))
    correlation = CORRELATION_LOW * weight + CORRELATION_HIGH * (1.0 - weight)
    if sales_eur_millions is not None:
        sales = min(max(sales_eur_millions, SME_SALES_FLOOR_EUR_M), SME_SALES_CAP_EUR_M)
        span = SME_SALES_CAP_EUR_M - SME_SALES_FLOOR_EUR_M
        correlation -= SME_ADJUSTMENT * (1.0 - (sales - SME_SALES_FLOOR_EUR_M) / span)
    return correlation


def irb_maturity_adjustment(pd: float) -> float:
    """Maturity slope b = (0.11852 - 0.05478 ln PD)^2."""
    _check_probability("pd", pd, allow_zero=False)
    return (MATURITY_B_INTERCEPT - MATURITY_B_SLOPE * math.log(pd)) ** 2


def effective_maturity(maturity_years: float) -> float:
    """Maturity clamped to [one day, 5 years] (see the module docstring)."""
    if not maturity_years > 0:
        raise ValueError(f"maturity_years must be positive, got {maturity_years}")
    return min(max(maturity_years, MATURITY_FLOOR_YEARS), MATURITY_CAP_YEARS)


def irb_capital_requirement(
    pd: float, lgd: float, maturity_years: float, sales_eur_millions: float | None = None
) -> float:
    """Capital K per unit of exposure: unexpected loss at 99.9% times the maturity adjustment.

    A PD of 1 (defaulted) gives 0: the loss is then expected, covered by provisions.
    """
    _check_probability("lgd", lgd, allow_zero=True)
    correlation = irb_correlation(pd, sales_eur_millions)
    maturity = effective_maturity(maturity_years)
    if pd == 1.0:
        return 0.0
    b = irb_maturity_adjustment(pd)
    stressed_pd = _STANDARD_NORMAL.cdf(
        _STANDARD_NORMAL.inv_cdf(pd) / math.sqrt(1.0 - correlation)
        + math.sqrt(correlation / (1.0 - correlation)) * _STANDARD_NORMAL.inv_cdf(CONFIDENCE)
    )
    unexpected = lgd * stressed_pd - pd * lgd
    return unexpected * (1.0 + (maturity - MATURITY_CENTRE_YEARS) * b) / (1.0 - 1.5 * b)


def irb_risk_weight(
    pd: float, lgd: float, maturity_years: float, sales_eur_millions: float | None = None
) -> float:
    """Risk weight = 12.5 * K (as a fraction: 0.7239 means 72.39%)."""
    return RWA_PER_CAPITAL * irb_capital_requirement(pd, lgd, maturity_years, sales_eur_millions)


# -- price ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateBreakdown:
    """Annual rate and its parts: ``total = funding_cost + expected_loss + capital_charge +
    operating_margin`` (``capital_charge = capital_requirement * hurdle_rate``)."""

    funding_cost: float
    expected_loss: float
    capital_charge: float
    operating_margin: float
    capital_requirement: float
    total: float

    @property
    def total_bps(self) -> int:
        """Total in basis points, rounded up: a price is never below its components."""
        return math.ceil(round(self.total * BPS, 6))


def risk_based_rate(
    pd: float,
    lgd: float,
    maturity_years: float,
    sales_eur_millions: float | None,
    funding_cost: float,
    hurdle_rate: float,
    operating_margin: float,
) -> RateBreakdown:
    """Price = funding cost + PD x LGD + K x hurdle rate + operating margin (all annual)."""
    if min(funding_cost, hurdle_rate, operating_margin) < 0:
        raise ValueError("funding_cost, hurdle_rate and operating_margin must be >= 0")
    capital = irb_capital_requirement(pd, lgd, maturity_years, sales_eur_millions)
    expected_loss = pd * lgd
    charge = capital * hurdle_rate
    return RateBreakdown(
        funding_cost=funding_cost,
        expected_loss=expected_loss,
        capital_charge=charge,
        operating_margin=operating_margin,
        capital_requirement=capital,
        total=funding_cost + expected_loss + charge + operating_margin,
    )


# -- limit ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitDecision:
    """A limit, the constraint that set it, every candidate, and the policy in words."""

    limit: int
    binding: str
    candidates: tuple[tuple[str, int], ...]
    policy: str
    explanation: str


def _check_amount(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer amount, got {value!r}")
    return value


def _advanced_receivables(receivables_by_obligor_grade: Mapping[str, int]) -> int:
    """Sum over grades of outstanding x advance rate, rounded down once, exactly."""
    total = 0
    for grade, amount in receivables_by_obligor_grade.items():
        if grade not in ADVANCE_RATE_BPS:
            raise ValueError(f"unknown obligor grade {grade!r}; expected one of {GRADES}")
        total += _check_amount(f"receivables[{grade}]", amount) * ADVANCE_RATE_BPS[grade]
    return total // BPS


def _decimal(value: float) -> Fraction:
    """A float as the decimal it prints as (0.01 is exactly 1/100, not its binary neighbour)."""
    return Fraction(repr(float(value)))


def _budget_cap(budget: int, *costs: float) -> int | None:
    """Largest integer limit with ``product(costs) * limit <= budget`` (None: no cost, no cap).

    Exact rational arithmetic, so the inequality holds without any float rounding.
    """
    cost_per_unit = math.prod((_decimal(c) for c in costs), start=Fraction(1))
    if cost_per_unit <= 0:
        return None
    return math.floor(Fraction(budget) / cost_per_unit)


def _decide(
    candidates: list[tuple[str, int | None]], policy: str, months: Fraction
) -> LimitDecision:
    """Pick the least bounded candidate and phrase the rule that set it."""
    bounded = tuple((name, value) for name, value in candidates if value is not None)
    binding, limit = min(bounded, key=lambda item: item[1])  # min keeps the first of a tie
    rule = CONSTRAINT_TEXT[binding].format(months=_months_text(months))
    return LimitDecision(
        limit=limit,
        binding=binding,
        candidates=bounded,
        policy=policy,
        explanation=f"Limit {limit} (minor units) is set by {rule}.",
    )


def _months_text(months: Fraction) -> str:
    return str(months.numerator) if months.denominator == 1 else f"{float(months):g}"


def recommended_limit(
    pd: float,
    lgd: float,
    maturity_years: float,
    receivables_by_obligor_grade: Mapping[str, int],
    avg_monthly_sales: int,
    expected_loss_budget: int,
    capital_budget: int,
    sales_eur_millions: float | None = None,
    months_of_sales: int | Fraction = DEFAULT_MONTHS_OF_SALES,
) -> LimitDecision:
    """Limit = the least of four constraints, each in minor units and rounded down:

    - receivables: sum of confirmed receivables held and outstanding x advance rate of the
      obligor's grade (:data:`ADVANCE_RATE_BPS`), the collateral the bank can see on chain;
    - sales: ``months_of_sales`` x average monthly verified sales, so the line follows business;
    - expected_loss: largest limit with ``PD x LGD x limit <= expected_loss_budget``;
    - capital: largest limit with ``K x limit <= capital_budget`` (K from the IRB formula).

    The last two shrink the limit as the PD grows.
    """
    months = Fraction(months_of_sales)
    if months < 0:
        raise ValueError("months_of_sales must be >= 0")
    sales = _check_amount("avg_monthly_sales", avg_monthly_sales)
    el_budget = _check_amount("expected_loss_budget", expected_loss_budget)
    capital_limit = _check_amount("capital_budget", capital_budget)
    capital = irb_capital_requirement(pd, lgd, maturity_years, sales_eur_millions)
    candidates: list[tuple[str, int | None]] = [
        ("receivables", _advanced_receivables(receivables_by_obligor_grade)),
        ("sales", math.floor(sales * months)),
        ("expected_loss", _budget_cap(el_budget, pd, lgd)),
        ("capital", _budget_cap(capital_limit, capital)),
    ]
    return _decide(candidates, POLICY_SCORECARD, months)


# -- thin files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryPolicy:
    """Whether the firm's history is enough for the scorecard, said in a sentence.

    ``limit`` is set only under the insufficient-history policy; otherwise the caller goes on
    with the scorecard and :func:`recommended_limit`.
    """

    policy: str
    sentence: str
    limit: LimitDecision | None

    @property
    def thin_file(self) -> bool:
        return self.policy == POLICY_INSUFFICIENT_HISTORY


def is_thin_file(n_payment_experiences: int, n_counterparties: int) -> bool:
    """Fewer than 3 payment experiences or fewer than 2 counterparties."""
    if n_payment_experiences < 0 or n_counterparties < 0:
        raise ValueError("counts must be >= 0")
    return n_payment_experiences < MIN_PAYMENT_EXPERIENCES or n_counterparties < MIN_COUNTERPARTIES


def thin_file_policy(
    n_payment_experiences: int,
    n_counterparties: int,
    receivables_by_obligor_grade: Mapping[str, int],
    avg_monthly_sales: int,
) -> HistoryPolicy:
    """Apply the insufficient-history policy when the file is thin, and say so.

    The conservative limit lends only against what others vouch for: the lesser of 50% of
    confirmed receivables owed by investment-grade obligors and one month of average sales.
    """
    counts = (
        f"{n_payment_experiences} payment experience(s) (minimum {MIN_PAYMENT_EXPERIENCES}) and "
        f"{n_counterparties} counterpart(ies) (minimum {MIN_COUNTERPARTIES})"
    )
    if not is_thin_file(n_payment_experiences, n_counterparties):
        return HistoryPolicy(POLICY_SCORECARD, f"History is sufficient: {counts}.", None)
    decision = _thin_file_limit(receivables_by_obligor_grade, avg_monthly_sales)
    sentence = (
        f"Insufficient history (thin file): {counts}. The scorecard scores it from what it has, "
        "its missing characteristics priced by the data, with a conservative margin on its odds; "
        "the conservative rule lends the lesser of "
        f"{CONSTRAINT_TEXT['investment_grade_receivables']} and "
        f"{THIN_FILE_MONTHS_OF_SALES} month(s) of average verified sales. {decision.explanation}"
    )
    return HistoryPolicy(POLICY_INSUFFICIENT_HISTORY, sentence, decision)


def _thin_file_limit(receivables: Mapping[str, int], avg_monthly_sales: int) -> LimitDecision:
    investment_grade = 0
    for grade, amount in receivables.items():
        if grade not in ADVANCE_RATE_BPS:
            raise ValueError(f"unknown obligor grade {grade!r}; expected one of {GRADES}")
        if grade in INVESTMENT_GRADES:
            investment_grade += _check_amount(f"receivables[{grade}]", amount)
    months = Fraction(THIN_FILE_MONTHS_OF_SALES)
    candidates: list[tuple[str, int | None]] = [
        ("investment_grade_receivables", investment_grade * THIN_FILE_ADVANCE_BPS // BPS),
        ("sales", math.floor(_check_amount("avg_monthly_sales", avg_monthly_sales) * months)),
    ]
    return _decide(candidates, POLICY_INSUFFICIENT_HISTORY, months)
