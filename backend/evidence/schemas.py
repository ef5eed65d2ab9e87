"""The evidence endpoints' answers: the chain events, the EIP-712 typed data and signatures."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.schemas import ChainEventEvidence


class TypedDataField(BaseModel):
    name: str
    type: str = Field(description="the EIP-712 type")


class TypedDataDomain(BaseModel):
    name: str
    version: str
    chainId: int  # noqa: N815 (EIP-712's own names)
    verifyingContract: str  # noqa: N815


class TypedData(BaseModel):
    """The full typed data as ``eth_signTypedData_v4`` takes it: recompute the digest from it."""

    types: dict[str, list[TypedDataField]] = Field(description="each struct's fields, in order")
    primaryType: str  # noqa: N815
    domain: TypedDataDomain
    message: dict[str, str | int | bool] = Field(
        description="the signed struct's fields (bytes as 0x-hex, integers beyond 2^53 - 1 as "
        "decimal strings)"
    )


class TradeSignatures(BaseModel):
    seller: str | None = Field(description="the seller's signature (null: not found)")
    buyer: str | None = Field(description="the buyer's (null: not yet, or a proposal)")


class PaymentSignatures(BaseModel):
    payee: str = Field(description="the payee's signature")


class TradeEvidence(BaseModel):
    kind: Literal["trade"]
    id: str = Field(description="the trade id")
    typed_data: TypedData
    signatures: TradeSignatures
    events: list[ChainEventEvidence] = Field(description="recorded, then its answer if any")


class PaymentEvidence(BaseModel):
    kind: Literal["payment"]
    id: str = Field(description="the payment id")
    typed_data: TypedData
    signatures: PaymentSignatures
    events: list[ChainEventEvidence]


class EventEvidence(BaseModel):
    kind: Literal["event"]
    id: str = Field(description="the chain event's id, as a string")
    events: list[ChainEventEvidence] = Field(description="the one event")
