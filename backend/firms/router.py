"""HTTP for firms: the directory (register, read, search) and the operator's suspensions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.checks import CallerDep, accepted
from backend.auth.deps import OperatorDep, PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import SIGNED_IN, Forbidden
from backend.chain.node import ChainUnavailable
from backend.errors import responses
from backend.firms import errors, schemas, service
from backend.paging import Page, PagingDep
from backend.schemas import Address

router = APIRouter(prefix="/firms", tags=["firms"], responses=responses(*SIGNED_IN))


@router.post(
    "",
    status_code=201,
    response_model=schemas.FirmPublic,
    responses=responses(
        *SIGNED_IN,
        Forbidden,
        errors.InvalidCreditCodeError,
        errors.FirmAlreadyRegistered,
        errors.DuplicateCreditCode,
        errors.RegistryRefused,
        ChainUnavailable,
    ),
)
def register_firm(
    body: schemas.FirmCreate, _operator: OperatorDep, services: ServicesDep, session: SessionDep
) -> schemas.FirmPublic:
    """Register a firm on chain (the hash of its credit code) and in the directory (its names
    and the code in clear); the operator only."""
    return service.register(session, services, body)


@router.get("", response_model=Page[schemas.FirmPublic], responses=responses(*SIGNED_IN))
def list_firms(
    _principal: PrincipalDep,
    session: SessionDep,
    paging: PagingDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="part of a legal name (Chinese or English, any case) or of the credit "
            "code, or the beginning of the address",
        ),
    ] = None,
    role: Annotated[schemas.RoleName | None, Query(description="firms holding this role")] = None,
    status: Annotated[schemas.FirmStatusName | None, Query()] = None,
) -> Page[schemas.FirmPublic]:
    """The directory, newest registration first (any signed-in caller)."""
    return service.list_firms(session, paging, q, role, status)


@router.get(
    "/{address}",
    response_model=schemas.FirmPublic,
    responses=responses(*SIGNED_IN, errors.FirmNotFound, ChainUnavailable),
)
def read_firm(
    address: Address, _principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> schemas.FirmPublic:
    return service.read(session, services, address)


#: A suspension or reactivation: relayed, the operator only.
STATUS_CHANGE = accepted(
    *SIGNED_IN,
    Forbidden,
    errors.FirmNotFound,
    errors.FirmStatusInFlight,
    errors.FirmStatusUnchanged,
    ChainUnavailable,
    model=schemas.FirmSubmissionAccepted,
)


@router.post("/{address}/suspend", **STATUS_CHANGE)
def suspend_firm(
    address: Address, _operator: OperatorDep, caller: CallerDep
) -> schemas.FirmSubmissionAccepted:
    """Suspend a firm in the registry (the operator only): relayed; its writes and a bank's
    reads stop once the suspension is indexed."""
    return service.change_status(*caller, address, service.SUSPEND)


@router.post("/{address}/reactivate", **STATUS_CHANGE)
def reactivate_firm(
    address: Address, _operator: OperatorDep, caller: CallerDep
) -> schemas.FirmSubmissionAccepted:
    """Reactivate a suspended firm (the operator only), relayed like a suspension."""
    return service.change_status(*caller, address, service.REACTIVATE)
