"""Outbox payloads of the attestation ledger's actions (JSON, as the outbox stores them) and the
contract calls the relayer makes of them (backend/relayer/actions.py names the kinds)."""

from __future__ import annotations

from typing import Any

from web3.contract.contract import ContractFunction

from backend.attestations.typed_data import Delivery, Device, DeviceKind, Production
from backend.chain.attestations import SignedAttestation, batch_call
from backend.chain.contracts import Ledger
from backend.enums import OutboxKind
from backend.schemas import hex_bytes

DEVICE_REGISTER = OutboxKind.DEVICE_REGISTER
DEVICE_DISPUTE = OutboxKind.DEVICE_DISPUTE
CARRIER_APPOINT = OutboxKind.CARRIER_APPOINT
ATTESTATIONS = OutboxKind.ATTESTATIONS
PRODUCTION, DELIVERY = "production", "delivery"


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def device_json(device: Device) -> dict[str, Any]:
    return {
        "device_id": _hex(device.device_id),
        "firm": device.firm,
        "kind": int(device.kind),
        "rated_capacity": device.rated_capacity,
    }


def device_from_json(data: dict[str, Any]) -> Device:
    return Device(
        hex_bytes(data["device_id"]), data["firm"], DeviceKind(data["kind"]), data["rated_capacity"]
    )


def attestation_json(item: SignedAttestation, attestation_id: bytes) -> dict[str, Any]:
    a = item.attestation
    fields: dict[str, Any]
    if isinstance(a, Production):
        fields = {
            "device_id": _hex(a.device_id),
            "period_start": a.period_start,
            "period_end": a.period_end,
            "units": a.units,
            "running_seconds": a.running_seconds,
            "energy_wh": a.energy_wh,
            "data_hash": _hex(a.data_hash),
        }
    else:
        fields = {
            "trade_id": _hex(a.trade_id),
            "delivered_at": a.delivered_at,
            "place_hash": _hex(a.place_hash),
            "quantity": a.quantity,
            "data_hash": _hex(a.data_hash),
        }
    return {
        "type": PRODUCTION if isinstance(a, Production) else DELIVERY,
        "attestation_id": _hex(attestation_id),
        "attestation": fields,
        "oracle": item.oracle,
        "signature": _hex(item.signature),
    }


def attestation_from_json(data: dict[str, Any]) -> SignedAttestation:
    f = data["attestation"]
    attestation: Production | Delivery
    if data["type"] == PRODUCTION:
        attestation = Production(
            hex_bytes(f["device_id"]), f["period_start"], f["period_end"], f["units"],
            f["running_seconds"], f["energy_wh"], hex_bytes(f["data_hash"]),
        )  # fmt: skip
    else:
        attestation = Delivery(
            hex_bytes(f["trade_id"]), f["delivered_at"], hex_bytes(f["place_hash"]),
            f["quantity"], hex_bytes(f["data_hash"]),
        )  # fmt: skip
    return SignedAttestation(attestation, data["oracle"], hex_bytes(data["signature"]))


# ─────────────────────────────────────────────────────────────── the relayer's calls


def register_call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    device = device_from_json(payload["device"])
    return ledger.attestations.contract.functions.registerDevice(
        device.as_tuple(), payload["oracle"], hex_bytes(payload["signature"])
    )


def dispute_call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.attestations.contract.functions.disputeDevice(
        hex_bytes(payload["device_id"]),
        hex_bytes(payload["reason"]),
        hex_bytes(payload["signature"]),
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
