"""GET /receivables: the receivables a caller may read, filtered, newest first.

A firm lists those it holds, owes or was created for (who may read one, as GET
/receivables/{id}); a bank also those it financed and those held by firms whose active consent
lets it read their credit profile; the operator lists all. A tree (``root``) is listed by the
same rule: the caller sees the nodes it may read and nothing of the others (a node whose parent
is not listed hangs under a part the caller may not see).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend.auth.readers import readable_firms
from backend.auth.service import Principal
from backend.enums import ConsentScope
from backend.paging import Page, Paging, day_window, fetch_page
from backend.receivables import schemas
from backend.receivables.models import Financing, Receivable
from backend.receivables.service import public
from backend.trades.models import Trade


@dataclass(frozen=True)
class ReceivableFilters:
    holder: str | None = None
    obligor: str | None = None
    state: schemas.StateName | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    root: str | None = None  # one tree: the receivables split (down the tiers) from this root


def list_receivables(
    session: Session, principal: Principal, paging: Paging, filters: ReceivableFilters
) -> Page[schemas.ReceivablePublic]:
    query: Any = select(Receivable, Trade.currency).outerjoin(
        Trade, col(Trade.trade_id) == col(Receivable.root_id)
    )
    visible = readable_firms(session, principal, ConsentScope.CREDIT_PROFILE)
    if visible is not None:
        me = principal.address
        financed = select(Financing.receivable_id).where(Financing.bank == me)
        query = query.where(
            or_(
                col(Receivable.holder).in_(visible),
                col(Receivable.obligor) == me,
                col(Receivable.creditor) == me,
                col(Receivable.receivable_id).in_(financed),
            )
        )
    query = query.where(*_conditions(filters))
    rows, count = fetch_page(
        session,
        query,
        paging,
        col(Receivable.created_block).desc(),
        col(Receivable.event_id).desc(),
        col(Receivable.receivable_id),
    )
    return Page(data=[public(row, currency) for row, currency in rows], count=count)


def _conditions(filters: ReceivableFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.holder is not None:
        conditions.append(col(Receivable.holder) == filters.holder)
    if filters.obligor is not None:
        conditions.append(col(Receivable.obligor) == filters.obligor)
    if filters.root is not None:
        conditions.append(col(Receivable.root_id) == filters.root)
    if filters.state is not None:
        conditions.append(col(Receivable.status) == schemas.STATUS_NUMBERS[filters.state])
    return conditions + day_window(col(Receivable.due_at), filters.due_from, filters.due_to)
