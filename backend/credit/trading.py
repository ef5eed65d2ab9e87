"""Figures from the firm's verified trades: volumes, growth, volatility, concentration, disputes,
volume spikes and young counterparties.

Only verified INVOICE trades count as business volume: an order, its delivery and its invoice
describe the same sale, so counting all three would triple it. Business times (``issued_at``)
place a trade in a window; the block time at which it was verified decides whether it counts at
all for ``as_of``. Amounts of different currencies are never added: the volume figures are in the
record's currency (``history.currency``) and ``by_currency`` lists the other currencies' sales and
purchases beside them.

The volume figures take their sums from a :class:`VolumeSource`: the firm's trades (the record
from scratch, at any ``as_of``) or the day tallies the indexer keeps (the record the indexer
keeps, as of its cursor; :mod:`backend.credit.tallies`). Both give the same numbers, which the
equality tests check; their evidence is still listed from the trades, for the record from
scratch (the kept record does not store it: :mod:`backend.credit.evidence_query`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection

from backend.credit import queries, tallies
from backend.credit.figure import BUCKET_DAYS, Figure, RunningSums, evidence_of, ratio, within
from backend.credit.queries import FirmHistory, TradeRow
from backend.credit.tallies import Interval
from backend.enums import DAY, Role, TallyMeasure

SHORT_DAYS = 90
LONG_DAYS = 365
BUCKETS = 12  # monthly volatility: the last 12 thirty-day buckets
SPIKE_FACTOR = 3  # a spike: the last bucket above 3 x the average of the 11 before it
SPIKE_MIN_TENURE_DAYS = 330  # ... or any sales after 11 empty buckets by a firm this old
YOUNG_COUNTERPARTY_DAYS = 7
TREND_MAX_MONTHS = 24  # the sales trend looks back at most this many thirty-day buckets
TREND_MIN_MONTHS = 3
RECENT_WINDOWS = (90, 180)  # recent dispute rates against the long-run one


# ─────────────────────────────────────────────────────────────── where the sums come from


class Volumes(Protocol):
    """The amount and count of a firm's verified invoices in one currency, as seller or buyer,
    issued in each interval ``(lo, hi]``."""

    def sums(self, intervals: Sequence[Interval]) -> list[tuple[int, int]]: ...


class RowVolumes:
    """From the trades themselves (the record from scratch, at any ``as_of``): sorted by issue
    time once, so each of the record's thirty-odd windows costs two binary searches."""

    def __init__(self, trades: list[TradeRow]) -> None:
        self.running = RunningSums([(t.issued_at, t.amount, 1) for t in trades])

    def sums(self, intervals: Sequence[Interval]) -> list[tuple[int, int]]:
        return [self.running.between(lo, hi) for lo, hi in intervals]


class VolumeSource:
    """The firm's volumes per side and currency, from its rows or from the kept tallies."""

    def __init__(self, history: FirmHistory, connection: Connection | None = None) -> None:
        """``connection`` given: from the tallies, which count what is indexed, so only for
        ``history`` as of the indexer's cursor."""
        self.history = history
        self.tallies = None if connection is None else tallies.FirmTallies(connection, history.firm)

    def of(self, measure: TallyMeasure, currency: int) -> Volumes:
        if self.tallies is not None:
            return tallies.TallyVolumes(self.tallies, measure, currency)
        chosen = sales if measure == TallyMeasure.SOLD else purchases
        return RowVolumes(chosen(self.history, currency))

    def currencies(self) -> set[int]:
        """Every currency the firm has a verified invoice in."""
        if self.tallies is not None:
            return self.tallies.currencies()
        as_of = self.history.as_of
        return {t.currency for t in self.history.trades if t.is_verified_invoice(as_of)}


def window(as_of: int, days: int) -> Interval:
    return (as_of - days * DAY, as_of)


# ─────────────────────────────────────────────────────────────── figures


def sales(history: FirmHistory, currency: int | None = None) -> list[TradeRow]:
    """Verified invoices with the firm as seller, verified by ``as_of``, in ``currency``
    (default: the record's)."""
    wanted = history.currency if currency is None else currency
    return [
        t
        for t in history.trades
        if t.seller == history.firm
        and t.currency == wanted
        and t.is_verified_invoice(history.as_of)
    ]


def purchases(history: FirmHistory, currency: int | None = None) -> list[TradeRow]:
    """Verified invoices with the firm as buyer, verified by ``as_of``, in ``currency``."""
    wanted = history.currency if currency is None else currency
    return [
        t
        for t in history.trades
        if t.buyer == history.firm and t.currency == wanted and t.is_verified_invoice(history.as_of)
    ]


def by_currency(history: FirmHistory, source: VolumeSource) -> Figure:
    """The sales and purchases in every currency but the record's, one entry per currency (by
    ISO 4217 numeric code, ascending), each amount in its own currency."""
    as_of = history.as_of
    others = sorted(source.currencies() - {history.currency})
    entries: list[dict[str, object]] = []
    evidence: set[int] = set()
    for currency in others:
        sold, bought = sales(history, currency), purchases(history, currency)
        sold_sums = source.of(TallyMeasure.SOLD, currency)
        bought_sums = source.of(TallyMeasure.BOUGHT, currency)
        volumes = {
            "sales_90d": volume(sold, sold_sums, as_of, SHORT_DAYS),
            "sales_365d": volume(sold, sold_sums, as_of, LONG_DAYS),
            "purchases_90d": volume(bought, bought_sums, as_of, SHORT_DAYS),
            "purchases_365d": volume(bought, bought_sums, as_of, LONG_DAYS),
        }
        if volumes["sales_365d"].value["count"] or volumes["purchases_365d"].value["count"]:
            entries.append({"currency": currency, **{n: f.value for n, f in volumes.items()}})
            evidence.update(*(f.evidence for f in volumes.values()))
    return Figure({"currencies": entries}, frozenset(evidence))


def issued_within(trades: list[TradeRow], as_of: int, days: int) -> list[TradeRow]:
    return [t for t in trades if within(t.issued_at, as_of, days)]


def volume(trades: list[TradeRow], volumes: Volumes, as_of: int, days: int) -> Figure:
    ((amount, count),) = volumes.sums([window(as_of, days)])
    value = {"amount": amount, "count": count}
    return Figure(value, evidence_of(issued_within(trades, as_of, days), as_of))


def growth(sold: list[TradeRow], volumes: Volumes, as_of: int) -> Figure:
    """Sales of the last 365 days against the 365 days before; None without prior sales."""
    last = issued_within(sold, as_of, LONG_DAYS)
    prior = issued_within(sold, as_of - LONG_DAYS * DAY, LONG_DAYS)
    before = as_of - LONG_DAYS * DAY
    (last_amount, _), (prior_amount, _) = volumes.sums(
        [window(as_of, LONG_DAYS), window(before, LONG_DAYS)]
    )
    value = {
        "rate": ratio(last_amount - prior_amount, prior_amount),
        "last_365d": last_amount,
        "prior_365d": prior_amount,
    }
    return Figure(value, evidence_of(last + prior, as_of))


def trend(sold: list[TradeRow], volumes: Volumes, as_of: int) -> Figure:
    """Slope of monthly verified sales over the months that exist, for short histories too.

    The thirty-day buckets run from the one holding the firm's first verified sale (at most
    :data:`TREND_MAX_MONTHS` back) to the one ending at ``as_of``; ``months`` says how many. The
    least-squares slope of the amounts on the month number is divided by their mean: ``slope``
    is the relative change per month (0.02: sales grow by about 2% of their average a month),
    so it means the same at any scale of amounts. ``cv`` is the coefficient of variation of the
    same buckets. Both None with fewer than :data:`TREND_MIN_MONTHS` months.
    """
    buckets = monthly_buckets(volumes, as_of, TREND_MAX_MONTHS)
    sold_in = [k for k, amount in enumerate(buckets) if amount > 0]
    months = (max(sold_in) + 1) if sold_in else 0
    covered = buckets[:months][::-1]  # oldest first
    slope = cv = None
    if months >= TREND_MIN_MONTHS:
        mean = statistics.fmean(covered)
        centre = (months - 1) / 2
        spread = sum((x - centre) ** 2 for x in range(months))
        raw = sum((x - centre) * (a - mean) for x, a in enumerate(covered)) / spread
        slope, cv = raw / mean, statistics.pstdev(covered) / mean
    used = issued_within(sold, as_of, months * BUCKET_DAYS)
    value = {"slope": slope, "cv": cv, "months": months, "monthly": covered[::-1]}
    return Figure(value, evidence_of(used, as_of))


def monthly_buckets(volumes: Volumes, as_of: int, count: int = BUCKETS) -> list[int]:
    """Sales per 30-day bucket, newest first: bucket k is ``(as_of-(k+1)*30d, as_of-k*30d]``."""
    month = BUCKET_DAYS * DAY
    intervals = [(as_of - (k + 1) * month, as_of - k * month) for k in range(count)]
    return [amount for amount, _ in volumes.sums(intervals)]


def volatility(sold: list[TradeRow], volumes: Volumes, as_of: int) -> Figure:
    """Coefficient of variation (population) of the last 12 monthly sales; None if all zero."""
    buckets = monthly_buckets(volumes, as_of)
    mean = statistics.fmean(buckets)
    cv = None if mean == 0 else statistics.pstdev(buckets) / mean
    used = issued_within(sold, as_of, BUCKETS * BUCKET_DAYS)
    return Figure({"cv": cv, "monthly": buckets}, evidence_of(used, as_of))


def buyer_concentration(sold: list[TradeRow], as_of: int) -> Figure:
    """Number of buyers, Herfindahl-Hirschman index of sales shares and the top buyer's share."""
    chosen = issued_within(sold, as_of, LONG_DAYS)
    by_buyer = _amount_by(chosen, "buyer")
    total = sum(by_buyer.values())
    value = {
        "buyers": len(by_buyer),
        "hhi": ratio(sum(a * a for a in by_buyer.values()), total * total),
        "top_buyer_share": ratio(max(by_buyer.values(), default=0), total),
        "single_buyer": len(by_buyer) == 1,
    }
    return Figure(value, evidence_of(chosen, as_of))


def core_buyer_share(connection: Connection, sold: list[TradeRow], as_of: int) -> Figure:
    """Share of the last 365 days' sales made to firms holding the CORE role at ``as_of``."""
    chosen = issued_within(sold, as_of, LONG_DAYS)
    by_buyer = _amount_by(chosen, "buyer")
    roles = queries.roles_at(connection, by_buyer.keys(), as_of)
    core = {b for b, (r, _) in roles.items() if r & Role.CORE}
    core_amount = sum(a for b, a in by_buyer.items() if b in core)
    total = sum(by_buyer.values())
    value = {"share": ratio(core_amount, total), "core_amount": core_amount, "amount": total}
    return Figure(value, evidence_of(chosen, as_of, (event for _, event in roles.values())))


def disputes(history: FirmHistory) -> Figure:
    """Trades the firm put on chain as seller (any kind) and how many its buyers rejected: over
    its whole history (``rate``) and over the trades recorded in the last 90 and 180 days
    (``rate_90d``, ``trades_90d``...), recent against long-run."""
    as_of = history.as_of
    offered = [t for t in history.trades if t.seller == history.firm]
    rejected = sum(1 for t in offered if t.rejected_by(as_of))
    value: dict[str, object] = {
        "rejected": rejected,
        "trades": len(offered),
        "rate": ratio(rejected, len(offered)),
    }
    for days in RECENT_WINDOWS:
        recent = [t for t in offered if within(t.recorded_time, as_of, days)]
        value[f"trades_{days}d"] = len(recent)
        value[f"rate_{days}d"] = ratio(sum(1 for t in recent if t.rejected_by(as_of)), len(recent))
    return Figure(value, evidence_of(offered, as_of))


def volume_spike(sold: list[TradeRow], volumes: Volumes, history: FirmHistory) -> Figure:
    """Sales of the last 30 days against the average of the 11 thirty-day buckets before them.

    Compared in integers (``last * 11 > 3 * prior``) so that no rounding decides a flag. After 11
    empty buckets any sales are a spike, but only for a firm registered more than 330 days: a new
    firm has simply not had the time to sell before.
    """
    as_of = history.as_of
    last, *before = monthly_buckets(volumes, as_of)
    prior = sum(before)
    if prior > 0:
        flag = last * len(before) > SPIKE_FACTOR * prior
    else:
        flag = last > 0 and history.tenure_seconds > SPIKE_MIN_TENURE_DAYS * DAY
    value = {
        "flag": flag,
        "last_30d": last,
        "prior_330d": prior,
        "ratio": ratio(last * len(before), prior),
    }
    used = issued_within(sold, as_of, BUCKETS * BUCKET_DAYS)
    return Figure(value, evidence_of(used, as_of))


def young_counterparties(connection: Connection, history: FirmHistory) -> Figure:
    """Trades recorded in the last 365 days whose counterparty registered < 7 days before."""
    as_of = history.as_of
    recent = [t for t in history.trades if within(t.recorded_time, as_of, LONG_DAYS)]
    counterparties = {t.counterparty(history.firm) for t in recent}
    registered = queries.registrations(connection, counterparties)
    young = [t for t in recent if _young(t, registered.get(t.counterparty(history.firm)))]
    young_firms = sorted({t.counterparty(history.firm) for t in young})
    value = {"count": len(young), "trades": len(recent), "share": ratio(len(young), len(recent))}
    registrations = (registered[f].event_id for f in young_firms)
    return Figure(value, evidence_of(recent, as_of, registrations))


def figures(
    connection: Connection, history: FirmHistory, tallied: bool = False
) -> dict[str, Figure]:
    """The trading figures; ``tallied``: their sums from the kept tallies (``history`` must then
    be as of the indexer's cursor), else from the rows."""
    as_of = history.as_of
    source = VolumeSource(history, connection if tallied else None)
    sold, bought = sales(history), purchases(history)
    sold_sums = source.of(TallyMeasure.SOLD, history.currency)
    bought_sums = source.of(TallyMeasure.BOUGHT, history.currency)
    return {
        "sales_90d": volume(sold, sold_sums, as_of, SHORT_DAYS),
        "sales_365d": volume(sold, sold_sums, as_of, LONG_DAYS),
        "purchases_90d": volume(bought, bought_sums, as_of, SHORT_DAYS),
        "purchases_365d": volume(bought, bought_sums, as_of, LONG_DAYS),
        "sales_growth": growth(sold, sold_sums, as_of),
        "sales_volatility": volatility(sold, sold_sums, as_of),
        "sales_trend": trend(sold, sold_sums, as_of),
        "buyer_concentration": buyer_concentration(sold, as_of),
        "core_buyer_share": core_buyer_share(connection, sold, as_of),
        "disputes": disputes(history),
        "volume_spike": volume_spike(sold, sold_sums, history),
        "young_counterparties": young_counterparties(connection, history),
        "by_currency": by_currency(history, source),
    }


def _young(trade: TradeRow, counterparty: queries.Registration | None) -> bool:
    """Registered fewer than 7 days before the trade reached the chain (an unknown firm, which
    the ledger never lets trade, is not counted young)."""
    if counterparty is None:
        return False
    return trade.recorded_time - counterparty.registered_at < YOUNG_COUNTERPARTY_DAYS * DAY


def _amount_by(trades: list[TradeRow], party: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for trade in trades:
        totals[trade.buyer if party == "buyer" else trade.seller] += trade.amount
    return dict(totals)
