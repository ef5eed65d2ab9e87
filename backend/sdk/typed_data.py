"""The ledger's EIP-712 types (DESIGN.md "Typed data") and the messages built from them.

A firm's client builds a message here, hashes it under the verifying contract's domain and signs
the digest with its own key. The contract computes the same digest; for a trade, that digest is
the trade id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, ClassVar, Self, get_type_hints

from eth_abi import encode as abi_encode
from eth_utils import keccak

from backend.enums import ConsentScope, TradeKind
from backend.sdk.eip712 import DOMAIN_FIELDS, TypedDataSchema, domain_separator, typed_data_digest
from backend.sdk.verify import checksummed

DOMAIN_NAME = "SCF Ledger"
DOMAIN_VERSION = "1"
ZERO_BYTES32 = b"\x00" * 32

LEDGER_TYPES: dict[str, list[tuple[str, str]]] = {
    "Trade": [
        ("seller", "address"),
        ("buyer", "address"),
        ("kind", "uint8"),
        ("docHash", "bytes32"),
        ("amount", "uint128"),
        ("currency", "uint16"),
        ("issuedAt", "uint64"),
        ("dueAt", "uint64"),
        ("ref", "bytes32"),
        ("invoiceKey", "bytes32"),
    ],
    "Payment": [
        ("tradeId", "bytes32"),
        ("amount", "uint128"),
        ("paidAt", "uint64"),
        ("payRef", "bytes32"),
    ],
    "Reject": [("tradeId", "bytes32"), ("reason", "bytes32")],
    "Split": [
        ("receivableId", "bytes32"),
        ("to", "address[]"),
        ("amounts", "uint128[]"),
        ("nonce", "uint256"),
    ],
    "Finance": [
        ("receivableId", "bytes32"),
        ("bank", "address"),
        ("advance", "uint128"),
        ("rateBps", "uint32"),
        ("deadline", "uint64"),
        ("nonce", "uint256"),
    ],
    "Settle": [
        ("receivableId", "bytes32"),
        ("amount", "uint128"),
        ("paidAt", "uint64"),
        ("payRef", "bytes32"),
    ],
    "Consent": [
        ("firm", "address"),
        ("bank", "address"),
        ("scope", "uint32"),
        ("expiresAt", "uint64"),
        ("nonce", "uint256"),
    ],
    "MarkDefault": [("receivableId", "bytes32"), ("nonce", "uint256")],
    "RevokeConsent": [("consentId", "bytes32"), ("nonce", "uint256")],
}
LEDGER_SCHEMA = TypedDataSchema(LEDGER_TYPES)


def invoice_key(issuer_credit_code: str, invoice_number: str) -> bytes:
    """A Chinese e-invoice's identity on the ledger: ``keccak256(abi.encode(issuer USCC, invoice
    number))``, the same whatever the bytes of the document that carries it. The USCC is taken in
    upper case and both are stripped of surrounding blanks, so one invoice has one key."""
    fields = [issuer_credit_code.strip().upper(), invoice_number.strip()]
    return keccak(abi_encode(["string", "string"], fields))


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain: one per verifying contract on one chain."""

    chain_id: int
    verifying_contract: str
    name: str = DOMAIN_NAME
    version: str = DOMAIN_VERSION

    @cached_property
    def separator(self) -> bytes:
        return domain_separator(self.name, self.version, self.chain_id, self.verifying_contract)

    def digest(self, primary_type: str, message: dict[str, Any]) -> bytes:
        return typed_data_digest(self.separator, LEDGER_SCHEMA.hash_struct(primary_type, message))

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


class TypedStruct:
    """A frozen dataclass that is one EIP-712 struct of ``schema``, named by its class (or
    ``primary``): its fields are the struct's, in snake case (``docHash`` is ``doc_hash``).

    The struct's field table drives everything built from the fields: ``message()`` (the typed
    data, in struct order; enums as their numbers, arrays as lists), ``as_tuple()`` (the
    contract's struct as an ABI tuple), ``digest()``, and ``as_json()`` / ``from_json()`` (the
    fields by attribute name, bytes as 0x-hex: the outbox's payloads). On construction
    ``address`` fields are checksummed and array fields made tuples.
    """

    _schema: ClassVar[TypedDataSchema]
    _primary: ClassVar[str]
    # (typed-data name, attribute, conversion into the message or None)
    _keys: ClassVar[tuple[tuple[str, str, Callable[[Any], Any] | None], ...]]
    # (attribute, conversion from JSON or None)
    _from_json: ClassVar[tuple[tuple[str, Callable[[Any], Any] | None], ...]]
    _addresses: ClassVar[tuple[str, ...]]
    _address_lists: ClassVar[tuple[str, ...]]
    _lists: ClassVar[tuple[str, ...]]

    def __init_subclass__(
        cls, *, schema: TypedDataSchema, primary: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls._schema, cls._primary = schema, primary or cls.__name__
        hints = get_type_hints(cls)
        fields = [(name, _snake(name), kind) for name, kind in schema.types[cls._primary]]
        cls._keys = tuple((name, a, _conversion(kind, hints[a])) for name, a, kind in fields)
        cls._from_json = tuple((a, _json_conversion(kind, hints[a])) for _, a, kind in fields)
        cls._addresses = tuple(a for _, a, kind in fields if kind == "address")
        cls._address_lists = tuple(a for _, a, kind in fields if kind == "address[]")
        cls._lists = tuple(a for _, a, k in fields if k.endswith("]") and k != "address[]")

    def __post_init__(self) -> None:
        for attribute in self._addresses:
            object.__setattr__(self, attribute, checksummed(getattr(self, attribute)))
        for attribute in self._address_lists:
            addresses = tuple(checksummed(a) for a in getattr(self, attribute))
            object.__setattr__(self, attribute, addresses)
        for attribute in self._lists:
            object.__setattr__(self, attribute, tuple(getattr(self, attribute)))

    def message(self) -> dict[str, Any]:
        """The EIP-712 message, with the typed-data field names."""
        return {
            name: getattr(self, a) if convert is None else convert(getattr(self, a))
            for name, a, convert in self._keys
        }

    def as_json(self) -> dict[str, Any]:
        """The fields by attribute name, JSON-safe: bytes as 0x-hex, enums as numbers."""
        return {a: _plain_json(getattr(self, a)) for _, a, _ in self._keys}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The struct from ``as_json``'s form; a field it lacks takes the field's default."""
        return cls(
            **{
                a: data[a] if convert is None else convert(data[a])
                for a, convert in cls._from_json
                if a in data
            }
        )

    def as_tuple(self) -> tuple[Any, ...]:
        """The contract's struct as an ABI tuple."""
        return tuple(self.message().values())

    def digest(self, domain: Domain) -> bytes:
        """The EIP-712 digest under ``domain``: what its signers sign."""
        struct_hash = self._schema.hash_struct(self._primary, self.message())
        return typed_data_digest(domain.separator, struct_hash)


def _json_conversion(field_type: str, hint: Any) -> Callable[[Any], Any] | None:
    """How a field's JSON value becomes the attribute: hex into bytes, numbers into ints (or
    the field's enum)."""
    if field_type.startswith("bytes"):
        return _from_hex
    if field_type.startswith("uint") and field_type.endswith("]"):
        return lambda values: [int(value) for value in values]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda value: hint(int(value))
    if field_type.startswith("uint"):
        return int
    return None


def _from_hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _plain_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _conversion(field_type: str, hint: Any) -> Callable[[Any], Any] | None:
    """How a field's value goes into the message: arrays as lists, enums as plain numbers."""
    if field_type.endswith("]"):
        return list
    if isinstance(hint, type) and issubclass(hint, Enum):
        return int
    return None


@dataclass(frozen=True)
class Trade(TypedStruct, schema=LEDGER_SCHEMA):
    """A trade between two firms; amounts in minor units, times in Unix seconds (UTC)."""

    seller: str
    buyer: str
    kind: TradeKind
    doc_hash: bytes
    amount: int
    currency: int
    issued_at: int
    due_at: int = 0
    ref: bytes = ZERO_BYTES32
    # The invoice's identity (see `invoice_key`): required for an INVOICE, zero for other kinds.
    invoice_key: bytes = ZERO_BYTES32

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "kind", TradeKind(self.kind))

    trade_id = TypedStruct.digest  # the digest is the trade's id on the ledger


@dataclass(frozen=True)
class Payment(TypedStruct, schema=LEDGER_SCHEMA):
    """A payment against an invoice, signed by the payee (the invoice's seller)."""

    trade_id: bytes
    amount: int
    paid_at: int
    pay_ref: bytes = ZERO_BYTES32

    payment_id = TypedStruct.digest


@dataclass(frozen=True)
class Reject(TypedStruct, schema=LEDGER_SCHEMA):
    """The buyer's refusal of a proposed trade."""

    trade_id: bytes
    reason: bytes = ZERO_BYTES32


@dataclass(frozen=True)
class Split(TypedStruct, schema=LEDGER_SCHEMA):
    """The holder's split of a receivable into parts for ``to``; one recipient makes a transfer."""

    receivable_id: bytes
    to: tuple[str, ...]
    amounts: tuple[int, ...]
    nonce: int

    @classmethod
    def transfer(cls, receivable_id: bytes, to: str, amount: int, nonce: int) -> Split:
        """The whole receivable (of ``amount``) passed to one firm."""
        return cls(receivable_id, (to,), (amount,), nonce)


@dataclass(frozen=True)
class Finance(TypedStruct, schema=LEDGER_SCHEMA):
    """A bank's financing of a receivable, signed by the holder and the bank.

    ``nonce`` is the holder's; ``rate_bps`` the discount rate in basis points; ``deadline`` the
    Unix time after which the signatures are refused.
    """

    receivable_id: bytes
    bank: str
    advance: int
    rate_bps: int
    deadline: int
    nonce: int


@dataclass(frozen=True)
class Settle(TypedStruct, schema=LEDGER_SCHEMA):
    """The holder's acknowledgement that the obligor paid the receivable in full."""

    receivable_id: bytes
    amount: int
    paid_at: int
    pay_ref: bytes = ZERO_BYTES32


@dataclass(frozen=True)
class MarkDefault(TypedStruct, schema=LEDGER_SCHEMA):
    """The holder's declaration that an overdue receivable defaulted."""

    receivable_id: bytes
    nonce: int


@dataclass(frozen=True)
class Consent(TypedStruct, schema=LEDGER_SCHEMA):
    """A firm's grant of read access to ``bank`` for ``scope`` until ``expires_at`` (Unix s)."""

    firm: str
    bank: str
    scope: ConsentScope
    expires_at: int
    nonce: int

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "scope", ConsentScope(self.scope))

    consent_id = TypedStruct.digest


@dataclass(frozen=True)
class RevokeConsent(TypedStruct, schema=LEDGER_SCHEMA):
    """A firm's revocation of the consent ``consent_id`` it granted."""

    consent_id: bytes
    nonce: int


def typed_data_json(domain: Domain, primary_type: str, message: dict[str, Any]) -> dict[str, Any]:
    """The full typed data as ``eth_signTypedData_v4`` (and MetaMask) take it: JSON-safe values."""
    types: dict[str, list[dict[str, str]]] = {
        "EIP712Domain": [{"name": n, "type": t} for n, t in DOMAIN_FIELDS]
    }
    for name in [primary_type, *sorted(_referenced(primary_type))]:
        types[name] = [{"name": n, "type": t} for n, t in LEDGER_TYPES[name]]
    return {
        "types": types,
        "primaryType": primary_type,
        "domain": domain.as_json(),
        "message": {key: _json_value(value) for key, value in message.items()},
    }


def _referenced(primary_type: str) -> set[str]:
    return {t.split("[")[0] for _, t in LEDGER_TYPES[primary_type]} & set(LEDGER_TYPES)


JSON_SAFE_INTEGER = 2**53 - 1  # beyond this, JSON numbers lose digits in JavaScript wallets


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > JSON_SAFE_INTEGER:
        return str(value)  # EIP-712 JSON takes big integers as decimal strings
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value
