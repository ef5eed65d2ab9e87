"""EIP-712 typed-data hashing, written out from the specification.

Why our own and not ``eth_account.messages.encode_typed_data``: hashing sits on the hot path of
validation (every submitted trade is hashed and its signatures recovered), and this is several times
faster. Tests prove it standard: the spec's "Ether Mail" example, eth-account's encoder and
anvil's ``eth_signTypedData_v4`` all agree with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from eth_abi import encode as abi_encode

from backend.sdk.hashing import keccak256

Field = tuple[str, str]  # (name, type)
Types = Mapping[str, Sequence[Field]]

DOMAIN_FIELDS: tuple[Field, ...] = (
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
)


class TypedDataSchema:
    """A set of struct types; hashes structs of those types (``hashStruct`` in EIP-712)."""

    def __init__(self, types: Types) -> None:
        self.types = {name: tuple(fields) for name, fields in types.items()}

    def encode_type(self, primary: str) -> str:
        """``encodeType``: the primary type, then the types it references, sorted by name."""
        referenced = sorted(self._dependencies(primary) - {primary})
        return "".join(self._signature(name) for name in [primary, *referenced])

    def type_hash(self, primary: str) -> bytes:
        return self._type_hashes[primary]

    def hash_struct(self, primary: str, data: Mapping[str, Any]) -> bytes:
        encoded = b"".join(
            self._encode_value(field_type, data[name]) for name, field_type in self.types[primary]
        )
        return keccak256(self.type_hash(primary) + encoded)

    @cached_property
    def _type_hashes(self) -> dict[str, bytes]:
        return {name: keccak256(self.encode_type(name).encode()) for name in self.types}

    def _signature(self, name: str) -> str:
        return f"{name}({','.join(f'{t} {n}' for n, t in self.types[name])})"

    def _dependencies(self, name: str, found: set[str] | None = None) -> set[str]:
        found = set() if found is None else found
        if name in found or name not in self.types:
            return found
        found.add(name)
        for _, field_type in self.types[name]:
            self._dependencies(_base_type(field_type), found)
        return found

    def _encode_value(self, field_type: str, value: Any) -> bytes:
        if field_type in self.types:
            return self.hash_struct(field_type, value)
        if field_type.endswith("]"):
            item_type = field_type[: field_type.rindex("[")]
            return keccak256(b"".join(self._encode_value(item_type, item) for item in value))
        if field_type == "string":
            return keccak256(value.encode())
        if field_type == "bytes":
            return keccak256(value)
        return _encode_atomic(field_type, value)


def _encode_atomic(field_type: str, value: Any) -> bytes:
    """One 32-byte word for the static types the ledger signs; eth-abi for anything else.

    (eth-abi's general encoder is the slowest step of hashing a trade.)
    """
    if field_type.startswith("uint") and isinstance(value, int) and not isinstance(value, bool):
        bits = int(field_type[4:] or 256)
        if not 0 <= value < 1 << bits:
            raise ValueError(f"{value} does not fit {field_type}")
        return value.to_bytes(32, "big")
    if field_type == "address" and isinstance(value, str) and len(value) == 42:
        return bytes.fromhex(value[2:]).rjust(32, b"\x00")
    if field_type == "bytes32" and isinstance(value, bytes) and len(value) == 32:
        return value
    return abi_encode([field_type], [value])


def _base_type(field_type: str) -> str:
    return field_type.split("[", 1)[0]


def domain_separator(name: str, version: str, chain_id: int, verifying_contract: str) -> bytes:
    schema = TypedDataSchema({"EIP712Domain": DOMAIN_FIELDS})
    return schema.hash_struct(
        "EIP712Domain",
        {
            "name": name,
            "version": version,
            "chainId": chain_id,
            "verifyingContract": verifying_contract,
        },
    )


def typed_data_digest(separator: bytes, struct_hash: bytes) -> bytes:
    """``keccak256("\\x19\\x01" ‖ domainSeparator ‖ hashStruct(message))``."""
    return keccak256(b"\x19\x01" + separator + struct_hash)
