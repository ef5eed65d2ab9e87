"""Consents in and out of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.schemas import (
    EXAMPLE_BANK,
    EXAMPLE_SELLER,
    EXAMPLE_SIGNATURE,
    EXAMPLE_TIME,
    Address,
    Hex32,
    HexBytes,
    Nonce,
    UnixTime,
    examples,
)


class ConsentIn(BaseModel):
    firm: Address
    bank: Address
    scope: int = Field(ge=1, le=7, description="bits: 1 credit profile, 2 documents, 4 decisions")
    expires_at: UnixTime
    nonce: Nonce = Field(description="the firm's next consent nonce")


class ConsentCreate(BaseModel):
    model_config = examples(
        {
            "consent": {
                "firm": EXAMPLE_SELLER,
                "bank": EXAMPLE_BANK,
                "scope": 5,
                "expires_at": EXAMPLE_TIME + 180 * 86_400,
                "nonce": 0,
            },
            "signature": EXAMPLE_SIGNATURE,
        }
    )

    consent: ConsentIn
    signature: HexBytes = Field(description="the firm's EIP-712 signature of the Consent")


class ConsentRevoke(BaseModel):
    model_config = examples({"nonce": 1, "signature": EXAMPLE_SIGNATURE})

    nonce: Nonce
    signature: HexBytes = Field(description="the firm's EIP-712 signature of RevokeConsent")


ConsentStatus = Literal["active", "expired", "revoked", "revoking", "replaced"]


class ConsentPublic(BaseModel):
    consent_id: Hex32
    firm: Address
    bank: Address
    scope: int = Field(description="bits: 1 credit profile, 2 documents, 4 decisions")
    expires_at: int
    granted_time: int = Field(description="block time the chain recorded it")
    revoked_time: int | None
    replaced_by: Hex32 | None
    active: bool = Field(description="lets the bank read now (status active)")
    status: ConsentStatus = Field(
        description="active; expired; revoked (on chain); revoking (the revocation is accepted "
        "and ends it already, the chain records it shortly); replaced (by a newer consent)"
    )
