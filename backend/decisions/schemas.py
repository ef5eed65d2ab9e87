"""Credit decisions in and out of the API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from backend.schemas import EXAMPLE_SELLER, Address, Amount, Currency, Hex32, examples

MAX_TENOR_DAYS = 3_650
MAX_NAMED_RECEIVABLES = 100


NamedReceivables = Annotated[
    list[Hex32],
    Field(min_length=1, max_length=MAX_NAMED_RECEIVABLES, json_schema_extra={"uniqueItems": True}),
]


class DecisionCreate(BaseModel):
    model_config = examples(
        {"firm": EXAMPLE_SELLER, "amount": 50_000_000, "currency": 156, "tenor_days": 90}
    )

    firm: Address
    amount: Amount = Field(description="the amount asked for, in minor units of `currency`")
    currency: Currency | None = Field(
        None,
        description="ISO 4217 numeric; default the ledger's base currency (SCF_BASE_CURRENCY, "
        "156 CNY), the one credit records are scored in; receivables in another are refused",
    )
    tenor_days: int = Field(ge=1, le=MAX_TENOR_DAYS, description="days until repayment")
    receivable_ids: NamedReceivables | None = Field(
        None,
        description="lend only against these confirmed receivables the firm holds "
        "(default: all of them); distinct",
    )

    @field_validator("receivable_ids")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("receivable ids must be distinct")
        return value


class Anchor(BaseModel):
    status: str = Field(
        description="queued | submitted (not yet in an indexed canonical block) | recorded | "
        "final | failed"
    )
    tx_hash: str | None
    block_number: int | None
    confirmations: int | None = None
    reorgs: int = Field(0, description="times a reorg or a node rewind dropped the anchor")


class Verification(BaseModel):
    snapshot_hash_matches: bool = Field(description="the stored snapshot hashes to snapshot_hash")
    reproduced: bool | None = Field(
        description="re-scoring the snapshot with model_version gives the stored result "
        "(null: that model version is not installed here)"
    )
    decision_hash_matches: bool = Field(description="snapshot hash and result hash to the hash")
    on_chain: bool = Field(description="DecisionLog holds decision_hash for this id, bank, firm")
    on_chain_hash: str | None
    anchored_at: int | None
    status: Literal["verified", "mismatch", "anchor_pending", "anchor_reorged"] = Field(
        description="verified; mismatch (a check failed: the stored decision was altered); "
        "anchor_pending (queued, submitted or not yet indexed); anchor_reorged (was recorded, "
        "left the canonical chain, being re-anchored)"
    )
    message: str


class Limit(BaseModel):
    """The limit and how it was set: the least of its candidate constraints."""

    amount: int = Field(description="the limit, in minor units of `currency`")
    binding: str = Field(
        description="the constraint that set it: receivables | sales | expected_loss | capital "
        "(scorecard) or investment_grade_receivables | sales (thin file)"
    )
    candidates: dict[str, int] = Field(
        description="each bounded constraint's limit, in minor units of `currency`"
    )
    policy: str = Field(description="scorecard | insufficient_history")
    explanation: str = Field(description="the rule that set the limit, in a sentence")


class Rate(BaseModel):
    """The annual rate and its parts, each a fraction a year (0.03 = 3 %)."""

    funding_cost: float
    expected_loss: float = Field(description="PD x LGD")
    capital_charge: float = Field(description="capital_requirement x hurdle rate")
    operating_margin: float
    capital_requirement: float = Field(description="K of the IRB formula, per unit lent")
    total: float = Field(description="funding_cost + expected_loss + capital_charge + margin")


class ScoreReason(BaseModel):
    """A characteristic that cost points against its best bin."""

    feature: str = Field(description="the scorecard's characteristic")
    bin: str = Field(description="the bin the firm's value fell in")
    points_lost: float = Field(description="points below the characteristic's best bin")


class DecisionReason(BaseModel):
    code: str = Field(
        description="firm_not_active | default_on_record | pd_too_high | pd_elevated | "
        "circular_trading | volume_spike | production_inconsistent | no_limit | "
        "amount_over_limit"
    )
    message: str


class ObligorGrade(BaseModel):
    grade: str = Field(description="the obligor's grade by the same scorecard")
    rated: bool | None = Field(
        None,
        description="false: a thin file, advanced as grade CCC (null: decided before "
        "decisions said)",
    )


class AttestedTerms(BaseModel):
    """How attested facts changed the terms (backend/decisions/policy.py)."""

    coverage: float = Field(description="share (0–1) of the last year's sales attested")
    receivables_factor: float = Field(
        description="receivables count this many times their amount (1 + uplift x coverage)"
    )
    months_of_sales: float = Field(description="months of average sales the limit allows")


class Decision(BaseModel):
    decision_id: Hex32
    bank: Address
    firm: Address
    amount: int
    currency: int | None = Field(
        description="ISO 4217 numeric of amount and limit (null: decided before decisions "
        "named their currency)"
    )
    tenor_days: int
    receivable_ids: list[str] | None
    created_at: int
    as_of: int = Field(description="time of the credit record the decision used")
    outcome: str = Field(description="approve | decline | refer")
    limit: Limit
    rate_bps: int = Field(description="annual rate in basis points")
    rate: Rate
    pd: float | None = Field(description="12-month PD (null on a thin file)")
    score: float | None
    grade: str | None
    pricing_pd: float = Field(description="the PD the price uses (stated policy on a thin file)")
    policy: str = Field(description="scorecard | insufficient_history")
    history: str
    reasons: list[ScoreReason] = Field(description="the 3 characteristics that cost most points")
    decision_reasons: list[DecisionReason] = Field(description="why decline or refer")
    receivables_by_obligor_grade: dict[str, int]
    obligors: dict[str, ObligorGrade] = Field(description="by address: each obligor's grade")
    model_version: str
    attested: AttestedTerms | None = Field(
        None, description="null: decided before attestations counted"
    )
    snapshot_hash: str
    decision_hash: str
    anchor: Anchor
    # Free-form by design: the stored input document, whose hash is snapshot_hash; it keeps the
    # shape of the version that stored it (see tests/api/test_response_models.py).
    snapshot: dict[str, Any] | None = Field(
        None,
        description="on GET: the stored input document the decision was computed from, as "
        "stored (its shape is that of its `version`: request, as_of, standing, the firm's "
        "credit record, receivables, obligors' records, policy); an obligor's record the "
        "reader may not see is cut to the figures the decision read, with `restricted` true",
    )
    verification: Verification | None = Field(None, description="on GET: the audit checks")


class DecisionSummary(BaseModel):
    decision_id: Hex32
    bank: Address
    firm: Address
    amount: int
    currency: int | None
    tenor_days: int
    outcome: str
    limit: int
    rate_bps: int
    pd: float | None
    grade: str | None
    model_version: str
    created_at: int
