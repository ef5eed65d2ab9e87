"""Factories for attestation tests: oracles, devices registered by them, signed attestations."""

from __future__ import annotations

import os

from backend.attestations.typed_data import Carrier, Delivery, Device, DeviceKind, Production
from backend.chain.attestations import SignedAttestation, sign_attestation
from backend.chain.contracts import Ledger, Role
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Trade
from tests.factories import chain_now, create_firm

HOUR = 3_600


def create_oracle(ledger: Ledger) -> Signer:
    return create_firm(ledger, Role.ORACLE)


def register_device(
    ledger: Ledger,
    oracle: Signer,
    firm: Signer | str,
    kind: DeviceKind = DeviceKind.PRODUCTION_LINE,
    rated_capacity: int = 100,
) -> Device:
    """A new device (random id) of ``firm``, registered on chain by ``oracle``."""
    address = firm if isinstance(firm, str) else firm.address
    device = Device(os.urandom(32), address, kind, rated_capacity)
    domain = ledger.attestations.domain
    ledger.attestations.register_device(
        device, oracle.address, oracle.sign_digest(device.digest(domain))
    )
    return device


def production(
    device: Device, start: int, end: int, units: int = 500, **overrides: int | bytes
) -> Production:
    fields: dict[str, object] = {
        "device_id": device.device_id,
        "period_start": start,
        "period_end": end,
        "units": units,
        "running_seconds": end - start,
        "energy_wh": 12_000,
        "data_hash": os.urandom(32),
    }
    fields.update(overrides)
    return Production(**fields)  # type: ignore[arg-type]


def last_hour(ledger: Ledger, device: Device, hours_ago: int = 1, **overrides: int) -> Production:
    """A production attestation for an hour that ended ``hours_ago - 1`` hours ago."""
    end = chain_now(ledger) - (hours_ago - 1) * HOUR
    return production(device, end - HOUR, end, **overrides)


def signed(ledger: Ledger, oracle: Signer, attestation: Production | Delivery) -> SignedAttestation:
    return sign_attestation(oracle, attestation, ledger.attestations.domain)


def appoint(ledger: Ledger, trade: Trade, oracle: Signer, party: Signer) -> bytes:
    """``party`` (seller or buyer) names ``oracle`` the carrier of ``trade``; returns its id."""
    trade_id = trade.trade_id(ledger.trades.domain)
    digest = Carrier(trade_id, oracle.address).digest(ledger.attestations.domain)
    ledger.attestations.appoint_carrier(
        trade, oracle.address, party.address, party.sign_digest(digest)
    )
    return trade_id


def delivery(ledger: Ledger, trade_id: bytes, quantity: int = 200, **overrides: object) -> Delivery:
    fields: dict[str, object] = {
        "trade_id": trade_id,
        "delivered_at": chain_now(ledger) - HOUR,
        "place_hash": os.urandom(32),
        "quantity": quantity,
        "data_hash": os.urandom(32),
    }
    fields.update(overrides)
    return Delivery(**fields)  # type: ignore[arg-type]
