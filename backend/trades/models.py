"""Trades and the payments against them, as the trade ledger recorded them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, text
from sqlmodel import Field, SQLModel

from backend.enums import ZERO_32

_INVOICES_ONLY = text(f"invoice_key <> '{ZERO_32}'")


class Trade(SQLModel, table=True):
    # A document is held by one live trade at a time, but a rejected or expired proposal keeps its
    # row when another trade records the same document (or invoice) again: not unique here.
    __table_args__ = (
        Index(
            "ix_trade_invoice_key",
            "invoice_key",
            sqlite_where=_INVOICES_ONLY,
            postgresql_where=_INVOICES_ONLY,
        ),
    )

    trade_id: str = Field(primary_key=True)
    seller: str = Field(index=True)
    buyer: str = Field(index=True)
    kind: int  # 0 order, 1 delivery, 2 invoice
    doc_hash: str = Field(index=True)
    amount: int = Field(sa_type=BigInteger)
    currency: int
    issued_at: int = Field(sa_type=BigInteger)
    due_at: int = Field(sa_type=BigInteger)
    ref: str
    invoice_key: str = ZERO_32  # the invoice's identity; zero for orders and deliveries
    status: int  # 1 proposed, 2 verified, 3 rejected (TradeLedger.TradeStatus)
    reject_reason: str | None = None
    recorded_block: int = Field(sa_type=BigInteger)
    recorded_time: int = Field(sa_type=BigInteger)  # block time it first appeared on chain
    verified_time: int | None = Field(default=None, sa_type=BigInteger)
    rejected_time: int | None = Field(default=None, sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)  # TradeRecorded or TradeProposed
    # TradeConfirmed or TradeRejected
    answer_event_id: int | None = Field(default=None, sa_type=BigInteger)


class Payment(SQLModel, table=True):
    payment_id: str = Field(primary_key=True)
    trade_id: str = Field(index=True)
    payer: str = Field(index=True)
    payee: str = Field(index=True)
    amount: int = Field(sa_type=BigInteger)
    paid_at: int = Field(sa_type=BigInteger)
    pay_ref: str
    block_number: int = Field(sa_type=BigInteger)
    block_time: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)
