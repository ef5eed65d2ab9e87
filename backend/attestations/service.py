"""Devices, carriers and attestations through the API: the off-chain checks, then the outbox.

What the contract would refuse is refused here first, with a 4xx (the chain has the last word).
Reads come from the indexed tables; a firm's devices and attestations are read by the firm, the
operator, and a bank while the firm's credit-profile consent is active.
"""

from __future__ import annotations

from typing import Any

from eth_utils import keccak
from sqlmodel import Session, col, select

from backend.attestations import payloads
from backend.attestations.errors import (
    AttestationInFuture,
    DeviceDisputed,
    DeviceNotFound,
    DuplicateCarrier,
    DuplicateDevice,
    InvalidPeriod,
    NotAnOracle,
    NotTheSigner,
    TradeNotVerified,
)
from backend.attestations.models import (
    DISPUTED,
    CarrierAppointment,
    DeliveryAttestation,
    Device,
    ProductionAttestation,
)
from backend.attestations.schemas import (
    KIND_NUMBERS,
    AttestationsCreate,
    CarrierCreate,
    DeviceCreate,
    DeviceDispute,
    DevicePublic,
    DevicesPublic,
    SignedProductionIn,
)
from backend.attestations.typed_data import Carrier, Delivery, DeviceKind, DisputeDevice, Production
from backend.attestations.typed_data import Device as DeviceMessage
from backend.auth.checks import SubmissionChecks, queue
from backend.auth.errors import NotAParty
from backend.auth.readers import require_profile_reader
from backend.auth.service import Principal
from backend.chain.attestations import SignedAttestation
from backend.chain.contracts import FirmStatus, Role
from backend.db import get_or
from backend.enums import MAX_CLOCK_SKEW, TradeStatus
from backend.relayer.outbox import Accepted
from backend.schemas import SubmissionAccepted, hex_bytes
from backend.sdk.typed_data import Domain
from backend.services import Services
from backend.trades.models import Trade

VERIFIED = TradeStatus.VERIFIED


def _require_acting_for(principal: Principal, address: str, what: str) -> None:
    if not principal.operator and principal.address != address:
        raise NotTheSigner(f"only {what} (or the operator) may submit this")


def _oracle_checks(
    session: Session, services: Services, principal: Principal, oracle: str, what: str
) -> SubmissionChecks:
    """The checks of a submission ``oracle`` signs, once the caller acts for it (as ``what``)
    and it is an active oracle."""
    _require_acting_for(principal, oracle, what)
    checks = SubmissionChecks(session, services, principal)
    _require_oracle(checks, oracle)
    return checks


def _require_oracle(checks: SubmissionChecks, oracle: str) -> None:
    status, roles = checks.standing(oracle)
    if status != FirmStatus.ACTIVE or not roles & Role.ORACLE:
        raise NotAnOracle(oracle)


# ─────────────────────────────────────────────────────────────── devices


def register_device(
    session: Session, services: Services, principal: Principal, body: DeviceCreate
) -> SubmissionAccepted:
    checks = _oracle_checks(session, services, principal, body.oracle, "the registering oracle")
    data = body.device
    checks.require_trader(data.firm)
    if session.get(Device, data.device_id) is not None:
        raise DuplicateDevice(data.device_id)
    device = DeviceMessage(
        hex_bytes(data.device_id),
        data.firm,
        DeviceKind(KIND_NUMBERS[data.kind]),
        data.rated_capacity,
    )
    digest = device.digest(services.ledger.attestations.domain)
    checks.require_signature(body.oracle, digest, body.signature, "oracle")
    payload = {
        "device": payloads.device_json(device),
        "oracle": body.oracle,
        "signature": body.signature,
    }
    key = f"device:{data.device_id}"
    return queue(
        session, principal, Accepted(data.device_id, payloads.DEVICE_REGISTER, key, payload)
    )


def dispute_device(
    session: Session, services: Services, principal: Principal, device_id: str, body: DeviceDispute
) -> SubmissionAccepted:
    device = get_or(session, Device, device_id, DeviceNotFound(device_id))
    _require_acting_for(principal, device.firm, "the firm that operates the device")
    if device.status == DISPUTED:
        raise DeviceDisputed(device_id)
    digest = DisputeDevice(hex_bytes(device_id), hex_bytes(body.reason)).digest(
        services.ledger.attestations.domain
    )
    checks = SubmissionChecks(session, services, principal)
    checks.require_signature(device.firm, digest, body.signature, "firm")
    payload = {"device_id": device_id, "reason": body.reason, "signature": body.signature}
    key = f"dispute:{device_id}"
    return queue(session, principal, Accepted(device_id, payloads.DEVICE_DISPUTE, key, payload))


def _device_public(device: Device) -> DevicePublic:
    return DevicePublic(
        device_id=device.device_id,
        firm=device.firm,
        oracle=device.oracle,
        kind=DeviceKind(device.kind).slug,
        rated_capacity=device.rated_capacity,
        status=device.status,
        registered_time=device.registered_time,
        disputed_time=device.disputed_time,
        dispute_reason=device.dispute_reason,
        evidence=f"/evidence/event/{device.event_id}",
    )


#: Who may read a firm's devices and attestations (those of its credit profile).
READERS = (
    "a firm's devices and attestations are read by the firm, the operator, or a bank "
    "with the firm's consent"
)


def firm_devices(session: Session, principal: Principal, firm: str) -> DevicesPublic:
    require_profile_reader(session, principal, firm, READERS)
    rows = session.exec(
        select(Device).where(Device.firm == firm).order_by(col(Device.registered_time))
    ).all()
    return DevicesPublic(firm=firm, devices=[_device_public(row) for row in rows])


def firm_attestations(
    session: Session, principal: Principal, firm: str, offset: int, limit: int
) -> dict[str, Any]:
    """The production of the firm's devices and the attested deliveries of its trades."""
    require_profile_reader(session, principal, firm, READERS)
    produced = session.exec(
        select(ProductionAttestation)
        .where(ProductionAttestation.firm == firm)
        .order_by(col(ProductionAttestation.period_start))
        .offset(offset)
        .limit(limit)
    ).all()
    delivered = session.exec(
        select(DeliveryAttestation, Trade)
        .join(Trade, col(Trade.trade_id) == col(DeliveryAttestation.trade_id))
        .where((col(Trade.seller) == firm) | (col(Trade.buyer) == firm))
        .order_by(col(DeliveryAttestation.delivered_at))
        .offset(offset)
        .limit(limit)
    ).all()
    return {
        "firm": firm,
        "production": [
            {**row.model_dump(exclude={"event_id"}), "evidence": f"/evidence/event/{row.event_id}"}
            for row in produced
        ],
        "deliveries": [
            {
                **row.model_dump(exclude={"event_id"}),
                "seller": trade.seller,
                "buyer": trade.buyer,
                "evidence": f"/evidence/event/{row.event_id}",
            }
            for row, trade in delivered
        ],
        "offset": offset,
        "limit": limit,
    }


# ─────────────────────────────────────────────────────────────── carriers


def appoint_carrier(
    session: Session, services: Services, principal: Principal, body: CarrierCreate
) -> SubmissionAccepted:
    _require_acting_for(principal, body.party, "the appointing party")
    trade = session.get(Trade, body.trade_id)
    if trade is None or trade.status != VERIFIED:
        raise TradeNotVerified(body.trade_id)
    if body.party not in (trade.seller, trade.buyer):
        raise NotAParty("only the seller or the buyer appoints a carrier")
    checks = SubmissionChecks(session, services, principal)
    checks.require_trader(body.party)
    _require_oracle(checks, body.oracle)
    digest = Carrier(hex_bytes(body.trade_id), body.oracle).digest(
        services.ledger.attestations.domain
    )
    checks.require_signature(body.party, digest, body.signature, "party")
    if session.get(CarrierAppointment, (body.trade_id, body.oracle)) is not None:
        raise DuplicateCarrier("this oracle is the trade's carrier already")
    payload = {
        "trade_id": body.trade_id,
        "trade": trade.payload(),
        "oracle": body.oracle,
        "party": body.party,
        "signature": body.signature,
    }
    key = f"carrier:{body.trade_id}:{body.oracle}"
    return queue(
        session, principal, Accepted(body.trade_id, payloads.CARRIER_APPOINT, key, payload)
    )


# ─────────────────────────────────────────────────────────────── attestations


def _signed(item: Any, oracle: str) -> SignedAttestation:
    a = item.attestation
    attestation: Production | Delivery
    if isinstance(item, SignedProductionIn):
        if a.period_end <= a.period_start:
            raise InvalidPeriod("a period must end after it starts")
        attestation = Production(
            hex_bytes(a.device_id), a.period_start, a.period_end, a.units, a.running_seconds,
            a.energy_wh, hex_bytes(a.data_hash),
        )  # fmt: skip
    else:
        attestation = Delivery(
            hex_bytes(a.trade_id), a.delivered_at, hex_bytes(a.place_hash), a.quantity,
            hex_bytes(a.data_hash),
        )  # fmt: skip
    return SignedAttestation(attestation, oracle, hex_bytes(item.signature))


def submit_attestations(
    session: Session, services: Services, principal: Principal, body: AttestationsCreate
) -> SubmissionAccepted:
    """An oracle's signed attestations, one outbox row: one ``attestBatch`` transaction."""
    checks = _oracle_checks(session, services, principal, body.oracle, "the attesting oracle")
    signed = [_signed(item, body.oracle) for item in body.items]
    horizon = int(services.w3.eth.get_block("latest")["timestamp"]) + MAX_CLOCK_SKEW
    for item in signed:
        a = item.attestation
        if (a.period_end if isinstance(a, Production) else a.delivered_at) > horizon:
            raise AttestationInFuture("an attestation may not be about the future")
    return enqueue_attestations(session, principal.address, services, signed, checks)


def enqueue_attestations(
    session: Session,
    submitter: str,
    services: Services,
    items: list[SignedAttestation],
    checks: SubmissionChecks,
) -> SubmissionAccepted:
    """Check the oracle's signature of every item, then queue them as one batch."""
    domain = services.ledger.attestations.domain
    for item in items:
        digest = item.attestation.attestation_id(domain)
        checks.require_signature(item.oracle, digest, "0x" + item.signature.hex(), "oracle")
    return queue_attestations(session, submitter, domain, items)


def queue_attestations(
    session: Session, submitter: str, domain: Domain, items: list[SignedAttestation]
) -> SubmissionAccepted:
    """One outbox row, one ``attestBatch`` transaction. The oracle service, which signs its own
    attestations and shares the API's database, queues through here directly."""
    entries = [payloads.attestation_json(i, i.attestation.attestation_id(domain)) for i in items]
    # One live submission per set of attestations (a hash: a key must fit a unique index).
    ids = ",".join(sorted(entry["attestation_id"] for entry in entries))
    key = "attestations:" + keccak(text=ids).hex()
    accepted = Accepted(
        entries[0]["attestation_id"], payloads.ATTESTATIONS, key, {"items": entries}
    )
    return queue(session, Principal(submitter, Role.ORACLE), accepted)
