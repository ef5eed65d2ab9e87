"""Value types shared by the API's schemas: checksummed addresses, 0x-hex byte strings, amounts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from starlette.convertors import Convertor, register_url_convertor

from backend.sdk.verify import checksummed

# Amounts are minor units. The ledger's type is uint128; the API refuses anything that does not fit
# a signed 64-bit integer (92 quadrillion yuan), which every SQL database stores exactly.
MAX_AMOUNT = 2**63 - 1
#: The largest integer every JSON parser reads exactly (I-JSON, RFC 7493): the published bound of
#: integer fields. (FastAPI renders numeric bounds as floats: 2**63 - 1 would be published as
#: 2**63, and schema-driven clients and generators round large bounds.) Larger amounts are sent
#: as strings of digits, which the schema publishes up to 18 digits.
MAX_SCHEMA_INT = 2**53 - 1
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")


ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
HEX32_PATTERN = r"^0x[0-9a-fA-F]{64}$"
SIGNATURE65_PATTERN = r"^0x[0-9a-fA-F]{130}$"
HEX_BYTES_PATTERN = r"^0x([0-9a-fA-F]{2})+$"
AMOUNT_STRING_PATTERN = r"^[1-9][0-9]{0,17}$"  # what always fits MAX_AMOUNT
#: A signature: 65 bytes from a key, or a contract wallet's (ERC-1271) bytes, up to 8 signers.
MAX_SIGNATURE_BYTES = 65 * 8
_EXACT_FLOAT = 2**53  # floats up to here hold the integer the client wrote


def _address(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(ADDRESS_PATTERN, value):
        raise ValueError("must be a 0x-prefixed 20-byte hex address")
    return checksummed(value)


def _hex_of(length: int):  # type: ignore[no-untyped-def]
    def check(value: object) -> str:
        if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) != 2 + 2 * length:
            raise ValueError(f"must be 0x-prefixed hex of {length} bytes")
        return value.lower()

    return check


def _hex_bytes(value: object) -> str:
    if (
        not isinstance(value, str)
        or not _HEX.fullmatch(value)
        or len(value) % 2
        or not 4 <= len(value) <= 2 + 2 * MAX_SIGNATURE_BYTES
    ):
        raise ValueError(
            f"must be 0x-prefixed hex of 1 to {MAX_SIGNATURE_BYTES} bytes (two digits a byte)"
        )
    return value


def _amount(value: object) -> int:
    """An integer of minor units, also accepted as a string of digits (for JSON clients)."""
    if isinstance(value, bool):
        raise ValueError("must be an integer number of minor units")
    if isinstance(value, str):
        # As published: 1 to 18 digits, no leading zero (what always fits MAX_AMOUNT).
        if not re.fullmatch(AMOUNT_STRING_PATTERN, value):
            raise ValueError("must be a whole number of minor units (1 to 18 digits)")
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_FLOAT:
        value = int(value)  # JSON has one number type: 125000.0 is the integer 125000
    if not isinstance(value, int):
        raise ValueError("must be an integer number of minor units")
    if value > MAX_SCHEMA_INT:  # the published bound of a JSON number (I-JSON)
        raise ValueError(f"amounts above {MAX_SCHEMA_INT} are sent as a string of digits")
    if value <= 0:
        raise ValueError("must be greater than zero")
    if value > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT} minor units")
    return value


def _hex_schema(pattern: str, min_length: int, max_length: int, example: str) -> WithJsonSchema:
    """The published constraints of a hex type, the same in requests and answers (pydantic
    leaves a pattern that sits behind a validator out of the request schema)."""
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": pattern,
            "minLength": min_length,
            "maxLength": max_length,
            "examples": [example],
        }
    )


Address = Annotated[
    str, BeforeValidator(_address), _hex_schema(ADDRESS_PATTERN, 42, 42, "0x" + "ab" * 20)
]
Hex32 = Annotated[
    str, BeforeValidator(_hex_of(32)), _hex_schema(HEX32_PATTERN, 66, 66, "0x" + "00" * 32)
]
HexBytes65 = Annotated[
    str,
    BeforeValidator(_hex_of(65)),
    _hex_schema(SIGNATURE65_PATTERN, 132, 132, "0x" + "11" * 65),
]
HexBytes = Annotated[
    str,
    BeforeValidator(_hex_bytes),
    _hex_schema(HEX_BYTES_PATTERN, 4, 2 + 2 * MAX_SIGNATURE_BYTES, "0x" + "11" * 65),
]
Amount = Annotated[
    int,
    BeforeValidator(_amount),
    PlainSerializer(int),
    WithJsonSchema(
        {
            "anyOf": [
                # Published up to MAX_SCHEMA_INT (larger as a string); accepted up to MAX_AMOUNT.
                {"type": "integer", "minimum": 1, "maximum": MAX_SCHEMA_INT},
                {
                    "type": "string",
                    "pattern": AMOUNT_STRING_PATTERN,
                    "minLength": 1,
                    "maxLength": 18,
                },
            ],
            "examples": [125_000, "125000"],
        }
    ),
]


def _json_integer(value: object) -> object:
    """What JSON Schema calls an integer: a number without a fraction (17 or 17.0), never the
    string "17" or true, which pydantic's lax mode would take and the published schema does not."""
    if isinstance(value, str | bool):
        raise ValueError("must be a JSON integer")
    return value


UnixTime = Annotated[
    int, Field(ge=0, le=MAX_SCHEMA_INT, examples=[1_760_000_000]), BeforeValidator(_json_integer)
]
#: A signer's ledger nonce (its next one is what the API expects).
Nonce = Annotated[int, Field(ge=0, le=MAX_SCHEMA_INT), BeforeValidator(_json_integer)]
#: An ISO 4217 numeric currency code.
Currency = Annotated[int, Field(ge=1, le=999, examples=[156]), BeforeValidator(_json_integer)]


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: object) -> object:
    """A day as ``YYYY-MM-DD``, what the schema's ``format: date`` says; never the Unix time or
    the ISO datetime that pydantic's lax mode would also take for a date."""
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("must be a day as YYYY-MM-DD")
    return value


#: A calendar day in a query (``?due_to=2026-12-31``).
IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]


# Example values of the published request examples: well-formed (the schema takes them); what they
# name does not exist, so the API answers them with a business refusal, never invalid_request.
EXAMPLE_SELLER = "0x" + "ab" * 20
EXAMPLE_BUYER = "0x" + "cd" * 20
EXAMPLE_BANK = "0x" + "ef" * 20
EXAMPLE_ID = "0x" + "12" * 32
EXAMPLE_SIGNATURE = "0x" + "11" * 65
EXAMPLE_TIME = 1_760_000_000


#: A chain event's decoded arguments by name, as its ABI declares them: addresses checksummed,
#: bytes as 0x-hex, integers as numbers, tuples and arrays as lists (which vary by event).
EventArgs = dict[str, str | int | bool | list[Any]]


def examples(*bodies: dict[str, Any]) -> ConfigDict:
    """A model's ``model_config`` publishing ``bodies`` as its request examples."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


def hex_bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


class ErrorDetail(BaseModel):
    """A refusal's code and sentence, as a submission's status carries it."""

    code: str = Field(description="machine-readable, stable")
    message: str = Field(description="one sentence for people")


class Hex32Convertor(Convertor[str]):
    """A path segment that is a 32-byte hex id: ``/trades/{trade_id:hex32}`` does not match
    ``/trades/batch``, which then answers 405 for a GET instead of a 422 about a malformed id."""

    regex = "0x[0-9a-fA-F]{64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("hex32", Hex32Convertor())


class SubmissionAccepted(BaseModel):
    """A signed submission queued for the relayer (202): its outbox id, what it is about (the
    trade, receivable, consent ... id) and its status (``GET /submissions/{id}`` follows it)."""

    id: str
    subject: Hex32
    status: str


class ChainEventEvidence(BaseModel):
    """An indexed chain event, to look up on any node by transaction and log index."""

    event_id: int
    contract: str = Field(description="the contract that emitted it")
    event: str = Field(description="the event's name")
    tx_hash: str
    block_number: int
    block_hash: str
    log_index: int
    block_time: int = Field(description="Unix seconds")
    args: EventArgs = Field(description="the event's decoded arguments by name")
