"""Registering firms (the operator), suspending and reactivating them, reading and listing them.

A firm is two records: its standing in the registry (indexed into ``Firm``; the chain holds the
hash of its credit code) and its entry in the directory (``FirmDirectoryEntry``, off chain: the
names and the clear code). Firms registered on chain without the API have no directory entry;
they are listed with null names.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from backend.auth.service import Principal
from backend.chain.reverts import ContractRevert
from backend.enums import FirmStatus, OutboxKind, OutboxStatus, Role
from backend.firms import schemas
from backend.firms.credit_code import InvalidCreditCode, credit_code_hash, normalise
from backend.firms.errors import (
    DuplicateCreditCode,
    FirmAlreadyRegistered,
    FirmNotFound,
    FirmStatusInFlight,
    FirmStatusUnchanged,
    InvalidCreditCodeError,
    RegistryRefused,
)
from backend.firms.models import Firm, FirmDirectoryEntry
from backend.paging import Page, Paging, fetch_page
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import Accepted, enqueue, in_flight
from backend.services import Services

SUSPEND, REACTIVATE = OutboxKind.FIRM_SUSPEND, OutboxKind.FIRM_REACTIVATE
STATUS_NUMBERS: dict[str, int] = {"active": FirmStatus.ACTIVE, "suspended": FirmStatus.SUSPENDED}


def role_names(roles: Role) -> list[schemas.RoleName]:
    return [role.name.lower() for role in Role if role in roles]  # type: ignore[misc, union-attr]


def register(session: Session, services: Services, body: schemas.FirmCreate) -> schemas.FirmPublic:
    """On chain (the code's hash), then in the directory; refused before the chain when the
    code is malformed or the address or the code is in the directory already."""
    try:
        code = normalise(body.uscc)
    except InvalidCreditCode as error:
        raise InvalidCreditCodeError(str(error)) from None
    if session.get(FirmDirectoryEntry, body.address) is not None:
        raise FirmAlreadyRegistered(f"{body.address} is registered already")
    taken = session.exec(select(FirmDirectoryEntry).where(FirmDirectoryEntry.uscc == code)).first()
    if taken is not None:
        raise DuplicateCreditCode(f"the credit code {code} is registered to {taken.address}")
    roles = Role(0)
    for name in body.roles:
        roles |= Role[name.upper()]
    try:
        services.ledger.registry.register(body.address, roles, credit_code_hash(code))
    except ContractRevert as refusal:  # one documented refusal, whichever custom error it was
        raise RegistryRefused(f"{refusal.error_name}: {refusal.message}") from None
    entry = FirmDirectoryEntry(
        address=body.address,
        uscc=code,
        legal_name_zh=body.legal_name_zh,
        legal_name_en=body.legal_name_en,
        region=body.region,
        industry=body.industry,
        created_at=int(time.time()),
    )
    session.add(entry)
    session.flush()
    return read(session, services, body.address, indexed=False)


def read(
    session: Session, services: Services, address: str, *, indexed: bool = True
) -> schemas.FirmPublic:
    """From the index when it has the firm (and ``indexed``), else from the chain."""
    row = session.get(Firm, address) if indexed else None
    entry = session.get(FirmDirectoryEntry, address)
    if row is not None:
        return public(row, entry)
    standing = services.ledger.registry.standing(address)
    if standing.status == FirmStatus.NONE:
        raise FirmNotFound(address)
    chain_row = Firm(
        address=address,
        roles=int(standing.roles),
        status=int(standing.status),
        credit_code_hash="0x" + standing.credit_code_hash.hex(),
        registered_at=standing.registered_at,
        registered_block=0,
        event_id=0,
    )
    return public(chain_row, entry)


def public(row: Firm, entry: FirmDirectoryEntry | None) -> schemas.FirmPublic:
    return schemas.FirmPublic(
        address=row.address,
        roles=role_names(Role(row.roles)),
        status="active" if row.status == FirmStatus.ACTIVE else "suspended",
        registered_at=row.registered_at,
        credit_code_hash=row.credit_code_hash,
        uscc=entry.uscc if entry else None,
        legal_name_zh=entry.legal_name_zh if entry else None,
        legal_name_en=entry.legal_name_en if entry else None,
        region=entry.region if entry else None,
        industry=entry.industry if entry else None,
    )


def list_firms(
    session: Session,
    paging: Paging,
    q: str | None = None,
    role: schemas.RoleName | None = None,
    status: schemas.FirmStatusName | None = None,
) -> Page[schemas.FirmPublic]:
    """The indexed firms with their directory entries, newest registration first. ``q``: part
    of either legal name (any case) or of the credit code, or the address's beginning."""
    query: Any = select(Firm, FirmDirectoryEntry).outerjoin(
        FirmDirectoryEntry, col(FirmDirectoryEntry.address) == col(Firm.address)
    )
    if q:
        needle = f"%{_escape_like(q.strip().lower())}%"
        query = query.where(
            or_(
                func.lower(col(FirmDirectoryEntry.legal_name_zh)).like(needle, escape="\\"),
                func.lower(col(FirmDirectoryEntry.legal_name_en)).like(needle, escape="\\"),
                func.lower(col(FirmDirectoryEntry.uscc)).like(needle, escape="\\"),
                func.lower(col(Firm.address)).like(needle.lstrip("%"), escape="\\"),
            )
        )
    if role is not None:
        query = query.where(col(Firm.roles).bitwise_and(int(Role[role.upper()])) != 0)
    if status is not None:
        query = query.where(col(Firm.status) == STATUS_NUMBERS[status])
    rows, count = fetch_page(
        session, query, paging, col(Firm.registered_block).desc(), col(Firm.event_id).desc()
    )
    return Page(data=[public(firm, entry) for firm, entry in rows], count=count)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def change_status(
    session: Session, services: Services, principal: Principal, address: str, kind: OutboxKind
) -> schemas.FirmSubmissionAccepted:
    """Queue a suspension or a reactivation for the relayer (the registry's operator role)."""
    target = FirmStatus.SUSPENDED if kind == SUSPEND else FirmStatus.ACTIVE
    row = session.get(Firm, address)
    status = FirmStatus(row.status) if row else services.ledger.registry.standing(address).status
    if status == FirmStatus.NONE:
        raise FirmNotFound(address)
    kinds = (OutboxKind.FIRM_SUSPEND, OutboxKind.FIRM_REACTIVATE)
    if in_flight(session, OutboxItem.subject == address, col(OutboxItem.kind).in_(kinds)):
        raise FirmStatusInFlight(
            "a change of this firm's status is still being recorded; retry once it is"
        )
    if status == target:
        word = "suspended" if target == FirmStatus.SUSPENDED else "active"
        raise FirmStatusUnchanged(f"{address} is {word} already")
    accepted = Accepted(address, kind, f"{kind}:{address}:{uuid.uuid4().hex}", {"firm": address})
    (row_id,) = enqueue(session, principal, [accepted])
    return schemas.FirmSubmissionAccepted(id=row_id, subject=address, status=OutboxStatus.QUEUED)
