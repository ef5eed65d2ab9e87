"""Evidence as a query: the figures whose evidence grows with the firm's history are not stored
with the record; the evidence endpoint reads their events from the rows when asked.

A firm with 100,000 trades would otherwise store 100,000 references for each volume figure (the
whole window is its evidence), as many again for its disputes and payment figures, and rewrite
them at every refresh. For the figures of :data:`QUERIED` the record keeps nothing: the query is
named by the figure, the firm, and the record's ``as_of``, currency and values, and reads the
rows as they stood at ``as_of`` (a row that appeared later is filtered by the block time at which
it appeared, as the record itself is). The equality test holds each query to the evidence the
record computed from scratch lists (``tests/credit/equality.py``).

- the volume figures, ``size_relative``, ``network_rank`` and ``buyer_concentration``: every
  verified invoice of the firm in one currency, as seller or buyer, issued in some windows
  (:class:`TradeWindow`): its record event and, when it had one, its answer;
- ``disputes``: every trade the firm put on chain as seller, with its answer when answered;
- ``young_counterparties``: the trades recorded in the last 365 days and the registrations of
  the counterparties that were under 7 days old when such a trade was recorded;
- ``paydex_as_*`` and ``payment_delays_as_*``: the invoices and payments behind the payment
  experiences (paid in the window, or any time; and every open remainder with its payments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, union
from sqlalchemy.sql.elements import ColumnElement

from backend.credit.figure import BUCKET_DAYS
from backend.credit.network import PAGERANK_DAYS
from backend.credit.paydex import PAID_WINDOW_DAYS
from backend.credit.population import SIZE_DAYS
from backend.credit.queries import FIRMS, PAYMENTS
from backend.credit.tallies import PARTY, TRADES
from backend.credit.trading import BUCKETS, LONG_DAYS, SHORT_DAYS, YOUNG_COUNTERPARTY_DAYS
from backend.enums import DAY, TallyMeasure, TradeKind

SOLD, BOUGHT = TallyMeasure.SOLD, TallyMeasure.BOUGHT
Record = Mapping[str, Any]  # a record's JSON (``CreditRecordView.to_json()``), available
Query = Select[Any] | None  # one column of event ids, or None: no evidence


@dataclass(frozen=True)
class TradeWindow:
    """The firm's verified invoices in ``currency`` as ``measure`` issued in ``(lo, hi]``."""

    measure: TallyMeasure
    currency: int
    lo: int
    hi: int


def query(figure: str, firm: str, record: Record) -> Query:
    """The ids of the events behind ``figure`` of the firm's ``record``, each once."""
    return QUERIED[figure](firm, record)


# ─────────────────────────────────────────────────────────────── invoices in windows


def invoice_windows(firm: str, windows: list[TradeWindow], as_of: int) -> Query:
    if not windows:
        return None
    counted = and_(
        or_(*(_in_window(firm, window) for window in windows)),
        TRADES.c.kind == TradeKind.INVOICE,
        TRADES.c.verified_time <= as_of,
    )
    return _trade_events(counted, as_of)


def _in_window(firm: str, window: TradeWindow) -> ColumnElement[bool]:
    return and_(
        PARTY[window.measure] == firm,
        TRADES.c.currency == window.currency,
        TRADES.c.issued_at > window.lo,
        TRADES.c.issued_at <= window.hi,
    )


def _back(days: int, *measures: TallyMeasure) -> Callable[[str, Record], Query]:
    def windows(firm: str, record: Record) -> Query:
        as_of, currency = int(record["as_of"]), int(record["currency"])
        found = [TradeWindow(m, currency, as_of - days * DAY, as_of) for m in measures]
        return invoice_windows(firm, found, as_of)

    return windows


def _trend(firm: str, record: Record) -> Query:
    months = int(record["figures"]["sales_trend"]["months"])
    return _back(months * BUCKET_DAYS, SOLD)(firm, record) if months else None


def _by_currency(firm: str, record: Record) -> Query:
    as_of = int(record["as_of"])
    windows = [
        TradeWindow(measure, int(entry["currency"]), as_of - LONG_DAYS * DAY, as_of)
        for entry in record["figures"]["by_currency"]["currencies"]
        for measure in (SOLD, BOUGHT)
    ]
    return invoice_windows(firm, windows, as_of)


# ─────────────────────────────────────────────────────────────── trades of any kind


def _trade_events(trades: ColumnElement[bool], as_of: int) -> Select[Any]:
    """The record events of the trades matching ``trades`` on chain by ``as_of`` and the
    answers they had by then."""
    recorded = and_(trades, TRADES.c.recorded_time <= as_of)
    answered = and_(
        recorded,
        TRADES.c.answer_event_id.is_not(None),
        or_(TRADES.c.verified_time <= as_of, TRADES.c.rejected_time <= as_of),
    )
    return (
        union(
            select(TRADES.c.event_id.label("id")).where(recorded),
            select(TRADES.c.answer_event_id.label("id")).where(answered),
        )
        .subquery()
        .select()
    )


def _disputes(firm: str, record: Record) -> Query:
    return _trade_events(TRADES.c.seller == firm, int(record["as_of"]))


def _young_counterparties(firm: str, record: Record) -> Query:
    as_of = int(record["as_of"])
    mine = or_(TRADES.c.seller == firm, TRADES.c.buyer == firm)
    recent = and_(mine, TRADES.c.recorded_time > as_of - LONG_DAYS * DAY)
    young = (
        select(FIRMS.c.event_id.label("id"))
        .join(
            TRADES,
            or_(
                and_(TRADES.c.seller == firm, TRADES.c.buyer == FIRMS.c.address),
                and_(TRADES.c.buyer == firm, TRADES.c.seller == FIRMS.c.address),
            ),
        )
        .where(
            recent,
            TRADES.c.recorded_time <= as_of,
            TRADES.c.recorded_time - FIRMS.c.registered_at < YOUNG_COUNTERPARTY_DAYS * DAY,
        )
    )
    trades = _trade_events(recent, as_of).subquery()
    return union(select(trades.c.id), young).subquery().select()


# ─────────────────────────────────────────────────────────────── payment experiences


def _payments(role: str, window_days: int | None) -> Callable[[str, Record], Query]:
    """The invoices and payments behind the experiences as ``role`` ("payer": the firm is the
    buyer; "payee": the seller), paid in the last ``window_days`` (None: any time), and every
    open remainder (an invoice due before ``as_of`` and not paid in full by then) with its
    payments (:func:`backend.credit.paydex.experiences`)."""

    def experiences(firm: str, record: Record) -> Query:
        as_of, currency = int(record["as_of"]), int(record["currency"])
        party = TRADES.c.buyer if role == "payer" else TRADES.c.seller
        payer = PAYMENTS.c.payer if role == "payer" else PAYMENTS.c.payee
        invoices = and_(
            party == firm,
            TRADES.c.kind == TradeKind.INVOICE,
            TRADES.c.currency == currency,
            TRADES.c.verified_time <= as_of,
        )
        on_chain = and_(payer == firm, PAYMENTS.c.block_time <= as_of)
        paid = and_(on_chain, PAYMENTS.c.trade_id == TRADES.c.trade_id, invoices)
        if window_days is not None:
            paid = and_(
                paid,
                PAYMENTS.c.paid_at > as_of - window_days * DAY,
                PAYMENTS.c.paid_at <= as_of,
            )
        paid_so_far = (
            select(PAYMENTS.c.trade_id, func.sum(PAYMENTS.c.amount).label("paid"))
            .where(on_chain)
            .group_by(PAYMENTS.c.trade_id)
            .subquery()
        )
        open_invoices = (
            select(TRADES.c.trade_id)
            .outerjoin(paid_so_far, paid_so_far.c.trade_id == TRADES.c.trade_id)
            .where(
                invoices,
                TRADES.c.due_at < as_of,
                TRADES.c.amount > func.coalesce(paid_so_far.c.paid, 0),
            )
        )
        experienced = union(
            select(PAYMENTS.c.trade_id).select_from(PAYMENTS).join(TRADES, paid), open_invoices
        ).subquery()
        their_trades = TRADES.c.trade_id.in_(select(experienced.c.trade_id))
        paid_ids = select(PAYMENTS.c.event_id.label("id")).join(TRADES, paid)
        open_payments = select(PAYMENTS.c.event_id.label("id")).where(
            on_chain, PAYMENTS.c.trade_id.in_(open_invoices)
        )
        trades = _trade_events(their_trades, as_of).subquery()
        return union(select(trades.c.id), paid_ids, open_payments).subquery().select()

    return experiences


#: figure -> its evidence query, from the firm and the record (JSON) it belongs to
QUERIED: dict[str, Callable[[str, Record], Query]] = {
    "sales_90d": _back(SHORT_DAYS, SOLD),
    "sales_365d": _back(LONG_DAYS, SOLD),
    "purchases_90d": _back(SHORT_DAYS, BOUGHT),
    "purchases_365d": _back(LONG_DAYS, BOUGHT),
    "sales_growth": _back(2 * LONG_DAYS, SOLD),
    "sales_trend": _trend,
    "sales_volatility": _back(BUCKETS * BUCKET_DAYS, SOLD),
    "volume_spike": _back(BUCKETS * BUCKET_DAYS, SOLD),
    "buyer_concentration": _back(LONG_DAYS, SOLD),
    "by_currency": _by_currency,
    "size_relative": _back(SIZE_DAYS, SOLD),
    "network_rank": _back(PAGERANK_DAYS, SOLD, BOUGHT),
    "disputes": _disputes,
    "young_counterparties": _young_counterparties,
    "paydex_as_payer": _payments("payer", PAID_WINDOW_DAYS),
    "paydex_as_payee": _payments("payee", PAID_WINDOW_DAYS),
    "payment_delays_as_payer": _payments("payer", None),
    "payment_delays_as_payee": _payments("payee", None),
}
