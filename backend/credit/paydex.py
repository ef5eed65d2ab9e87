"""PAYDEX-style payment index: how the firm pays its suppliers, and how its buyers pay it.

Each payment is one *payment experience*: ``days beyond terms = (paid_at - due_at) / 86400``
(fractional; negative when early), scored on D&B's published PAYDEX table (:data:`PAYDEX_TABLE`,
linear between its points, clamped at its ends) and weighted by the amount paid. The index is the
dollar-weighted mean score.

A firm that never pays must not look good, yet with payments alone it would have no experiences
at all, or only its few early ones. So an invoice due before ``as_of`` and not fully paid by then
(payments on chain by ``as_of``) is one more experience: its unpaid remainder, at
``(as_of - due_at) / 86400`` days beyond terms. Such an open remainder counts whatever its age
(an invoice two years overdue is still a debt today), while paid experiences count when paid in
the last 365 days.

The index is shown only with at least 3 experiences from at least 2 counterparties; otherwise it
is None with the reason, as D&B does for thin files.

The raw delay is shown from the first experience (``payment_delays_as_payer`` and ``_as_payee``):
the amount-weighted days beyond terms over the firm's whole history (paid experiences of any age
and open remainders), over the last 90 and 180 days (experiences paid then, and every open
remainder, which is a debt today), with the experience counts beside them and the share of the
amount paid (or owed) beyond terms. A firm with one late payment is not a thin file for this
figure: one experience is evidence, and its count says how much. ``monthly`` is the same over
time: the amount-weighted days beyond terms of the experiences of each thirty-day bucket (the
buckets of ``sales_trend.monthly``: newest first, from the bucket of the first experience, at most
24; an open remainder is in the newest), None for a bucket without experiences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from backend.credit.figure import Figure, bucket_of, within
from backend.credit.queries import FirmHistory, PaymentRow, TradeRow
from backend.credit.trading import TREND_MAX_MONTHS
from backend.enums import DAY

# (days beyond terms, PAYDEX score): 30 days early = 100 (anticipate), 20 early = 90 (discount),
# on time = 80 (prompt), then 15/22/30/60/90/120+ days beyond terms.
PAYDEX_TABLE: tuple[tuple[float, float], ...] = (
    (-30.0, 100.0),
    (-20.0, 90.0),
    (0.0, 80.0),
    (15.0, 70.0),
    (22.0, 60.0),
    (30.0, 50.0),
    (60.0, 40.0),
    (90.0, 30.0),
    (120.0, 20.0),
)
MIN_EXPERIENCES = 3
MIN_COUNTERPARTIES = 2
PAID_WINDOW_DAYS = 365
RECENT_WINDOWS = (90, 180)


@dataclass(frozen=True)
class Experience:
    amount: int
    days_beyond_terms: float
    counterparty: str
    evidence: tuple[int, ...]
    at: int = 0  # when it was paid (an open remainder: as_of)


def paydex_score(days_beyond_terms: float) -> float:
    """The PAYDEX score of one experience: linear between the table's points, clamped."""
    first_days, first_score = PAYDEX_TABLE[0]
    if days_beyond_terms <= first_days:
        return first_score
    for (days0, score0), (days1, score1) in zip(PAYDEX_TABLE, PAYDEX_TABLE[1:], strict=False):
        if days_beyond_terms <= days1:
            return score0 + (days_beyond_terms - days0) * (score1 - score0) / (days1 - days0)
    return PAYDEX_TABLE[-1][1]


def paydex(experiences: Iterable[Experience]) -> dict[str, object]:
    """The dollar-weighted index of ``experiences``, or None with the reason it is not shown."""
    chosen = list(experiences)
    amount = sum(e.amount for e in chosen)
    counterparties = len({e.counterparty for e in chosen})
    shown = len(chosen) >= MIN_EXPERIENCES and counterparties >= MIN_COUNTERPARTIES
    index = days = None
    if shown:
        index = sum(paydex_score(e.days_beyond_terms) * e.amount for e in chosen) / amount
        days = sum(e.days_beyond_terms * e.amount for e in chosen) / amount
    return {
        "index": index,
        "days_beyond_terms": days,
        "experiences": len(chosen),
        "counterparties": counterparties,
        "amount": amount,
        "reason": None
        if shown
        else f"insufficient experiences: {len(chosen)} from {counterparties} counterparties",
    }


def _weighted_days(chosen: list[Experience]) -> float | None:
    amount = sum(e.amount for e in chosen)
    return None if amount == 0 else sum(e.days_beyond_terms * e.amount for e in chosen) / amount


def delays(chosen: list[Experience], as_of: int) -> dict[str, object]:
    """Amount-weighted days beyond terms from the first experience, long-run and recent."""
    amount = sum(e.amount for e in chosen)
    late = sum(e.amount for e in chosen if e.days_beyond_terms > 0)
    value: dict[str, object] = {
        "days_beyond_terms": _weighted_days(chosen),
        "experiences": len(chosen),
        "counterparties": len({e.counterparty for e in chosen}),
        "amount": amount,
        "late_share": None if amount == 0 else late / amount,
    }
    for days in RECENT_WINDOWS:
        recent = [e for e in chosen if within(e.at, as_of, days)]
        value[f"days_beyond_terms_{days}d"] = _weighted_days(recent)
        value[f"experiences_{days}d"] = len(recent)
    value["monthly"] = monthly_delays(chosen, as_of)
    return value


def monthly_delays(chosen: list[Experience], as_of: int) -> list[float | None]:
    """Amount-weighted days beyond terms per thirty-day bucket, newest first, from the bucket of
    the first experience (at most :data:`TREND_MAX_MONTHS`, as the sales trend); None where
    there was no experience."""
    buckets: list[list[Experience]] = [[] for _ in range(TREND_MAX_MONTHS)]
    for experience in chosen:
        bucket = bucket_of(experience.at, as_of, TREND_MAX_MONTHS)
        if bucket is not None:
            buckets[bucket].append(experience)
    used = [k for k, found in enumerate(buckets) if found]
    months = max(used) + 1 if used else 0
    return [_weighted_days(found) for found in buckets[:months]]


def experiences(
    history: FirmHistory, role: str, window_days: int | None = PAID_WINDOW_DAYS
) -> list[Experience]:
    """Payment experiences on the firm's invoices as ``"payer"`` (buyer) or ``"payee"`` (seller):
    payments made in the last ``window_days`` (None: any time) and every open remainder."""
    as_of, firm = history.as_of, history.firm
    invoices = {
        t.trade_id: t
        for t in history.trades
        if t.is_verified_invoice(as_of)
        and t.currency == history.currency  # amounts of one currency only are weighed together
        and (t.buyer if role == "payer" else t.seller) == firm
    }
    payments = [
        p
        for p in history.payments
        if (p.payer if role == "payer" else p.payee) == firm and p.trade_id in invoices
    ]
    by_invoice: dict[str, list[PaymentRow]] = defaultdict(list)
    for payment in payments:
        by_invoice[payment.trade_id].append(payment)
    found = []
    for payment in payments:
        invoice = invoices[payment.trade_id]
        if window_days is None or within(payment.paid_at, as_of, window_days):
            days = (payment.paid_at - invoice.due_at) / DAY
            evidence = (*invoice.evidence(as_of), payment.event_id)
            found.append(
                Experience(payment.amount, days, _other(invoice, role), evidence, payment.paid_at)
            )
    for invoice in invoices.values():
        paid_on = by_invoice[invoice.trade_id]
        remainder = invoice.amount - sum(p.amount for p in paid_on)
        if invoice.due_at < as_of and remainder > 0:
            days = (as_of - invoice.due_at) / DAY
            evidence = (*invoice.evidence(as_of), *(p.event_id for p in paid_on))
            found.append(Experience(remainder, days, _other(invoice, role), evidence, as_of))
    return found


def figures(history: FirmHistory) -> dict[str, Figure]:
    found = {}
    for role in ("payer", "payee"):
        chosen = experiences(history, role)
        evidence = frozenset(event for e in chosen for event in e.evidence)
        found[f"paydex_as_{role}"] = Figure(paydex(chosen), evidence)
        every = experiences(history, role, window_days=None)
        evidence = frozenset(event for e in every for event in e.evidence)
        found[f"payment_delays_as_{role}"] = Figure(delays(every, history.as_of), evidence)
    return found


def _other(invoice: TradeRow, role: str) -> str:
    return invoice.seller if role == "payer" else invoice.buyer
