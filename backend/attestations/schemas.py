"""Devices, carriers and attestations in and out of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.attestations.typed_data import DeviceKind
from backend.schemas import (
    EXAMPLE_BUYER,
    EXAMPLE_ID,
    EXAMPLE_SELLER,
    EXAMPLE_SIGNATURE,
    EXAMPLE_TIME,
    MAX_SCHEMA_INT,
    Address,
    Hex32,
    HexBytes,
    UnixTime,
    examples,
)

DeviceKindName = Literal[
    "production-line", "machine-tool", "furnace", "energy-meter", "vehicle", "warehouse-scanner"
]
KIND_NUMBERS: dict[str, int] = {kind.slug: int(kind) for kind in DeviceKind}
Quantity = Field(ge=0, le=MAX_SCHEMA_INT)


class DeviceIn(BaseModel):
    device_id: Hex32 = Field(description="keccak256 of the device's identifier (serial number)")
    firm: Address = Field(description="the firm that operates the device")
    kind: DeviceKindName
    rated_capacity: int = Field(ge=1, le=MAX_SCHEMA_INT, description="units per hour")


class DeviceCreate(BaseModel):
    model_config = examples(
        {
            "device": {
                "device_id": EXAMPLE_ID,
                "firm": EXAMPLE_SELLER,
                "kind": "production-line",
                "rated_capacity": 120,
            },
            "oracle": EXAMPLE_BUYER,
            "signature": EXAMPLE_SIGNATURE,
        }
    )

    device: DeviceIn
    oracle: Address = Field(description="the registering oracle (a firm with the ORACLE role)")
    signature: HexBytes = Field(description="the oracle's EIP-712 signature of the Device")


class DeviceDispute(BaseModel):
    model_config = examples({"reason": EXAMPLE_ID, "signature": EXAMPLE_SIGNATURE})

    reason: Hex32 = Field(description="why, as a hash (of a written statement, say)")
    signature: HexBytes = Field(description="the firm's EIP-712 signature of DisputeDevice")


class CarrierCreate(BaseModel):
    model_config = examples(
        {
            "trade_id": EXAMPLE_ID,
            "oracle": EXAMPLE_BUYER,
            "party": EXAMPLE_SELLER,
            "signature": EXAMPLE_SIGNATURE,
        }
    )

    trade_id: Hex32
    oracle: Address = Field(description="the logistics oracle that will attest the delivery")
    party: Address = Field(description="the seller or the buyer of the trade, who appoints it")
    signature: HexBytes = Field(description="the party's EIP-712 signature of Carrier")


class ProductionIn(BaseModel):
    device_id: Hex32
    period_start: UnixTime
    period_end: UnixTime
    units: int = Quantity
    running_seconds: int = Quantity
    energy_wh: int = Quantity
    data_hash: Hex32


class DeliveryIn(BaseModel):
    trade_id: Hex32
    delivered_at: UnixTime
    place_hash: Hex32
    quantity: int = Field(ge=1, le=MAX_SCHEMA_INT)
    data_hash: Hex32


class SignedProductionIn(BaseModel):
    type: Literal["production"]
    attestation: ProductionIn
    signature: HexBytes


class SignedDeliveryIn(BaseModel):
    type: Literal["delivery"]
    attestation: DeliveryIn
    signature: HexBytes


class AttestationsCreate(BaseModel):
    model_config = examples(
        {
            "oracle": EXAMPLE_BUYER,
            "items": [
                {
                    "type": "production",
                    "attestation": {
                        "device_id": EXAMPLE_ID,
                        "period_start": EXAMPLE_TIME - 86_400,
                        "period_end": EXAMPLE_TIME,
                        "units": 2_400,
                        "running_seconds": 72_000,
                        "energy_wh": 1_500_000,
                        "data_hash": EXAMPLE_ID,
                    },
                    "signature": EXAMPLE_SIGNATURE,
                }
            ],
        }
    )

    oracle: Address
    items: list[SignedProductionIn | SignedDeliveryIn] = Field(min_length=1, max_length=100)


class DevicePublic(BaseModel):
    device_id: str
    firm: str
    oracle: str
    kind: str
    rated_capacity: int
    status: str
    registered_time: int
    disputed_time: int | None
    dispute_reason: str | None
    evidence: str  # the registration's chain event


class DevicesPublic(BaseModel):
    firm: str
    devices: list[DevicePublic]


class ProductionPublic(BaseModel):
    """An attested production period of one of the firm's devices."""

    attestation_id: str
    device_id: str
    firm: str
    oracle: str
    period_start: int = Field(description="Unix seconds")
    period_end: int = Field(description="Unix seconds")
    units: int = Field(description="units made in the period")
    running_seconds: int
    energy_wh: int = Field(description="energy used, in watt-hours")
    data_hash: str = Field(description="keccak256 of the telemetry the oracle aggregated")
    attested_time: int = Field(description="block time of the attestation")
    evidence: str = Field(description="the attestation's chain event")


class DeliveryPublic(BaseModel):
    """An attested delivery of one of the firm's trades (as seller or buyer)."""

    attestation_id: str
    trade_id: str
    oracle: str
    delivered_at: int = Field(description="Unix seconds")
    place_hash: str
    quantity: int = Field(description="units delivered")
    data_hash: str
    attested_time: int = Field(description="block time of the attestation")
    seller: str
    buyer: str
    evidence: str = Field(description="the attestation's chain event")


class AttestationsPublic(BaseModel):
    """One page of each list: production by period start, deliveries by delivery time."""

    firm: str
    production: list[ProductionPublic]
    deliveries: list[DeliveryPublic]
    offset: int
    limit: int
