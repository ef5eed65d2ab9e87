"""Reads of the trade ledger that other domains rest on (a receivable is issued only from an
invoice nothing is paid against)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from backend.enums import OutboxKind
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import in_flight
from backend.trades.models import Payment as PaymentRow


def paid_or_paying(session: Session, trade_id: str) -> int:
    """What is paid against an invoice: the indexed payments and those still in flight (the
    contract counts both once they are on chain, so the API counts both now)."""
    queued = sum(
        int(item.payload["amount"])
        for item in in_flight(session, OutboxItem.kind == OutboxKind.PAYMENT)
        if item.payload.get("trade_id") == trade_id
    )
    recorded = session.exec(
        select(func.coalesce(func.sum(PaymentRow.amount), 0)).where(PaymentRow.trade_id == trade_id)
    ).one()
    return int(recorded) + queued
