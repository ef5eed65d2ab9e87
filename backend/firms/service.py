"""Registering firms (the operator) and reading them."""

from __future__ import annotations

from sqlmodel import Session

from backend.enums import FirmStatus, Role
from backend.firms import schemas
from backend.firms.credit_code import InvalidCreditCode, credit_code_hash
from backend.firms.errors import FirmNotFound, InvalidCreditCodeError
from backend.firms.models import Firm
from backend.services import Services


def role_names(roles: Role) -> list[schemas.RoleName]:
    return [role.name.lower() for role in Role if role in roles]  # type: ignore[misc, union-attr]


def register(services: Services, body: schemas.FirmCreate) -> schemas.FirmPublic:
    try:
        code_hash = credit_code_hash(body.credit_code)
    except InvalidCreditCode as error:
        raise InvalidCreditCodeError(str(error)) from None
    roles = Role(0)
    for name in body.roles:
        roles |= Role[name.upper()]
    services.ledger.registry.register(body.address, roles, code_hash)
    return read(None, services, body.address)


def read(session: Session | None, services: Services, address: str) -> schemas.FirmPublic:
    """From the index when it has the firm, else from the chain (just registered)."""
    row = session.get(Firm, address) if session is not None else None
    if row is not None:
        roles, status, registered_at, code = (
            Role(row.roles),
            row.status,
            row.registered_at,
            row.credit_code_hash,
        )
    else:
        standing = services.ledger.registry.standing(address)
        roles, status, registered_at = standing.roles, standing.status, standing.registered_at
        code = "0x" + standing.credit_code_hash.hex()
    if status == FirmStatus.NONE:
        raise FirmNotFound(address)
    return schemas.FirmPublic(
        address=address,
        roles=role_names(roles),
        status="active" if status == FirmStatus.ACTIVE else "suspended",
        registered_at=registered_at,
        credit_code_hash=code,
    )
