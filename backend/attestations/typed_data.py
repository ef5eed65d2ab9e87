"""The EIP-712 types of ``AttestationLedger`` (domain "SCF Ledger", "1", that contract) and the
messages built from them. Kept beside the ledger's own types (backend/sdk/typed_data.py) and
hashed the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak, to_checksum_address

from backend.enums import DeviceKind, DeviceStatus
from backend.sdk.eip712 import TypedDataSchema, typed_data_digest
from backend.sdk.typed_data import Domain

ATTESTATION_TYPES: dict[str, list[tuple[str, str]]] = {
    "Device": [
        ("deviceId", "bytes32"),
        ("firm", "address"),
        ("kind", "uint8"),
        ("ratedCapacity", "uint64"),
    ],
    "DisputeDevice": [("deviceId", "bytes32"), ("reason", "bytes32")],
    "Carrier": [("tradeId", "bytes32"), ("oracle", "address")],
    "Production": [
        ("deviceId", "bytes32"),
        ("periodStart", "uint64"),
        ("periodEnd", "uint64"),
        ("units", "uint64"),
        ("runningSeconds", "uint64"),
        ("energyWh", "uint64"),
        ("dataHash", "bytes32"),
    ],
    "Delivery": [
        ("tradeId", "bytes32"),
        ("deliveredAt", "uint64"),
        ("placeHash", "bytes32"),
        ("quantity", "uint64"),
        ("dataHash", "bytes32"),
    ],
}
ATTESTATION_SCHEMA = TypedDataSchema(ATTESTATION_TYPES)


def device_id(identifier: str) -> bytes:
    """A device's id on the ledger: keccak256 of its identifier (serial number), stripped."""
    return keccak(text=identifier.strip())


def digest(domain: Domain, primary_type: str, message: dict[str, Any]) -> bytes:
    return typed_data_digest(
        domain.separator, ATTESTATION_SCHEMA.hash_struct(primary_type, message)
    )


@dataclass(frozen=True)
class Device:
    device_id: bytes
    firm: str
    kind: DeviceKind
    rated_capacity: int  # units per hour (Wh per hour for an energy meter)

    def __post_init__(self) -> None:
        object.__setattr__(self, "firm", to_checksum_address(self.firm))

    def message(self) -> dict[str, Any]:
        return {
            "deviceId": self.device_id,
            "firm": self.firm,
            "kind": int(self.kind),
            "ratedCapacity": self.rated_capacity,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(self.message().values())

    def digest(self, domain: Domain) -> bytes:
        return digest(domain, "Device", self.message())


@dataclass(frozen=True)
class DisputeDevice:
    device_id: bytes
    reason: bytes

    def digest(self, domain: Domain) -> bytes:
        return digest(domain, "DisputeDevice", {"deviceId": self.device_id, "reason": self.reason})


@dataclass(frozen=True)
class Carrier:
    """A trade party's appointment of ``oracle`` as the carrier that attests the delivery."""

    trade_id: bytes
    oracle: str

    def digest(self, domain: Domain) -> bytes:
        message = {"tradeId": self.trade_id, "oracle": to_checksum_address(self.oracle)}
        return digest(domain, "Carrier", message)


@dataclass(frozen=True)
class Production:
    device_id: bytes
    period_start: int
    period_end: int
    units: int
    running_seconds: int
    energy_wh: int
    data_hash: bytes

    def message(self) -> dict[str, Any]:
        return {
            "deviceId": self.device_id,
            "periodStart": self.period_start,
            "periodEnd": self.period_end,
            "units": self.units,
            "runningSeconds": self.running_seconds,
            "energyWh": self.energy_wh,
            "dataHash": self.data_hash,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(self.message().values())

    def attestation_id(self, domain: Domain) -> bytes:
        return digest(domain, "Production", self.message())


@dataclass(frozen=True)
class Delivery:
    trade_id: bytes
    delivered_at: int
    place_hash: bytes
    quantity: int
    data_hash: bytes

    def message(self) -> dict[str, Any]:
        return {
            "tradeId": self.trade_id,
            "deliveredAt": self.delivered_at,
            "placeHash": self.place_hash,
            "quantity": self.quantity,
            "dataHash": self.data_hash,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(self.message().values())

    def attestation_id(self, domain: Domain) -> bytes:
        return digest(domain, "Delivery", self.message())


__all__ = ["DeviceKind", "DeviceStatus"]  # re-exported: their home is backend.enums
