"""Receivables in and out of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.enums import ReceivableStatus
from backend.schemas import (
    EXAMPLE_BANK,
    EXAMPLE_BUYER,
    EXAMPLE_ID,
    EXAMPLE_SELLER,
    EXAMPLE_SIGNATURE,
    EXAMPLE_TIME,
    Address,
    Amount,
    Hex32,
    HexBytes,
    Nonce,
    UnixTime,
    examples,
)

StateName = Literal["pending", "confirmed", "rejected", "split", "financed", "settled", "defaulted"]
#: Each state's number in ``ReceivableStatus`` (the filter of GET /receivables).
STATUS_NUMBERS = {status.name.lower(): int(status) for status in ReceivableStatus if status}


class ReceivableIssue(BaseModel):
    model_config = examples({"trade_id": EXAMPLE_ID})

    trade_id: Hex32 = Field(description="a recorded invoice whose buyer is a core enterprise")


class ReceivablePublic(BaseModel):
    receivable_id: Hex32
    root_id: Hex32
    parent_id: Hex32 | None
    tier: int
    obligor: Address
    creditor: Address
    holder: Address
    amount: int = Field(description="minor units of `currency`")
    currency: int | None = Field(
        description="ISO 4217 numeric, the invoice's (null only while its invoice is unindexed)"
    )
    due_at: int
    status: StateName
    financed: bool
    paid_at: int | None
    late_days: int | None


class ReceivableSplit(BaseModel):
    model_config = examples(
        {
            "to": [EXAMPLE_BUYER, EXAMPLE_SELLER],
            "amounts": [30_000_000, 93_556_700],
            "nonce": 0,
            "holder_signature": EXAMPLE_SIGNATURE,
        }
    )

    to: list[Address] = Field(min_length=1, max_length=32)
    amounts: list[Amount] = Field(min_length=1, max_length=32)
    nonce: Nonce
    holder_signature: HexBytes


class FinanceTerms(BaseModel):
    """A financing's terms, as the ``Finance`` typed data carries them (without the receivable)."""

    bank: Address
    advance: Amount
    rate_bps: int = Field(ge=0, le=100_000, description="discount rate, basis points a year")
    deadline: UnixTime
    nonce: Nonce = Field(description="the holder's next receivable nonce")


class ReceivableFinance(FinanceTerms):
    model_config = examples(
        {
            "bank": EXAMPLE_BANK,
            "advance": 117_000_000,
            "rate_bps": 450,
            "deadline": EXAMPLE_TIME + 86_400,
            "nonce": 0,
            "holder_signature": EXAMPLE_SIGNATURE,
            "bank_signature": EXAMPLE_SIGNATURE,
        }
    )

    holder_signature: HexBytes
    bank_signature: HexBytes


class ReceivableSettle(BaseModel):
    model_config = examples(
        {
            "amount": 123_556_700,
            "paid_at": EXAMPLE_TIME + 60 * 86_400,
            "pay_ref": "0x" + "00" * 32,
            "holder_signature": EXAMPLE_SIGNATURE,
        }
    )

    amount: Amount
    paid_at: UnixTime
    pay_ref: Hex32 = "0x" + "00" * 32
    holder_signature: HexBytes


class ReceivableDefault(BaseModel):
    model_config = examples({"nonce": 0, "holder_signature": EXAMPLE_SIGNATURE})

    nonce: Nonce
    holder_signature: HexBytes


OfferStatus = Literal["open", "accepted", "lapsed", "expired", "withdrawn"]


class OfferCreate(BaseModel):
    """A bank's terms for a receivable, signed by the bank (``Finance``, the caller as bank)."""

    model_config = examples(
        {
            "receivable_id": EXAMPLE_ID,
            "advance": 117_000_000,
            "rate_bps": 450,
            "deadline": EXAMPLE_TIME + 86_400,
            "nonce": 0,
            "bank_signature": EXAMPLE_SIGNATURE,
        }
    )

    receivable_id: Hex32
    advance: Amount = Field(description="minor units of the receivable's currency")
    rate_bps: int = Field(ge=0, le=100_000, description="discount rate, basis points a year")
    deadline: UnixTime = Field(description="the terms' deadline: the offer expires then")
    nonce: Nonce = Field(description="the holder's next receivable nonce")
    bank_signature: HexBytes


class OfferAccept(BaseModel):
    model_config = examples({"holder_signature": EXAMPLE_SIGNATURE})

    holder_signature: HexBytes = Field(description="the holder's signature of the same Finance")


class OfferPublic(BaseModel):
    offer_id: Hex32 = Field(description="the Finance digest the bank signed")
    receivable_id: Hex32
    bank: Address
    holder: Address = Field(description="the holder the offer was made to")
    advance: int = Field(description="minor units of `currency`")
    currency: int | None = Field(description="ISO 4217 numeric, the receivable's")
    rate_bps: int
    deadline: int
    nonce: int
    bank_signature: HexBytes
    status: OfferStatus = Field(
        description="open; accepted (its financing submitted); lapsed (another offer accepted, "
        "the receivable moved, or the holder's nonce spent, as the index and the outbox show); "
        "expired (deadline passed); withdrawn"
    )
    submission_id: str | None = Field(description="the accepted financing's submission")
    created_at: int
