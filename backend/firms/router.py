"""HTTP for firms."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import OperatorDep, PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import SIGNED_IN, Forbidden
from backend.chain.node import ChainUnavailable
from backend.errors import responses
from backend.firms import schemas, service
from backend.firms.errors import FirmNotFound, InvalidCreditCodeError
from backend.schemas import Address

router = APIRouter(prefix="/firms", tags=["firms"], responses=responses(*SIGNED_IN))


@router.post(
    "",
    status_code=201,
    response_model=schemas.FirmPublic,
    responses=responses(*SIGNED_IN, Forbidden, InvalidCreditCodeError, ChainUnavailable),
)
def register_firm(
    body: schemas.FirmCreate, _operator: OperatorDep, services: ServicesDep
) -> schemas.FirmPublic:
    """Register a firm on chain (the operator only)."""
    return service.register(services, body)


@router.get(
    "/{address}",
    response_model=schemas.FirmPublic,
    responses=responses(*SIGNED_IN, FirmNotFound, ChainUnavailable),
)
def read_firm(
    address: Address, _principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> schemas.FirmPublic:
    return service.read(session, services, address)
