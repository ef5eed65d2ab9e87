"""GET /trades: the indexed trades a caller may read, filtered, newest first.

A firm lists the trades it is a party to; a bank also those of firms whose active consent lets
it read their credit profile (the trades are that profile's evidence); the operator lists all.
The rules of who sees a two-party record and of the ``party``/``side`` filters are here once,
for the trades and the payments against them (payments.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend.auth.readers import readable_firms
from backend.auth.service import Principal
from backend.enums import ConsentScope, TradeKind, TradeStatus
from backend.paging import Page, Paging, day_window, fetch_page
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
    sides = {"seller": col(Trade.seller), "buyer": col(Trade.buyer)}
    query: Any = select(Trade).where(*visible_to(session, principal, sides.values()))
    query = query.where(*_conditions(principal, filters, sides))
    rows, count = fetch_page(
        session, query, paging, col(Trade.recorded_block).desc(), col(Trade.event_id).desc()
    )
    return Page(data=[listed(row) for row in rows], count=count)


def visible_to(session: Session, principal: Principal, parties: Any) -> list[Any]:
    """SQL: a record whose party columns ``parties`` name a firm ``principal`` may read (its own,
    a consenting firm's for a bank); no condition for the operator."""
    visible = readable_firms(session, principal, ConsentScope.CREDIT_PROFILE)
    if visible is None:
        return []
    return [or_(*(column.in_(visible) for column in parties))]


def party_conditions(
    principal: Principal, party: str | None, side: str | None, sides: Mapping[str, Any]
) -> list[Any]:
    """SQL for ``party`` (on either side, or on ``side``: a key of ``sides``, its column); a side
    without a party is the caller's own side ("my sales", "my payments")."""
    if side is not None and party is None:
        if principal.operator:
            raise SideWithoutParty("side needs a party (the operator is party to none)")
        party = principal.address
    if party is None:
        return []
    if side is not None:
        return [sides[side] == party]
    return [or_(*(column == party for column in sides.values()))]


def _conditions(principal: Principal, filters: TradeFilters, sides: Mapping[str, Any]) -> list[Any]:
    conditions = party_conditions(principal, filters.party, filters.side, sides)
    if filters.kind is not None:
        conditions.append(col(Trade.kind) == TradeKind[filters.kind.upper()])
    if filters.status is not None:
        conditions.append(col(Trade.status) == TradeStatus[filters.status.upper()])
    conditions += day_window(col(Trade.issued_at), filters.issued_from, filters.issued_to)
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
