"""Sign-in requests and answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas import EXAMPLE_SELLER, EXAMPLE_SIGNATURE, Address, HexBytes, examples


class ChallengeCreate(BaseModel):
    model_config = examples({"address": EXAMPLE_SELLER})

    address: Address


class ChallengePublic(BaseModel):
    message: str = Field(description="EIP-4361 message to sign with personal_sign")
    nonce: str
    expires_at: int


class TokenCreate(BaseModel):
    model_config = examples(
        {
            "message": "127.0.0.1 wants you to sign in with your Ethereum account: …",
            "signature": EXAMPLE_SIGNATURE,
        }
    )

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
