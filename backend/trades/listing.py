"""GET /trades: the indexed trades a caller may read, filtered, newest first.

A firm lists the trades it is a party to; a bank also those of firms whose active consent lets
it read their credit profile (the trades are that profile's evidence); the operator lists all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend.auth.readers import readable_firms
from backend.auth.service import Principal
from backend.enums import ConsentScope, TradeKind, TradeStatus
from backend.paging import Page, Paging, day_end, day_start, fetch_page
from backend.trades import schemas
from backend.trades.errors import SideWithoutParty
from backend.trades.models import Trade
from backend.trades.service import trade_in

Side = Literal["seller", "buyer"]


@dataclass(frozen=True)
class TradeFilters:
    party: str | None = None
    side: Side | None = None
    kind: schemas.TradeKindName | None = None
    status: schemas.LedgerStatusName | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


def list_trades(
    session: Session, principal: Principal, paging: Paging, filters: TradeFilters
) -> Page[schemas.TradeListed]:
    query: Any = select(Trade)
    visible = readable_firms(session, principal, ConsentScope.CREDIT_PROFILE)
    if visible is not None:
        query = query.where(or_(col(Trade.seller).in_(visible), col(Trade.buyer).in_(visible)))
    query = query.where(*_conditions(principal, filters))
    rows, count = fetch_page(
        session, query, paging, col(Trade.recorded_block).desc(), col(Trade.event_id).desc()
    )
    return Page(data=[listed(row) for row in rows], count=count)


def _conditions(principal: Principal, filters: TradeFilters) -> list[Any]:
    party = filters.party
    if filters.side is not None and party is None:
        if principal.operator:
            raise SideWithoutParty("side needs a party (the operator is party to no trade)")
        party = principal.address  # "my sales" / "my purchases"
    conditions: list[Any] = []
    if party is not None:
        if filters.side == "seller":
            conditions.append(col(Trade.seller) == party)
        elif filters.side == "buyer":
            conditions.append(col(Trade.buyer) == party)
        else:
            conditions.append(or_(col(Trade.seller) == party, col(Trade.buyer) == party))
    if filters.kind is not None:
        conditions.append(col(Trade.kind) == TradeKind[filters.kind.upper()])
    if filters.status is not None:
        conditions.append(col(Trade.status) == TradeStatus[filters.status.upper()])
    if filters.issued_from is not None:
        conditions.append(col(Trade.issued_at) >= day_start(filters.issued_from))
    if filters.issued_to is not None:
        conditions.append(col(Trade.issued_at) <= day_end(filters.issued_to))
    return conditions


def listed(row: Trade) -> schemas.TradeListed:
    return schemas.TradeListed(
        **trade_in(row.payload()).model_dump(),
        trade_id=row.trade_id,
        status=TradeStatus(row.status).name.lower(),  # type: ignore[arg-type]
        reject_reason=row.reject_reason,
        recorded_time=row.recorded_time,
        verified_time=row.verified_time,
        rejected_time=row.rejected_time,
        block_number=row.recorded_block,
    )
