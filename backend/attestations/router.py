"""POST /devices, POST /devices/{id}/dispute, POST /carriers, POST /attestations,
GET /firms/{address}/devices and GET /firms/{address}/attestations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from backend.attestations import schemas, service
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
from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import (
    SIGNED_IN,
    FirmNotActive,
    InvalidSignature,
    NoConsent,
    NotAParty,
    RoleNotAllowed,
)
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.chain.node import ChainUnavailable
from backend.errors import responses
from backend.schemas import Address, Hex32
from backend.trades.schemas import SubmissionAccepted

#: What every signed submission here may meet: the signer's standing and signature, the node.
SIGNED = (*SIGNED_IN, NotTheSigner, NotAnOracle, InvalidSignature, ChainUnavailable)
READER = (*SIGNED_IN, NoConsent, ReaderNotActive, ReaderNotABank)

router = APIRouter(tags=["attestations"], responses=responses(*SIGNED_IN))


@router.post(
    "/devices",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*SIGNED, FirmNotActive, RoleNotAllowed, DuplicateDevice),
)
def register_device(
    body: schemas.DeviceCreate, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> SubmissionAccepted:
    """An oracle registers a device it reads to the firm that operates it (its signed Device)."""
    return service.register_device(session, services, principal, body)


@router.post(
    "/devices/{device_id}/dispute",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*SIGNED, DeviceNotFound, DeviceDisputed),
)
def dispute_device(
    device_id: Hex32,
    body: schemas.DeviceDispute,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """The operating firm disputes a device: nothing more is attested for it, and its attested
    figures no longer count in the firm's credit record."""
    return service.dispute_device(session, services, principal, device_id, body)


@router.post(
    "/carriers",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*SIGNED, TradeNotVerified, NotAParty, DuplicateCarrier),
)
def appoint_carrier(
    body: schemas.CarrierCreate, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> SubmissionAccepted:
    """The seller or buyer of a verified trade names the logistics oracle that attests its
    delivery (that is what makes an oracle party to the trade)."""
    return service.appoint_carrier(session, services, principal, body)


@router.post(
    "/attestations",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*SIGNED, InvalidPeriod, AttestationInFuture),
)
def submit_attestations(
    body: schemas.AttestationsCreate,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """An oracle's signed production and delivery attestations, relayed as one batch."""
    return service.submit_attestations(session, services, principal, body)


@router.get(
    "/firms/{address}/devices",
    response_model=schemas.DevicesPublic,
    responses=responses(*READER),
)
def read_devices(address: Address, principal: PrincipalDep, session: SessionDep) -> Any:
    return service.firm_devices(session, principal, address)


@router.get("/firms/{address}/attestations", responses=responses(*READER))
def read_attestations(
    address: Address,
    principal: PrincipalDep,
    session: SessionDep,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    return service.firm_attestations(session, principal, address, offset, limit)
