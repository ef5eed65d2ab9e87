"""A credit decision from a feature snapshot and a scorecard: a pure function.

``decide(snapshot, model)`` reads nothing but its arguments, so a stored snapshot re-scored with
the stored model version gives the stored result again, figure for figure. The snapshot (see
:mod:`backend.decisions.snapshot`) holds the request, the firm's credit record, the receivables
the limit may lend against with their obligors' records, and the policy parameters.

Rules, in order:

- **Thin file** (fewer than 3 payment experiences or fewer than 2 counterparties): the scorecard
  still scores it from what it has (missing characteristics priced by the data) plus the model's
  stated thin-file margin, so it has a PD, a grade and reason codes; the decision says "thin file"
  (policy ``insufficient_history``), the conservative limit of
  :func:`~backend.scoring.risk.thin_file_policy` applies, and the price uses the higher of its PD
  and the policy's stated ``thin_file_pd``.
- **Decline** when the firm is suspended in the registry, the PD exceeds ``decline_pd``, a
  default is on record (as a borrower or as an obligor), or the limit is zero.
- **Refer** to a credit officer when a fraud signal is up (circular trading, a volume spike),
  when the PD exceeds ``refer_pd``, or when the amount asked for exceeds the limit.
- **Approve** otherwise.

Attested facts (backend/credit/attested.py): verified business lends more. With ``s`` the share
of the last year's sales covered by attested facts (``attested_coverage.share``), the receivables
the limit lends against count ``1 + attested_advance_uplift x s`` times their amount (their
advance rate rises by up to 10 % of itself: 80 % becomes 88 %), and the sales constraint allows
``months_of_sales x (1 + attested_limit_uplift x s)`` months (2 becomes up to 2.5). The PD-based
constraints (expected loss, capital) do not move: attestation is not in the scorecard. A firm
without devices or carriers has ``s = 0``: nothing changes, it is not penalised. A production
consistency flag (it invoices far more than its devices make) refers the decision, as the other
fraud signals do.

Money: sales in the record are minor units; the IRB SME adjustment takes annual sales in EUR
millions, read as ``sales_365d / 10**8`` (two-decimal minor units).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from backend.scoring.calibration import describe
from backend.scoring.features import feature_vector, history_counts
from backend.scoring.grades import GRADES
from backend.scoring.risk import (
    LimitDecision,
    RateBreakdown,
    is_thin_file,
    recommended_limit,
    risk_based_rate,
    thin_file_policy,
)
from backend.scoring.scorecard import RecordAssessment, Scorecard

APPROVE, DECLINE, REFER = "approve", "decline", "refer"
MINOR_UNITS_PER_EUR_MILLION = 10**8
DAYS_PER_YEAR = 365
#: An obligor too thin to grade still vouches for its receivable, at this grade's advance rate.
UNRATED_OBLIGOR_GRADE = "CCC"


@dataclass(frozen=True)
class DecisionPolicy:
    """The bank's lending parameters; stored in every snapshot, so a decision keeps its own."""

    lgd: float = 0.45
    funding_cost: float = 0.03
    hurdle_rate: float = 0.12
    operating_margin: float = 0.01
    expected_loss_budget: int = 5_000_000  # minor units per obligor
    capital_budget: int = 50_000_000
    months_of_sales: int = 2
    refer_pd: float = 0.05  # above: grade CCC or worse, a credit officer looks
    decline_pd: float = 0.20  # above: grade C or D
    attested_advance_uplift: float = 0.10  # at full coverage by attested facts
    attested_limit_uplift: float = 0.25
    thin_file_pd: float = 0.05  # prices a thin file: the top of grade B

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecisionPolicy:
        # A snapshot stored before attestations keeps its own policy: no uplift.
        stored = {"attested_advance_uplift": 0.0, "attested_limit_uplift": 0.0, **data}
        return cls(**stored)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


# ─────────────────────────────────────────────────────────────── reading the snapshot


def _figure(figures: dict[str, Any], name: str, field: str, default: Any = 0) -> Any:
    value = figures.get(name, {}).get(field)
    return default if value is None else value


def obligor_grade(model: Scorecard, figures: dict[str, Any]) -> str:
    """The obligor's grade by the same scorecard; a thin file gets :data:`UNRATED_OBLIGOR_GRADE`."""
    if is_thin_file(*history_counts(figures)):
        return UNRATED_OBLIGOR_GRADE
    return model.assess_record(feature_vector({"figures": figures})).grade


def obligor_grades(snapshot: dict[str, Any], model: Scorecard) -> dict[str, dict[str, Any]]:
    """Each obligor's grade, and whether the scorecard rated it (False: a thin file)."""
    return {
        obligor: {
            "grade": obligor_grade(model, record["figures"]),
            "rated": not is_thin_file(*history_counts(record["figures"])),
        }
        for obligor, record in snapshot["obligors"].items()
    }


def receivables_by_grade(
    snapshot: dict[str, Any], obligors: dict[str, dict[str, Any]]
) -> dict[str, int]:
    grades = {obligor: graded["grade"] for obligor, graded in obligors.items()}
    totals = dict.fromkeys(GRADES, 0)
    for receivable in snapshot["receivables"]:
        totals[grades[receivable["obligor"]]] += int(receivable["amount"])
    return {grade: amount for grade, amount in totals.items() if amount}


# ─────────────────────────────────────────────────────────────── the decision


def _signals(figures: dict[str, Any]) -> list[Reason]:
    reasons = []
    if _figure(figures, "circular_trading", "flag", False):
        reasons.append(Reason("circular_trading", "circular trading among its counterparties"))
    if _figure(figures, "volume_spike", "flag", False):
        reasons.append(Reason("volume_spike", "a sudden spike in sales volume"))
    if _figure(figures, "production_consistency", "flag", False):
        reasons.append(
            Reason("production_inconsistent", "it invoices far more than its devices attest")
        )
    return reasons


def attested_terms(figures: dict[str, Any], policy: DecisionPolicy) -> dict[str, Any]:
    """How attested facts change the terms (see the module's docstring)."""
    share = float(_figure(figures, "attested_coverage", "share", 0.0))
    return {
        "coverage": share,
        "receivables_factor": 1 + policy.attested_advance_uplift * share,
        "months_of_sales": policy.months_of_sales * (1 + policy.attested_limit_uplift * share),
    }


def _standing(snapshot: dict[str, Any]) -> list[Reason]:
    standing = snapshot["standing"]
    if standing == "active":
        return []
    return [Reason("firm_not_active", f"the firm is {standing} in the registry")]


def _defaults(figures: dict[str, Any]) -> list[Reason]:
    count = int(_figure(figures, "defaults_as_borrower", "count")) + int(
        _figure(figures, "defaults_as_obligor", "count")
    )
    if count == 0:
        return []
    return [Reason("default_on_record", f"{count} default(s) on record")]


def _amount_check(amount: int, limit: int) -> list[Reason]:
    if limit == 0:
        return [Reason("no_limit", "no limit is available under the policy")]
    if amount > limit:
        return [Reason("amount_over_limit", f"amount {amount} exceeds the limit {limit}")]
    return []


def _rate(pd: float, tenor_days: int, sales: int, policy: DecisionPolicy) -> RateBreakdown:
    return risk_based_rate(
        pd,
        policy.lgd,
        tenor_days / DAYS_PER_YEAR,
        sales / MINOR_UNITS_PER_EUR_MILLION,
        policy.funding_cost,
        policy.hurdle_rate,
        policy.operating_margin,
    )


def decide(snapshot: dict[str, Any], model: Scorecard) -> dict[str, Any]:
    """The decision on ``snapshot`` by ``model``: JSON-safe, keys in a fixed order."""
    request, figures = snapshot["request"], snapshot["record"]["figures"]
    policy = DecisionPolicy.from_dict(snapshot["policy"])
    amount, tenor_days = int(request["amount"]), int(request["tenor_days"])
    obligors = obligor_grades(snapshot, model)
    receivables = receivables_by_grade(snapshot, obligors)
    sales = int(_figure(figures, "sales_365d", "amount"))
    history = thin_file_policy(*history_counts(figures), receivables, sales // 12)
    attested = attested_terms(figures, policy)
    assessment = model.assess_record(feature_vector({"figures": figures}), thin=history.thin_file)
    if history.thin_file:
        assert history.limit is not None
        limit, pricing_pd = history.limit, max(assessment.pd, policy.thin_file_pd)
    else:
        pricing_pd = assessment.pd
        limit = _scorecard_limit(pricing_pd, tenor_days, receivables, sales, policy, attested)
    declines, refers = _rules(assessment, amount, limit.limit, figures, policy)
    declines = _standing(snapshot) + declines
    rate = _rate(pricing_pd, tenor_days, sales, policy)
    return {
        "outcome": DECLINE if declines else REFER if refers else APPROVE,
        "policy": history.policy,
        "history": f"{history.sentence} PDs: {describe(model.calibration_)}.",
        "model_version": model.model_version_,
        "pd": None if assessment is None else assessment.pd,
        "score": None if assessment is None else assessment.score,
        "grade": None if assessment is None else assessment.grade,
        "pricing_pd": pricing_pd,
        "reasons": [] if assessment is None else [asdict(r) for r in assessment.reasons],
        "decision_reasons": [asdict(r) for r in declines + refers],
        "limit": _limit_json(limit),
        "rate_bps": rate.total_bps,
        "rate": asdict(rate),
        "receivables_by_obligor_grade": receivables,
        "obligors": obligors,
        "attested": attested,
    }


def _scorecard_limit(
    pd: float,
    tenor_days: int,
    receivables: dict[str, int],
    sales: int,
    policy: DecisionPolicy,
    attested: dict[str, Any],
) -> LimitDecision:
    factor = Fraction(attested["receivables_factor"]).limit_denominator(10_000)
    lendable = {grade: math.floor(amount * factor) for grade, amount in receivables.items()}
    return recommended_limit(
        pd,
        policy.lgd,
        tenor_days / DAYS_PER_YEAR,
        lendable,
        sales // 12,
        policy.expected_loss_budget,
        policy.capital_budget,
        sales / MINOR_UNITS_PER_EUR_MILLION,
        Fraction(attested["months_of_sales"]).limit_denominator(10_000),
    )


def _rules(
    assessment: RecordAssessment | None,
    amount: int,
    limit: int,
    figures: dict[str, Any],
    policy: DecisionPolicy,
) -> tuple[list[Reason], list[Reason]]:
    """(reasons to decline, reasons to refer); the PD rules apply to thin files too."""
    declines, refers = _defaults(figures), _signals(figures)
    pd = None if assessment is None else assessment.pd
    if pd is not None and pd > policy.decline_pd:
        declines.append(Reason("pd_too_high", f"PD {pd:.2%} is above {policy.decline_pd:.0%}"))
    elif pd is not None and pd > policy.refer_pd:
        refers.append(Reason("pd_elevated", f"PD {pd:.2%} is above {policy.refer_pd:.0%}"))
    (declines if limit == 0 else refers).extend(_amount_check(amount, limit))
    return declines, refers


def _limit_json(limit: LimitDecision) -> dict[str, Any]:
    return {
        "amount": limit.limit,
        "binding": limit.binding,
        "candidates": dict(limit.candidates),
        "policy": limit.policy,
        "explanation": limit.explanation,
    }
