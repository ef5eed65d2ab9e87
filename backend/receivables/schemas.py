"""Receivables in and out of the API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas import Address, Amount, Hex32, HexBytes, Nonce, UnixTime


class ReceivableIssue(BaseModel):
    trade_id: Hex32 = Field(description="a recorded invoice whose buyer is a core enterprise")


class ReceivablePublic(BaseModel):
    receivable_id: Hex32
    root_id: Hex32
    parent_id: Hex32 | None
    tier: int
    obligor: Address
    creditor: Address
    holder: Address
    amount: int
    due_at: int
    status: str
    financed: bool
    paid_at: int | None
    late_days: int | None


class ReceivableSplit(BaseModel):
    to: list[Address] = Field(min_length=1, max_length=32)
    amounts: list[Amount] = Field(min_length=1, max_length=32)
    nonce: Nonce
    holder_signature: HexBytes


class ReceivableFinance(BaseModel):
    bank: Address
    advance: Amount
    rate_bps: int = Field(ge=0, le=100_000, description="discount rate, basis points a year")
    deadline: UnixTime
    nonce: Nonce = Field(description="the holder's next receivable nonce")
    holder_signature: HexBytes
    bank_signature: HexBytes


class ReceivableSettle(BaseModel):
    amount: Amount
    paid_at: UnixTime
    pay_ref: Hex32 = "0x" + "00" * 32
    holder_signature: HexBytes


class ReceivableDefault(BaseModel):
    nonce: Nonce
    holder_signature: HexBytes
