"""Signature recovery for validation, with the same rules as OpenZeppelin's ECDSA.

coincurve (libsecp256k1) recovers a key about ten times faster than eth-keys' pure-Python path;
validating every submitted trade's two signatures is the API's hottest work.
"""

from __future__ import annotations

from functools import lru_cache

import coincurve
from eth_utils import to_checksum_address

from backend.sdk.hashing import keccak256

# secp256k1's order n, and n / 2: OpenZeppelin's ECDSA refuses s above it (malleable signatures).
_HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


def recover_address(digest: bytes, signature: bytes) -> str | None:
    """The address whose key made this 65-byte ``r ‖ s ‖ v`` signature of ``digest``, or None."""
    if len(signature) != 65 or len(digest) != 32:
        return None
    v = signature[64]
    if v not in (27, 28) or int.from_bytes(signature[32:64]) > _HALF_ORDER:
        return None
    try:
        public_key = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([v - 27]), digest, hasher=None
        )
    except ValueError:
        return None
    return checksummed(keccak256(public_key.format(compressed=False)[1:])[-20:].hex())


@lru_cache(maxsize=65_536)
def checksummed(address_hex: str) -> str:
    """EIP-55 form of a 40-hex-digit address (cached: the same firms sign again and again)."""
    return str(to_checksum_address("0x" + address_hex.removeprefix("0x").lower()))
