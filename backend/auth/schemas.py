"""Sign-in requests and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas import Address, HexBytes


class ChallengeCreate(BaseModel):
    address: Address


class ChallengePublic(BaseModel):
    message: str = Field(description="EIP-4361 message to sign with personal_sign")
    nonce: str
    expires_at: int


class TokenCreate(BaseModel):
    message: str = Field(max_length=2_000)
    signature: HexBytes = Field(
        description="65 bytes from an EOA's personal_sign, or an ERC-1271 wallet's signature of "
        "the message's EIP-191 hash (any length; a multisig's is its owners' signatures)"
    )


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: int
    address: Address
    roles: list[str]
    operator: bool
