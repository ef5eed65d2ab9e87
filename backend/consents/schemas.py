"""Consents in and out of the API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas import Address, HexBytes, Nonce, UnixTime


class ConsentIn(BaseModel):
    firm: Address
    bank: Address
    scope: int = Field(ge=1, le=7, description="bits: 1 credit profile, 2 documents, 4 decisions")
    expires_at: UnixTime
    nonce: Nonce = Field(description="the firm's next consent nonce")


class ConsentCreate(BaseModel):
    consent: ConsentIn
    signature: HexBytes = Field(description="the firm's EIP-712 signature of the Consent")


class ConsentRevoke(BaseModel):
    nonce: Nonce
    signature: HexBytes = Field(description="the firm's EIP-712 signature of RevokeConsent")
