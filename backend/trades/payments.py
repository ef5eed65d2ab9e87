"""GET /payments: the indexed trade payments a caller may read, filtered, newest first.

Who sees a payment is who sees its trade (listing.py): its payer and payee, a bank while one of
them has an active consent to it, the operator. Each payment carries its invoice's currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from backend.auth.service import Principal
from backend.enums import DAY
from backend.indexer.models import ChainEvent
from backend.paging import Page, Paging, day_window, fetch_page
from backend.trades import schemas
from backend.trades.listing import party_conditions, visible_to
from backend.trades.models import Payment, Trade

Side = Literal["payer", "payee"]


@dataclass(frozen=True)
class PaymentFilters:
    party: str | None = None
    side: Side | None = None
    trade: str | None = None
    paid_from: dt.date | None = None
    paid_to: dt.date | None = None


def list_payments(
    session: Session, principal: Principal, paging: Paging, filters: PaymentFilters
) -> Page[schemas.PaymentListed]:
    sides = {"payer": col(Payment.payer), "payee": col(Payment.payee)}
    query: Any = (
        select(Payment, Trade.currency, Trade.due_at, ChainEvent.tx_hash)
        .join(Trade, col(Trade.trade_id) == col(Payment.trade_id))
        .outerjoin(ChainEvent, col(ChainEvent.id) == col(Payment.event_id))
        .where(*visible_to(session, principal, sides.values()))
        .where(*party_conditions(principal, filters.party, filters.side, sides))
        .where(*day_window(col(Payment.paid_at), filters.paid_from, filters.paid_to))
    )
    if filters.trade is not None:
        query = query.where(col(Payment.trade_id) == filters.trade)
    rows, count = fetch_page(
        session, query, paging, col(Payment.block_number).desc(), col(Payment.event_id).desc()
    )
    return Page(data=[listed(*row) for row in rows], count=count)


def listed(row: Payment, currency: int, due_at: int, tx_hash: str | None) -> schemas.PaymentListed:
    beyond = (row.paid_at - due_at) / DAY if due_at else None
    return schemas.PaymentListed(
        payment_id=row.payment_id,
        trade_id=row.trade_id,
        payer=row.payer,
        payee=row.payee,
        amount=row.amount,
        currency=currency,
        paid_at=row.paid_at,
        pay_ref=row.pay_ref,
        days_beyond_terms=beyond,
        block_number=row.block_number,
        tx_hash=tx_hash,
    )
