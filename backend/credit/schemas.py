"""The credit profile and its evidence pages as the API answers them: one model per figure.

The record is computed as JSON (:mod:`backend.credit.record`); these models are how it is
published, field by field, with its units. ``tests/credit/schema_check.py`` holds every figure
the real computation produces to these models, key for key, so a key added to a figure fails
the tests until its model here names it.

Units: an *amount* is an integer of minor units of the record's ``currency`` (``by_currency``:
of the currency beside it); a *share* or *ratio* is a float, 0–1 unless said; a *percentile*
is a mid-rank in 0–1; counts are integers. A float is None where it has nothing to divide by.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backend.credit.record import FIGURES
from backend.schemas import ChainEventEvidence

AMOUNT = "minor units of the record's `currency`"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _amount(what: str) -> str:
    return f"{what}, in {AMOUNT}"


class Tenure(_Model):
    days: int = Field(description="whole days since the firm registered")


class TenureRelative(_Model):
    percentile: float | None = Field(
        description="mid-rank (0–1) of the tenure among all firms registered by `as_of`; "
        "null while no network snapshot exists"
    )
    firms: int | None = Field(description="firms registered by then (null: no snapshot)")


class Volume(_Model):
    amount: int = Field(description=_amount("sum of the verified invoices in the window"))
    count: int = Field(description="verified invoices in the window")


class SizeRelative(_Model):
    percentile: float | None = Field(
        description="mid-rank (0–1) of the 365 d sales among every seller's; 0 without sales; "
        "null while no network snapshot exists"
    )
    log_ratio_to_median: float | None = Field(
        description="ln(sales / median seller's sales); null without sales or snapshot"
    )
    median: int | None = Field(description=_amount("the median seller's 365 d sales"))
    sellers: int | None = Field(description="sellers with any 365 d sales (null: no snapshot)")
    amount: int = Field(description=_amount("the firm's 365 d verified sales"))


class SalesGrowth(_Model):
    rate: float | None = Field(
        description="last 365 d sales / the 365 d before − 1 (a ratio, may exceed 1 or be "
        "negative); null without prior sales"
    )
    last_365d: int = Field(description=_amount("sales of the last 365 days"))
    prior_365d: int = Field(description=_amount("sales of the 365 days before"))


class SalesTrend(_Model):
    slope: float | None = Field(
        description="least-squares slope of the thirty-day sales per month over their mean "
        "(0.02: +2% of the average a month); null with fewer than 3 months"
    )
    cv: float | None = Field(description="coefficient of variation of the same buckets")
    months: int = Field(description="thirty-day buckets since the first sale (at most 24)")
    monthly: list[int] = Field(description=_amount("sales per thirty-day bucket, newest first"))


class SalesVolatility(_Model):
    cv: float | None = Field(
        description="population std / mean of the 12 thirty-day buckets; null when all are zero"
    )
    monthly: list[int] = Field(description=_amount("the 12 buckets' sales, newest first"))


class BuyerConcentration(_Model):
    buyers: int = Field(description="distinct buyers of the 365 d sales")
    hhi: float | None = Field(description="sum of squared buyer shares (0–1); null without sales")
    top_buyer_share: float | None = Field(description="the largest buyer's share (0–1)")
    single_buyer: bool = Field(description="exactly one buyer")


class CoreBuyerShare(_Model):
    share: float | None = Field(
        description="share (0–1) of 365 d sales made to firms holding CORE at `as_of`"
    )
    core_amount: int = Field(description=_amount("those sales"))
    amount: int = Field(description=_amount("all 365 d sales"))


class CountAmount(_Model):
    count: int = Field(description="receivables")
    amount: int = Field(description=_amount("their face value"))


class Disputes(_Model):
    rejected: int = Field(description="trades proposed by the firm as seller and rejected")
    trades: int = Field(description="all trades it proposed or recorded as seller")
    rate: float | None = Field(description="rejected / trades (0–1); null without trades")
    trades_90d: int = Field(description="trades recorded in the last 90 days")
    rate_90d: float | None = Field(description="their rejection rate (0–1)")
    trades_180d: int = Field(description="trades recorded in the last 180 days")
    rate_180d: float | None = Field(description="their rejection rate (0–1)")


class FinancingOutstanding(_Model):
    count: int = Field(description="financings whose receivable is neither settled nor defaulted")
    advance: int = Field(description=_amount("the advances received on them"))


class RepaymentRecord(_Model):
    on_time: int = Field(description="receivables owed and settled without delay")
    late: int = Field(description="receivables owed and settled late")
    amount: int = Field(description=_amount("their face value"))
    avg_late_days: float | None = Field(
        description="amount-weighted days late; null without settlements"
    )


class DefaultsAsBorrower(_Model):
    count: int = Field(description="financings of the firm whose receivable defaulted")
    amount: int = Field(description=_amount("those receivables' face value"))
    advance: int = Field(description=_amount("the advances on them"))


class Paydex(_Model):
    index: float | None = Field(
        description="PAYDEX-style index (20–100, 80 = prompt), amount-weighted over paid "
        "experiences of the last 365 d and open remainders; null on a thin file (see reason)"
    )
    days_beyond_terms: float | None = Field(
        description="amount-weighted days beyond terms (negative: early); null when not shown"
    )
    experiences: int = Field(description="payment experiences")
    counterparties: int = Field(description="distinct counterparties of those experiences")
    amount: int = Field(description=_amount("the experiences' amount"))
    reason: str | None = Field(description="why the index is not shown (null: it is)")


class PaymentDelays(_Model):
    days_beyond_terms: float | None = Field(
        description="amount-weighted days beyond terms over the whole history; null without "
        "experiences"
    )
    experiences: int = Field(description="payment experiences, paid or open")
    counterparties: int = Field(description="distinct counterparties")
    amount: int = Field(description=_amount("the experiences' amount"))
    late_share: float | None = Field(description="share (0–1) of the amount beyond terms")
    days_beyond_terms_90d: float | None = Field(description="the same over the last 90 days")
    experiences_90d: int = Field(description="experiences of the last 90 days")
    days_beyond_terms_180d: float | None = Field(description="the same over the last 180 days")
    experiences_180d: int = Field(description="experiences of the last 180 days")
    monthly: list[float | None] = Field(
        description="amount-weighted days beyond terms per thirty-day bucket, newest first, from "
        "the bucket of the first experience (at most 24); null for a bucket without one"
    )


class NetworkRank(_Model):
    value: float | None = Field(
        description="weighted PageRank × firms in the 365 d invoice graph (1.0 = average); "
        "null outside the graph or without a network snapshot"
    )
    firms: int | None = Field(description="firms in the graph (null: no snapshot)")


class Ring(_Model):
    members: list[str] = Field(description="the firms of the cycle, from this firm on")
    amounts: list[int] = Field(description=_amount("the invoiced amount along each edge"))
    trade_ids: list[str] = Field(description="the invoices of the ring")


class CircularTrading(_Model):
    flag: bool = Field(description="a ring of similar amounts runs through the firm")
    count: int = Field(description="rings found (all of them)")
    rings: list[Ring] = Field(description="the first 10, shortest first")


class VolumeSpike(_Model):
    flag: bool = Field(description="the last 30 d sales exceed 3 × the average of the 11 before")
    last_30d: int = Field(description=_amount("sales of the last 30 days"))
    prior_330d: int = Field(description=_amount("sales of the 330 days before"))
    ratio: float | None = Field(
        description="last 30 d × 11 / prior 330 d (1.0 = as usual); null without prior sales"
    )


class YoungCounterparties(_Model):
    count: int = Field(description="trades with a counterparty registered < 7 days before")
    trades: int = Field(description="trades recorded in the last 365 days")
    share: float | None = Field(description="count / trades (0–1)")


class AttestedDeliveries(_Model):
    share: float | None = Field(description="share (0–1) of 365 d sales by amount attested")
    attested_amount: int = Field(description=_amount("sales whose delivery was attested"))
    amount: int = Field(description=_amount("365 d sales"))
    attested: int = Field(description="invoices with an attested delivery")
    invoices: int = Field(description="invoices sold in the last 365 days")


class ProductionConsistency(_Model):
    flag: bool = Field(description="it invoices far more than its devices attest making")
    ratio: float | None = Field(description="invoiced units / attested units (not bounded by 1)")
    invoiced_units: int | None = Field(description="365 d sales / unit_value, in units")
    attested_units: int = Field(description="units its production devices were attested making")
    unit_value: float | None = Field(
        description="median minor units of `currency` per delivered unit (null: no attested "
        "delivery)"
    )
    amount: int = Field(description=_amount("365 d sales"))
    devices: int = Field(description="production devices registered and not disputed")


class CapacityUtilisation(_Model):
    utilisation: float | None = Field(
        description="attested units / (rated capacity × attested hours) over 90 d (0–1 "
        "normally); null without attested periods"
    )
    monthly: list[float | None] = Field(description="three thirty-day buckets, newest first")
    trend: float | None = Field(description="newest minus oldest bucket with periods")
    devices: int = Field(description="production devices registered and not disputed")


class AttestedCoverage(_Model):
    share: float | None = Field(
        description="share (0–1) of 365 d sales covered by an attested fact"
    )
    covered_amount: int = Field(description=_amount("sales covered"))
    by_delivery: int = Field(description="invoices covered by an attested delivery")
    by_production: int = Field(description="invoices covered by attested production only")
    amount: int = Field(description=_amount("365 d sales"))


class CurrencyVolumes(_Model):
    currency: int = Field(description="ISO 4217 numeric of these amounts")
    sales_90d: Volume = Field(description="amounts in this entry's currency")
    sales_365d: Volume
    purchases_90d: Volume
    purchases_365d: Volume


class ByCurrency(_Model):
    currencies: list[CurrencyVolumes] = Field(
        description="each other currency with verified invoices in the last 365 d, ascending"
    )


class Figures(_Model):
    """One field per figure of the record; a figure is absent when the record has none (a
    firm not registered by ``as_of``)."""

    tenure: Tenure | None = None
    tenure_relative: TenureRelative | None = None
    sales_90d: Volume | None = Field(None, description="verified invoices as seller, 90 d")
    sales_365d: Volume | None = Field(None, description="verified invoices as seller, 365 d")
    purchases_90d: Volume | None = Field(None, description="verified invoices as buyer, 90 d")
    purchases_365d: Volume | None = Field(None, description="verified invoices as buyer, 365 d")
    size_relative: SizeRelative | None = None
    sales_growth: SalesGrowth | None = None
    sales_trend: SalesTrend | None = None
    sales_volatility: SalesVolatility | None = None
    buyer_concentration: BuyerConcentration | None = None
    core_buyer_share: CoreBuyerShare | None = None
    receivables_held: CountAmount | None = Field(
        None, description="receivables confirmed and held by the firm at `as_of`"
    )
    receivables_owed: CountAmount | None = Field(
        None, description="receivables the firm owes as obligor, confirmed or financed"
    )
    disputes: Disputes | None = None
    financing_outstanding: FinancingOutstanding | None = None
    repayment_record: RepaymentRecord | None = None
    defaults_as_obligor: CountAmount | None = Field(
        None, description="receivables owed as obligor and defaulted"
    )
    defaults_as_borrower: DefaultsAsBorrower | None = None
    paydex_as_payer: Paydex | None = Field(None, description="how the firm pays its suppliers")
    paydex_as_payee: Paydex | None = Field(None, description="how the firm's buyers pay it")
    payment_delays_as_payer: PaymentDelays | None = None
    payment_delays_as_payee: PaymentDelays | None = None
    network_rank: NetworkRank | None = None
    circular_trading: CircularTrading | None = None
    volume_spike: VolumeSpike | None = None
    young_counterparties: YoungCounterparties | None = None
    attested_deliveries: AttestedDeliveries | None = None
    production_consistency: ProductionConsistency | None = None
    capacity_utilisation: CapacityUtilisation | None = None
    attested_coverage: AttestedCoverage | None = None
    by_currency: ByCurrency | None = None


assert tuple(Figures.model_fields) == FIGURES, "one field per figure, in the record's order"


class NetworkSource(_Model):
    as_of_block: int | None = Field(description="the block of the network snapshot")
    as_of_time: int | None = Field(description="its block time (Unix seconds)")
    reason: str | None = Field(description="why there is none yet (null: there is one)")


class CreditProfile(_Model):
    """A firm's credit record with a link to the evidence of each figure."""

    version: int = Field(description="the record's definition version")
    firm: str = Field(description="checksummed address")
    as_of: int = Field(description="Unix time the record is as of")
    available: bool = Field(description="false: the firm was not registered by `as_of`")
    reason: str | None = Field(description="why the record is not available")
    currency: int | None = Field(
        description="ISO 4217 numeric of every amount but those of `by_currency`"
    )
    network: NetworkSource | None = Field(
        description="the network snapshot behind tenure_relative, size_relative, network_rank"
    )
    figures: Figures
    evidence: dict[str, str] = Field(
        description="figure name -> the path of the first page of its chain evidence"
    )


class EvidencePage(_Model):
    """One page of the chain events a figure was computed from, in chain order."""

    firm: str
    figure: str
    as_of: int
    total: int = Field(description="every event behind the figure, not only this page")
    offset: int
    limit: int
    rows: list[ChainEventEvidence]
