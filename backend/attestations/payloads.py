"""Outbox payloads of the attestation ledger's actions (JSON, as the outbox stores them) and the
contract calls the relayer makes of them (backend/relayer/actions.py names the kinds)."""

from __future__ import annotations

from typing import Any

from web3.contract.contract import ContractFunction

from backend.attestations.typed_data import Delivery, Device, DisputeDevice, Production
from backend.chain.attestations import SignedAttestation, batch_call
from backend.chain.contracts import Ledger
from backend.enums import OutboxKind
from backend.schemas import hex_bytes

DEVICE_REGISTER = OutboxKind.DEVICE_REGISTER
DEVICE_DISPUTE = OutboxKind.DEVICE_DISPUTE
CARRIER_APPOINT = OutboxKind.CARRIER_APPOINT
ATTESTATIONS = OutboxKind.ATTESTATIONS
PRODUCTION, DELIVERY = "production", "delivery"


def device_json(device: Device) -> dict[str, Any]:
    return device.as_json()


def device_from_json(data: dict[str, Any]) -> Device:
    return Device.from_json(data)


def attestation_json(item: SignedAttestation, attestation_id: bytes) -> dict[str, Any]:
    a = item.attestation
    return {
        "type": PRODUCTION if isinstance(a, Production) else DELIVERY,
        "attestation_id": "0x" + attestation_id.hex(),
        "attestation": a.as_json(),
        "oracle": item.oracle,
        "signature": "0x" + item.signature.hex(),
    }


def attestation_from_json(data: dict[str, Any]) -> SignedAttestation:
    kind = Production if data["type"] == PRODUCTION else Delivery
    attestation = kind.from_json(data["attestation"])
    return SignedAttestation(attestation, data["oracle"], hex_bytes(data["signature"]))


# ─────────────────────────────────────────────────────────────── the relayer's calls


def register_call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    device = device_from_json(payload["device"])
    return ledger.attestations.contract.functions.registerDevice(
        device.as_tuple(), payload["oracle"], hex_bytes(payload["signature"])
    )


def dispute_call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    dispute = DisputeDevice.from_json(payload)
    return ledger.attestations.contract.functions.disputeDevice(
        *dispute.as_tuple(), hex_bytes(payload["signature"])
    )


def appoint_call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    from backend.relayer.actions import trade_from_payload  # the outbox's one trade format

    trade = trade_from_payload(payload["trade"])
    return ledger.attestations.contract.functions.appointCarrier(
        trade.as_tuple(), payload["oracle"], payload["party"], hex_bytes(payload["signature"])
    )


def attestations_call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    items = [attestation_from_json(item) for item in payload["items"]]
    return batch_call(ledger.attestations.contract, items)
