"""Trades and the payments against them, as the trade ledger recorded them."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class Trade(SQLModel, table=True):
    trade_id: str = Field(primary_key=True)
    seller: str = Field(index=True)
    buyer: str = Field(index=True)
    kind: int  # 0 order, 1 delivery, 2 invoice
    doc_hash: str = Field(unique=True)
    amount: int = Field(sa_type=BigInteger)
    currency: int
    issued_at: int = Field(sa_type=BigInteger)
    due_at: int = Field(sa_type=BigInteger)
    ref: str
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
