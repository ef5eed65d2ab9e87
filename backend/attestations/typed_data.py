"""The EIP-712 types of ``AttestationLedger`` (domain "SCF Ledger", "1", that contract) and the
messages built from them. Kept beside the ledger's own types (backend/sdk/typed_data.py) and
hashed the same way."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from backend.enums import DeviceKind, DeviceStatus
from backend.sdk.eip712 import TypedDataSchema
from backend.sdk.typed_data import TypedStruct

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


@dataclass(frozen=True)
class Device(TypedStruct, schema=ATTESTATION_SCHEMA):
    device_id: bytes
    firm: str
    kind: DeviceKind
    rated_capacity: int  # units per hour (Wh per hour for an energy meter)


@dataclass(frozen=True)
class DisputeDevice(TypedStruct, schema=ATTESTATION_SCHEMA):
    device_id: bytes
    reason: bytes


@dataclass(frozen=True)
class Carrier(TypedStruct, schema=ATTESTATION_SCHEMA):
    """A trade party's appointment of ``oracle`` as the carrier that attests the delivery."""

    trade_id: bytes
    oracle: str


@dataclass(frozen=True)
class Production(TypedStruct, schema=ATTESTATION_SCHEMA):
    device_id: bytes
    period_start: int
    period_end: int
    units: int
    running_seconds: int
    energy_wh: int
    data_hash: bytes

    attestation_id = TypedStruct.digest


@dataclass(frozen=True)
class Delivery(TypedStruct, schema=ATTESTATION_SCHEMA):
    trade_id: bytes
    delivered_at: int
    place_hash: bytes
    quantity: int
    data_hash: bytes

    attestation_id = TypedStruct.digest


__all__ = ["DeviceKind", "DeviceStatus"]  # re-exported: their home is backend.enums
