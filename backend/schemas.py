"""Value types shared by the API's schemas: checksummed addresses, 0x-hex byte strings, amounts."""

from __future__ import annotations

import re
from typing import Annotated, Any

from eth_utils import is_hex_address
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from backend.sdk.verify import checksummed

# Amounts are minor units. The ledger's type is uint128; the API refuses anything that does not fit
# a signed 64-bit integer (92 quadrillion yuan), which every SQL database stores exactly.
MAX_AMOUNT = 2**63 - 1
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")


def _address(value: object) -> str:
    if not isinstance(value, str) or not is_hex_address(value):
        raise ValueError("must be a 0x-prefixed 20-byte hex address")
    return checksummed(value)


def _hex_of(length: int):  # type: ignore[no-untyped-def]
    def check(value: object) -> str:
        if not isinstance(value, str) or not _HEX.match(value) or len(value) != 2 + 2 * length:
            raise ValueError(f"must be 0x-prefixed hex of {length} bytes")
        return value.lower()

    return check


def _amount(value: object) -> int:
    """An integer of minor units, also accepted as a string of digits (for JSON clients)."""
    if isinstance(value, bool):
        raise ValueError("must be an integer number of minor units")
    if isinstance(value, str):
        if not value.isdigit():
            raise ValueError("must be a whole number of minor units (digits only)")
        value = int(value)
    if not isinstance(value, int):
        raise ValueError("must be an integer number of minor units")
    if value <= 0:
        raise ValueError("must be greater than zero")
    if value > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT} minor units")
    return value


Address = Annotated[
    str,
    BeforeValidator(_address),
    Field(pattern=r"^0x[0-9a-fA-F]{40}$", examples=["0x" + "ab" * 20]),
]
Hex32 = Annotated[
    str,
    BeforeValidator(_hex_of(32)),
    Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "00" * 32]),
]
HexBytes65 = Annotated[
    str,
    BeforeValidator(_hex_of(65)),
    Field(pattern=r"^0x[0-9a-fA-F]{130}$", examples=["0x" + "11" * 65]),
]
HexBytes = Annotated[
    str,
    AfterValidator(lambda v: v if _HEX.match(v) and len(v) % 2 == 0 else _raise_hex()),
    Field(pattern=r"^0x([0-9a-fA-F]{2})*$", max_length=2 + 2 * 65 * 8),
]
Amount = Annotated[
    int,
    BeforeValidator(_amount),
    PlainSerializer(int),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT},
                {"type": "string", "pattern": r"^[1-9][0-9]{0,17}$"},
            ],
            "examples": [125_000, "125000"],
        }
    ),
]
UnixTime = Annotated[int, Field(ge=0, le=2**63 - 1, examples=[1_760_000_000])]


def _raise_hex() -> str:
    raise ValueError("must be 0x-prefixed hex with an even number of digits")


def hex_bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, stable")
    message: str = Field(description="one sentence for people")


class ErrorResponse(BaseModel):
    error: ErrorDetail


# Every route may answer these; declared so that the OpenAPI schema tells clients the truth.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "bad request",
        401: "not signed in",
        403: "not allowed",
        404: "not found",
        409: "conflict with the ledger's state",
        413: "body too large",
        422: "invalid input",
        429: "rate limited",
    }.items()
}
