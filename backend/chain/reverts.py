"""Decoding contract reverts into Python exceptions named after the Solidity custom errors.

Every custom error in the compiled ABIs gets a subclass of :class:`ContractRevert` with the same
name (``reverts.TradeLedgerDuplicateDocument``), carrying the error's arguments by name. The
classes are made from the ABIs, never written by hand, so a new Solidity error needs no Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from backend.errors import LedgerError

_CONFLICT_WORDS = ("Duplicate", "AlreadyRegistered", "InvalidStatus", "StatusUnchanged", "Already")
_FORBIDDEN_WORDS = ("InvalidSignature", "InactiveFirm", "Unauthorized", "AccessControl")


class ContractRevert(LedgerError, code="contract_revert", status=422):
    """A transaction or call that a contract refused, with the decoded custom error."""

    error_name: str = "ContractRevert"

    def __init__(self, message: str, arguments: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.arguments = arguments or {}


class UnknownRevert(ContractRevert):
    """A revert whose data matches no known custom error."""


_classes: dict[str, type[ContractRevert]] = {}


def revert_class(error_name: str) -> type[ContractRevert]:
    """The exception class for a Solidity error name (made on first use)."""
    if error_name not in _classes:
        _classes[error_name] = type(
            error_name,
            (ContractRevert,),
            {
                "error_name": error_name,
                "code": _snake_case(error_name),
                "status": _http_status(error_name),
                "__module__": __name__,
            },
        )
    return _classes[error_name]


def __getattr__(name: str) -> type[ContractRevert]:
    """``reverts.SomeSolidityError``: the class for that error, for ``except`` and tests."""
    if name[:1].isupper():
        return revert_class(name)
    raise AttributeError(name)


@dataclass(frozen=True)
class _ErrorSpec:
    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]


class RevertDecoder:
    """Maps 4-byte selectors to the custom errors declared in a set of ABIs."""

    def __init__(self, abis: list[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, _ErrorSpec] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") == "error":
                    spec = _ErrorSpec(
                        name=entry["name"],
                        names=tuple(i["name"] for i in entry["inputs"]),
                        types=tuple(_abi_type(i) for i in entry["inputs"]),
                    )
                    selector = keccak(text=f"{spec.name}({','.join(spec.types)})")[:4]
                    self._errors[selector] = spec

    def decode(self, data: bytes | str | None) -> ContractRevert:
        """The exception for ABI-encoded revert data."""
        raw = _as_bytes(data)
        spec = self._errors.get(raw[:4])
        if spec is None:
            return UnknownRevert(f"the contract reverted (data 0x{raw.hex() or ''})")
        values = abi_decode(list(spec.types), raw[4:])
        arguments = {name: _readable(value) for name, value in zip(spec.names, values, strict=True)}
        shown = ", ".join(f"{k}={v}" for k, v in arguments.items())
        return revert_class(spec.name)(f"{spec.name}({shown})", arguments)


def _abi_type(entry: dict[str, Any]) -> str:
    if entry["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in entry["components"])
        return f"({inner}){entry['type'][5:]}"
    return str(entry["type"])


def _as_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    text = data[2:] if data.startswith("0x") else data
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


def _readable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _http_status(name: str) -> int:
    if any(word in name for word in _CONFLICT_WORDS):
        return 409
    if any(word in name for word in _FORBIDDEN_WORDS):
        return 403
    return 422
