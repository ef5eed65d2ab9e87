"""Devices, carriers and attestations as the attestation ledger recorded them (the indexer writes
these), and the raw telemetry the oracle keeps off chain under its data hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

ACTIVE, DISPUTED = "active", "disputed"


class Device(SQLModel, table=True):
    __tablename__ = "device"

    device_id: str = Field(primary_key=True)
    firm: str = Field(index=True)  # the operating firm
    oracle: str = Field(index=True)  # the oracle that registered it and alone attests for it
    kind: int  # backend.attestations.typed_data.DeviceKind
    rated_capacity: int = Field(sa_type=BigInteger)  # units per hour
    status: str
    registered_time: int = Field(sa_type=BigInteger)
    disputed_time: int | None = Field(default=None, sa_type=BigInteger)
    dispute_reason: str | None = None
    event_id: int = Field(sa_type=BigInteger)


class ProductionAttestation(SQLModel, table=True):
    __tablename__ = "production_attestation"

    attestation_id: str = Field(primary_key=True)
    device_id: str = Field(index=True)
    firm: str = Field(index=True)
    oracle: str
    period_start: int = Field(sa_type=BigInteger, index=True)
    period_end: int = Field(sa_type=BigInteger)
    units: int = Field(sa_type=BigInteger)
    running_seconds: int = Field(sa_type=BigInteger)
    energy_wh: int = Field(sa_type=BigInteger)
    data_hash: str
    attested_time: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)


class CarrierAppointment(SQLModel, table=True):
    __tablename__ = "carrier_appointment"

    trade_id: str = Field(primary_key=True)
    oracle: str = Field(primary_key=True)
    party: str  # the seller or buyer that appointed it
    appointed_time: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)


class DeliveryAttestation(SQLModel, table=True):
    __tablename__ = "delivery_attestation"

    attestation_id: str = Field(primary_key=True)
    trade_id: str = Field(index=True)
    oracle: str
    delivered_at: int = Field(sa_type=BigInteger)
    place_hash: str
    quantity: int = Field(sa_type=BigInteger)
    data_hash: str
    attested_time: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)


class TelemetryRecord(SQLModel, table=True):
    """The raw messages an attestation commits to: ``data_hash`` is the keccak256 of ``raw``'s
    canonical JSON (backend.attestations.aggregate.data_hash), so a dispute can be checked."""

    __tablename__ = "telemetry_record"

    data_hash: str = Field(primary_key=True)
    device_id: str = Field(index=True)
    period_start: int = Field(sa_type=BigInteger)
    period_end: int = Field(sa_type=BigInteger)
    raw: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: float
