"""Trades and the payments against them, as the trade ledger recorded them."""

from __future__ import annotations

from typing import Any

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
        # a firm's trades issued in a window (the ring search's month, the edge days of the
        # credit tallies), without its history; they serve every lookup by seller or buyer too
        Index("ix_trade_seller_issued_at", "seller", "issued_at"),
        Index("ix_trade_buyer_issued_at", "buyer", "issued_at"),
    )

    trade_id: str = Field(primary_key=True)
    seller: str
    buyer: str
    kind: int  # a TradeKind
    doc_hash: str = Field(index=True)
    amount: int = Field(sa_type=BigInteger)
    currency: int
    issued_at: int = Field(sa_type=BigInteger)
    due_at: int = Field(sa_type=BigInteger)
    ref: str
    invoice_key: str = ZERO_32  # the invoice's identity; zero for orders and deliveries
    status: int  # a TradeStatus
    reject_reason: str | None = None
    recorded_block: int = Field(sa_type=BigInteger)
    recorded_time: int = Field(sa_type=BigInteger)  # block time it first appeared on chain
    verified_time: int | None = Field(default=None, sa_type=BigInteger)
    rejected_time: int | None = Field(default=None, sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)  # TradeRecorded or TradeProposed
    # TradeConfirmed or TradeRejected
    answer_event_id: int | None = Field(default=None, sa_type=BigInteger)

    def payload(self) -> dict[str, Any]:
        """The trade's fields as an outbox payload carries them (the typed-data ``Trade``, with
        the kind's number): the one mapping of a recorded trade to its signed fields."""
        return {name: getattr(self, name) for name in TRADE_FIELDS}


#: The fields of the typed-data ``Trade``, in its order, as the API and the outbox name them.
TRADE_FIELDS = (
    "seller",
    "buyer",
    "kind",
    "doc_hash",
    "amount",
    "currency",
    "issued_at",
    "due_at",
    "ref",
    "invoice_key",
)


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
