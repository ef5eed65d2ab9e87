"""Trades and payments in and out of the API (snake_case JSON; typed-data fields as DESIGN.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.enums import ZERO_32
from backend.schemas import Address, Amount, Currency, ErrorDetail, Hex32, HexBytes, UnixTime

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


class TradeCreate(BaseModel):
    trade: TradeIn
    seller_signature: HexBytes
    buyer_signature: HexBytes | None = Field(
        None, description="absent: a proposal the buyer confirms or rejects later"
    )


class TradeAccepted(BaseModel):
    trade_id: Hex32
    status: str


class TradesBatchCreate(BaseModel):
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
    buyer_signature: HexBytes


class TradeReject(BaseModel):
    reason: Hex32 = Field(ZERO_32, description="why, as bytes32 (e.g. short text, zero-padded)")
    buyer_signature: HexBytes


class SubmissionAccepted(BaseModel):
    id: str
    subject: Hex32
    status: str


class PaymentCreate(BaseModel):
    trade_id: Hex32
    amount: Amount
    paid_at: UnixTime
    pay_ref: Hex32 = ZERO_32
    payee_signature: HexBytes
