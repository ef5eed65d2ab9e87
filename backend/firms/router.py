"""HTTP for firms."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import OperatorDep, PrincipalDep, ServicesDep, SessionDep
from backend.firms import schemas, service
from backend.schemas import ERROR_RESPONSES, Address

router = APIRouter(prefix="/firms", tags=["firms"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=schemas.FirmPublic)
def register_firm(
    body: schemas.FirmCreate, _operator: OperatorDep, services: ServicesDep
) -> schemas.FirmPublic:
    """Register a firm on chain (the operator only)."""
    return service.register(services, body)


@router.get("/{address}", response_model=schemas.FirmPublic)
def read_firm(
    address: Address, _principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> schemas.FirmPublic:
    return service.read(session, services, address)
