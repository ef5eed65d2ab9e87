"""Trades and payments in and out of the API (snake_case JSON; typed-data fields as DESIGN.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.enums import ZERO_32
from backend.schemas import (
    EXAMPLE_BUYER,
    EXAMPLE_ID,
    EXAMPLE_SELLER,
    EXAMPLE_SIGNATURE,
    EXAMPLE_TIME,
    Address,
    Amount,
    Currency,
    ErrorDetail,
    Hex32,
    HexBytes,
    UnixTime,
    examples,
)

TradeKindName = Literal["order", "delivery", "invoice"]


class TradeIn(BaseModel):
    seller: Address
    buyer: Address
    kind: TradeKindName
    doc_hash: Hex32 = Field(description="SHA-256 of the document's bytes")
    amount: Amount = Field(description="minor units (fen, cents); integer or a string of digits")
    currency: Currency = Field(description="ISO 4217 numeric (156 CNY, 840 USD)")
    issued_at: UnixTime
    due_at: UnixTime = Field(0, description="payment due (invoices); 0 otherwise")
    ref: Hex32 = Field(ZERO_32, description="the trade this one follows, or zero")
    invoice_key: Hex32 = Field(
        ZERO_32,
        description=(
            "the invoice's identity, unique in the whole ledger whatever the document's bytes: "
            "for a Chinese e-invoice keccak256(abi.encode(issuer USCC, invoice number)) "
            "(backend.sdk.typed_data.invoice_key); required for invoices, zero otherwise"
        ),
    )


EXAMPLE_INVOICE: dict[str, Any] = {
    "seller": EXAMPLE_SELLER,
    "buyer": EXAMPLE_BUYER,
    "kind": "invoice",
    "doc_hash": "0x" + "5a" * 32,
    "amount": 123_556_700,
    "currency": 156,
    "issued_at": EXAMPLE_TIME,
    "due_at": EXAMPLE_TIME + 60 * 86_400,
    "ref": ZERO_32,
    "invoice_key": "0x" + "7b" * 32,
}
EXAMPLE_TRADE = {
    "trade": EXAMPLE_INVOICE,
    "seller_signature": EXAMPLE_SIGNATURE,
    "buyer_signature": EXAMPLE_SIGNATURE,
}


class TradeCreate(BaseModel):
    model_config = examples(EXAMPLE_TRADE)

    trade: TradeIn
    seller_signature: HexBytes
    buyer_signature: HexBytes | None = Field(
        None, description="absent: a proposal the buyer confirms or rejects later"
    )


class TradeAccepted(BaseModel):
    trade_id: Hex32
    status: str


class TradesBatchCreate(BaseModel):
    model_config = examples({"items": [EXAMPLE_TRADE]})

    items: list[TradeCreate] = Field(min_length=1, max_length=1_000)


class BatchItemResult(BaseModel):
    index: int
    trade_id: Hex32 | None
    status: Literal["queued", "refused"]
    error: ErrorDetail | None = None


class TradesBatchAccepted(BaseModel):
    data: list[BatchItemResult]
    accepted: int
    refused: int


class TradePublic(BaseModel):
    trade_id: Hex32
    status: Literal["queued", "submitted", "recorded", "final", "failed"] = Field(
        description="queued; submitted (sent, not yet in an indexed canonical block); recorded "
        "(indexed, with block_number and confirmations); final (deeper than the final depth); "
        "failed (with error)"
    )
    ledger_status: Literal["proposed", "verified", "rejected"] | None = None
    trade: TradeIn | None = None
    tx_hash: str | None = None
    block_number: int | None = None
    confirmations: int | None = Field(
        None, description="indexed blocks from block_number to the indexed head, inclusive"
    )
    error: ErrorDetail | None = None


class TradeConfirm(BaseModel):
    model_config = examples({"buyer_signature": EXAMPLE_SIGNATURE})

    buyer_signature: HexBytes


class TradeReject(BaseModel):
    model_config = examples({"reason": "0x" + b"wrong quantity".hex().ljust(64, "0"),
                    "buyer_signature": EXAMPLE_SIGNATURE})  # fmt: skip

    reason: Hex32 = Field(ZERO_32, description="why, as bytes32 (e.g. short text, zero-padded)")
    buyer_signature: HexBytes


class PaymentCreate(BaseModel):
    model_config = examples(
        {
            "trade_id": EXAMPLE_ID,
            "amount": 50_000_000,
            "paid_at": EXAMPLE_TIME + 30 * 86_400,
            "pay_ref": ZERO_32,
            "payee_signature": EXAMPLE_SIGNATURE,
        }
    )

    trade_id: Hex32
    amount: Amount
    paid_at: UnixTime
    pay_ref: Hex32 = ZERO_32
    payee_signature: HexBytes


LedgerStatusName = Literal["proposed", "verified", "rejected"]


class TradeListed(BaseModel):
    """A trade as the ledger recorded it (indexed), for lists."""

    trade_id: Hex32
    seller: Address
    buyer: Address
    kind: TradeKindName
    doc_hash: Hex32
    amount: int = Field(description="minor units of `currency`")
    currency: int = Field(description="ISO 4217 numeric")
    issued_at: int
    due_at: int
    ref: Hex32
    invoice_key: Hex32
    status: LedgerStatusName = Field(description="the ledger's status of the trade")
    reject_reason: Hex32 | None
    recorded_time: int = Field(description="block time it first appeared on chain")
    verified_time: int | None
    rejected_time: int | None
    block_number: int


class PaymentListed(BaseModel):
    """A trade payment as the ledger recorded it (indexed), for lists."""

    payment_id: Hex32
    trade_id: Hex32
    payer: Address = Field(description="the invoice's buyer")
    payee: Address = Field(description="the invoice's seller, who signed the payment")
    amount: int = Field(description="minor units of `currency`")
    currency: int = Field(description="ISO 4217 numeric, the invoice's")
    paid_at: int
    pay_ref: Hex32
    days_beyond_terms: float | None = Field(
        description="(paid_at - the invoice's due_at) / 86400: negative when early, null "
        "without a due date"
    )
    block_number: int
    tx_hash: Hex32 | None = Field(description="the transaction that recorded it, when indexed")
