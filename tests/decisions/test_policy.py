"""The decision rules on hand-built snapshots: thin file, decline, refer, approve, the limit and
price they state, and that a stored snapshot re-scores to the same result."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from backend.decisions.policy import (
    UNRATED_OBLIGOR_GRADE,
    DecisionPolicy,
    decide,
    history_counts,
    obligor_grade,
)
from backend.decisions.snapshot import canonical_json
from backend.scoring.features import feature_vector
from backend.scoring.grades import INVESTMENT_GRADES
from backend.scoring.risk import recommended_limit, risk_based_rate
from backend.scoring.scorecard import Calibration

BANK, FIRM = "0x" + "ba" * 20, "0x" + "f1" * 20
CORE_A, CORE_B = "0x" + "c1" * 20, "0x" + "c2" * 20
SALES_365D = 120_000_000  # minor units: 10m a month
DEFAULT_POLICY = DecisionPolicy()


def figures(**overrides: dict[str, Any]) -> dict[str, Any]:
    """A thick file: 6 payment experiences from 3 counterparties, steady sales."""
    base: dict[str, dict[str, Any]] = {
        "tenure": {"days": 900},
        "sales_365d": {"amount": SALES_365D, "count": 48},
        "sales_growth": {"rate": 0.05},
        "sales_volatility": {"cv": 0.2},
        "buyer_concentration": {"buyers": 3, "hhi": 0.4, "top_buyer_share": 0.5},
        "core_buyer_share": {"share": 0.8},
        "disputes": {"rejected": 0, "trades": 48, "rate": 0.0, "rate_180d": 0.0},
        "tenure_relative": {"percentile": 0.6},
        "size_relative": {"percentile": 0.6},
        "sales_trend": {"slope": 0.01, "cv": 0.3, "months": 24},
        "payment_delays_as_payer": {
            "days_beyond_terms": 1.0,
            "days_beyond_terms_180d": 1.0,
            "late_share": 0.2,
        },  # fmt: skip
        "payment_delays_as_payee": {"days_beyond_terms": 1.0},
        "paydex_as_payer": {"index": 80.0, "experiences": 3, "counterparties": 2},
        "paydex_as_payee": {"index": 78.0, "experiences": 3, "counterparties": 3},
        "repayment_record": {"on_time": 4, "late": 0},
        "young_counterparties": {"share": 0.0},
        "network_rank": {"value": 1.2},
        "defaults_as_borrower": {"count": 0},
        "defaults_as_obligor": {"count": 0},
        "circular_trading": {"flag": False, "rings": []},
        "volume_spike": {"flag": False},
    }
    base.update(overrides)
    return base


STRONG = {
    "tenure": {"days": 3000},
    "tenure_relative": {"percentile": 0.98},
    "size_relative": {"percentile": 0.98},
    "sales_trend": {"slope": 0.05, "cv": 0.1, "months": 24},
    "buyer_concentration": {"buyers": 10, "hhi": 0.1, "top_buyer_share": 0.2},
    "payment_delays_as_payer": {
        "days_beyond_terms": -10.0,
        "days_beyond_terms_180d": -10.0,
        "late_share": 0.0,
    },  # fmt: skip
    "sales_growth": {"rate": 10.0},
    "paydex_as_payer": {"index": 100.0, "experiences": 40, "counterparties": 10},
    "network_rank": {"value": 5.0},
}
THIN = {
    "paydex_as_payer": {"index": None, "experiences": 1, "counterparties": 1},
    "paydex_as_payee": {"index": None, "experiences": 1, "counterparties": 1},
    "buyer_concentration": {"buyers": 1, "hhi": 1.0, "top_buyer_share": 1.0},
}


def snapshot(
    amount: int = 1_000_000,
    tenor_days: int = 90,
    record: dict[str, Any] | None = None,
    receivables: Sequence[tuple[str, int]] = ((CORE_A, 40_000_000),),
    obligors: dict[str, dict[str, Any]] | None = None,
    policy: DecisionPolicy = DEFAULT_POLICY,
    standing: str = "active",
) -> dict[str, Any]:
    obligors = obligors or {CORE_A: figures(), CORE_B: figures()}
    return {
        "version": 1,
        "request": {
            "firm": FIRM,
            "bank": BANK,
            "amount": amount,
            "tenor_days": tenor_days,
            "receivable_ids": None,
        },
        "as_of": 1_800_000_000,
        "standing": standing,
        "record": {"figures": record or figures()},
        "receivables": [
            {"receivable_id": f"0x{i:064x}", "obligor": obligor, "amount": value}
            for i, (obligor, value) in enumerate(receivables)
        ],
        "obligors": {o: {"figures": f} for o, f in obligors.items() if o in dict(receivables)},
        "policy": policy.to_dict(),
    }


LENIENT = DecisionPolicy(refer_pd=0.98, decline_pd=0.99)


def codes(result: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in result["decision_reasons"]]


def test_a_sound_request_within_the_limit_is_approved_with_its_figures(trained_model):
    result = decide(snapshot(policy=LENIENT), trained_model)
    assessment = trained_model.assess_record(feature_vector({"figures": figures()}))
    assert result["outcome"] == "approve", result["decision_reasons"]
    assert result["policy"] == "scorecard"
    assert (result["pd"], result["grade"], result["score"]) == (
        assessment.pd,
        assessment.grade,
        assessment.score,
    )
    assert result["model_version"] == trained_model.model_version_
    assert [r["feature"] for r in result["reasons"]] == [r.feature for r in assessment.reasons]
    grade = obligor_grade(trained_model, figures())
    expected = recommended_limit(
        assessment.pd,
        LENIENT.lgd,
        90 / 365,
        {grade: 40_000_000},
        SALES_365D // 12,
        LENIENT.expected_loss_budget,
        LENIENT.capital_budget,
        SALES_365D / 10**8,
        LENIENT.months_of_sales,
    )
    assert result["limit"]["amount"] == expected.limit
    assert result["limit"]["binding"] == expected.binding
    rate = risk_based_rate(assessment.pd, 0.45, 90 / 365, 1.2, 0.03, 0.12, 0.01)
    assert result["rate_bps"] == rate.total_bps
    assert result["rate"]["capital_requirement"] == rate.capital_requirement


def test_an_amount_over_the_limit_is_referred_and_says_by_how_much(trained_model):
    limit = decide(snapshot(policy=LENIENT), trained_model)["limit"]["amount"]
    result = decide(snapshot(amount=limit + 1, policy=LENIENT), trained_model)
    assert result["outcome"] == "refer"
    assert codes(result) == ["amount_over_limit"]
    assert str(limit) in result["decision_reasons"][0]["message"]
    assert decide(snapshot(amount=limit, policy=LENIENT), trained_model)["outcome"] == "approve"


@pytest.mark.parametrize(
    ("policy", "outcome", "code"),
    [
        (DecisionPolicy(refer_pd=0.0, decline_pd=0.99), "refer", "pd_elevated"),
        (DecisionPolicy(refer_pd=0.0, decline_pd=0.0), "decline", "pd_too_high"),
    ],
)
def test_the_pd_thresholds_refer_and_decline(trained_model, policy, outcome, code):
    result = decide(snapshot(policy=policy), trained_model)
    assert result["outcome"] == outcome
    assert codes(result) == [code]


def test_a_default_on_record_declines_even_a_small_request(trained_model):
    record = figures(defaults_as_borrower={"count": 1, "amount": 5, "advance": 4})
    result = decide(snapshot(amount=1, record=record, policy=LENIENT), trained_model)
    assert result["outcome"] == "decline"
    assert codes(result) == ["default_on_record"]


def test_a_suspended_firm_is_declined(trained_model):
    result = decide(snapshot(amount=1, policy=LENIENT, standing="suspended"), trained_model)
    assert result["outcome"] == "decline"
    assert codes(result) == ["firm_not_active"]
    assert result["decision_reasons"][0]["message"] == "the firm is suspended in the registry"


@pytest.mark.parametrize(
    ("figure", "code"),
    [("circular_trading", "circular_trading"), ("volume_spike", "volume_spike")],
)
def test_a_fraud_signal_refers_to_a_credit_officer(trained_model, figure, code):
    record = figures(**{figure: {"flag": True}})
    result = decide(snapshot(amount=1, record=record, policy=LENIENT), trained_model)
    assert result["outcome"] == "refer"
    assert codes(result) == [code]


def test_a_thin_file_is_scored_with_a_margin_and_gets_the_conservative_limit(trained_model):
    record = figures(**THIN)
    assert history_counts(record) == (2, 1)
    # Obligor A is graded by the scorecard; its receivable counts only if investment grade.
    thin_obligor = figures(**THIN)
    data = snapshot(
        record=record,
        receivables=[(CORE_A, 40_000_000), (CORE_B, 30_000_000)],
        obligors={CORE_A: figures(), CORE_B: thin_obligor},
    )
    result = decide(data, trained_model)
    assert result["policy"] == "insufficient_history"
    assert "Insufficient history (thin file)" in result["history"]
    assert "PDs: central tendency 6.00% over" in result["history"]  # how the level was set
    # Scored from what it has, with the thin-file margin: a PD and a grade, never a flat number.
    thick = trained_model.assess_record(feature_vector({"figures": record}))
    assert result["pd"] > thick.pd and result["grade"] is not None and result["score"] < thick.score
    assert result["pd"] / (1 - result["pd"]) == pytest.approx(
        thick.pd / (1 - thick.pd) * math.exp(trained_model.thin_file_margin)
    )
    assert result["pricing_pd"] == max(result["pd"], DecisionPolicy().thin_file_pd)
    grade_a = obligor_grade(trained_model, figures())
    assert obligor_grade(trained_model, thin_obligor) == UNRATED_OBLIGOR_GRADE
    investment_grade = 40_000_000 if grade_a in INVESTMENT_GRADES else 0
    assert result["limit"]["amount"] == min(investment_grade // 2, SALES_365D // 12)
    unrated = 30_000_000 + (40_000_000 if grade_a == UNRATED_OBLIGOR_GRADE else 0)
    assert result["receivables_by_obligor_grade"][UNRATED_OBLIGOR_GRADE] == unrated


def test_a_thin_file_is_approved_within_its_limit_and_declined_without_one(trained_model):
    # A portfolio calibrated to a low level (the session's model is small and calibrated to 6%):
    # the strong obligor is investment grade and the thin file's own PD raises no PD rule.
    trained_model = trained_model.calibrated(Calibration(intercept=-4.0, method="test"))
    assert obligor_grade(trained_model, figures(**STRONG)) in INVESTMENT_GRADES
    strong_obligor = {CORE_A: figures(**STRONG)}
    record = figures(**THIN)
    within = decide(snapshot(amount=1, record=record, obligors=strong_obligor), trained_model)
    # the lesser of half the investment-grade receivable (20m) and a month of sales (10m)
    assert within["limit"]["amount"] == SALES_365D // 12
    assert within["limit"]["candidates"]["investment_grade_receivables"] == 40_000_000 // 2
    assert within["outcome"] == "approve"
    over = decide(
        snapshot(amount=SALES_365D // 12 + 1, record=record, obligors=strong_obligor), trained_model
    )
    assert over["outcome"] == "refer"
    assert codes(over) == ["amount_over_limit"]
    no_sales = figures(**THIN, sales_365d={"amount": 0, "count": 0})
    nothing = decide(snapshot(amount=1, record=no_sales, obligors=strong_obligor), trained_model)
    assert nothing["limit"]["amount"] == 0
    assert nothing["outcome"] == "decline"
    assert codes(nothing) == ["no_limit"]


def test_a_stored_snapshot_re_scores_to_the_same_bytes(trained_model):
    data = snapshot(record=figures(sales_growth={"rate": 0.1234567891234}))
    stored = json.loads(json.dumps(data))  # as the database gives it back
    assert canonical_json(decide(stored, trained_model)) == canonical_json(
        decide(data, trained_model)
    )
    assert math.isfinite(decide(stored, trained_model)["pd"])


def test_the_policy_in_the_snapshot_is_the_one_applied(trained_model):
    base = decide(snapshot(policy=LENIENT), trained_model)
    costlier = replace(LENIENT, funding_cost=0.05)
    priced = decide(snapshot(policy=costlier), trained_model)
    assert priced["rate"]["funding_cost"] == 0.05
    assert priced["rate_bps"] == base["rate_bps"] + 200
