"""POST /devices, POST /devices/{id}/dispute, POST /carriers, POST /attestations,
GET /firms/{address}/devices and GET /firms/{address}/attestations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from backend.attestations import errors, schemas, service
from backend.auth.checks import CallerDep, accepted
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
from backend.schemas import Address, Hex32, SubmissionAccepted

#: What every signed submission here may meet: the signer's standing and signature, the node.
SIGNED = (
    *SIGNED_IN,
    errors.NotTheSigner,
    errors.NotAnOracle,
    InvalidSignature,
    ChainUnavailable,
)
READER = (*SIGNED_IN, NoConsent, ReaderNotActive, ReaderNotABank)

router = APIRouter(tags=["attestations"], responses=responses(*SIGNED_IN))


@router.post(
    "/devices",
    **accepted(*SIGNED, FirmNotActive, RoleNotAllowed, errors.DuplicateDevice),
)
def register_device(body: schemas.DeviceCreate, caller: CallerDep) -> SubmissionAccepted:
    """An oracle registers a device it reads to the firm that operates it (its signed Device)."""
    return service.register_device(*caller, body)


@router.post(
    "/devices/{device_id}/dispute",
    **accepted(*SIGNED, errors.DeviceNotFound, errors.DeviceDisputed),
)
def dispute_device(
    device_id: Hex32, body: schemas.DeviceDispute, caller: CallerDep
) -> SubmissionAccepted:
    """The operating firm disputes a device: nothing more is attested for it, and its attested
    figures no longer count in the firm's credit record."""
    return service.dispute_device(*caller, device_id, body)


@router.post(
    "/carriers",
    **accepted(*SIGNED, errors.TradeNotVerified, NotAParty, errors.DuplicateCarrier),
)
def appoint_carrier(body: schemas.CarrierCreate, caller: CallerDep) -> SubmissionAccepted:
    """The seller or buyer of a verified trade names the logistics oracle that attests its
    delivery (that is what makes an oracle party to the trade)."""
    return service.appoint_carrier(*caller, body)


@router.post("/attestations", **accepted(*SIGNED, errors.InvalidPeriod, errors.AttestationInFuture))
def submit_attestations(body: schemas.AttestationsCreate, caller: CallerDep) -> SubmissionAccepted:
    """An oracle's signed production and delivery attestations, relayed as one batch."""
    return service.submit_attestations(*caller, body)


@router.get(
    "/firms/{address}/devices",
    response_model=schemas.DevicesPublic,
    responses=responses(*READER),
)
def read_devices(address: Address, caller: CallerDep) -> Any:
    return service.firm_devices(caller.session, caller.principal, address)


@router.get(
    "/firms/{address}/attestations",
    response_model=schemas.AttestationsPublic,
    responses=responses(*READER),
)
def read_attestations(
    address: Address,
    caller: CallerDep,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(50, ge=1, le=500),
) -> Any:
    return service.firm_attestations(caller.session, caller.principal, address, offset, limit)
